"""The one source of chance: tokens, codes, ids, nonces and salts.

Production uses the operating system's CSPRNG (`secrets`); tests inject `SeededRandom` so
identifiers and codes are reproducible. Nothing else in walletdesk imports `random` or `secrets`.
"""

from __future__ import annotations

import base64
import random
import secrets
from typing import Protocol


class RandomSource(Protocol):
    def token_bytes(self, n: int) -> bytes: ...

    def randbelow(self, n: int) -> int: ...


class SystemRandom:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)


class SeededRandom:
    """Deterministic, for tests only: never use it where an attacker could predict values."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - tests only, by design

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)

    def randbelow(self, n: int) -> int:
        return self._rng.randrange(n)


def token_urlsafe(source: RandomSource, n_bytes: int = 32) -> str:
    return base64.urlsafe_b64encode(source.token_bytes(n_bytes)).rstrip(b"=").decode("ascii")


def new_id(source: RandomSource, prefix: str) -> str:
    """A sortable-enough, unguessable identifier such as ``usr_k3j5...`` (16 base32 chars)."""
    body = base64.b32encode(source.token_bytes(10)).decode("ascii").lower()
    return f"{prefix}_{body}"


def numeric_code(source: RandomSource, digits: int = 6) -> str:
    return str(source.randbelow(10**digits)).zfill(digits)
