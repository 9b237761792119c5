"""Password policy (NIST SP 800-63B) and Argon2id hashing.

Policy: at least 8 and at most 256 characters, any characters (NFKC-normalised), no composition
rules, refused when zxcvbn finds it common or easily guessed (its frequency lists and patterns
stand in for the "commonly used or compromised" list 800-63B asks verifiers to check).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.randomness import RandomSource, token_urlsafe

MIN_LENGTH = 8
MAX_LENGTH = 256
MIN_ZXCVBN_SCORE = 2
_ZXCVBN_PREFIX = 72  # this zxcvbn refuses longer input (its cost grows with length)


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password_policy(password: str, *, user_inputs: list[str] | None = None) -> str:
    """Return the normalised password, or raise `ValidationFailed` saying what to change."""
    normalised = normalise_password(password)
    if len(normalised) < MIN_LENGTH:
        raise ValidationFailed(
            "password_too_short",
            N_("Use at least {min} characters for your password."),
            field="password",
            min=MIN_LENGTH,
        )
    if len(normalised) > MAX_LENGTH:
        raise ValidationFailed(
            "password_too_long",
            N_("Use at most {max} characters for your password."),
            field="password",
            max=MAX_LENGTH,
        )
    inputs = [value for value in (user_inputs or []) if value]
    strength = zxcvbn(normalised[:_ZXCVBN_PREFIX], user_inputs=inputs)
    if int(strength["score"]) < MIN_ZXCVBN_SCORE:
        raise ValidationFailed(
            "password_too_common",
            N_(
                "This password is too common or easy to guess. "
                "Try a longer phrase of unrelated words."
            ),
            field="password",
        )
    return normalised


@dataclass(frozen=True)
class Argon2Parameters:
    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


class PasswordHasher:
    """Argon2id hashing plus a dummy hash, so an unknown login costs as much as a known one."""

    def __init__(self, random: RandomSource, parameters: Argon2Parameters | None = None) -> None:
        params = parameters or Argon2Parameters()
        self._hasher = Argon2Hasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost_kib,
            parallelism=params.parallelism,
            type=Type.ID,
        )
        self._dummy_hash = self._hasher.hash(token_urlsafe(random, 24))

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise_password(password))

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, normalise_password(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> bool:
        """Spend the time of a real verification for a login that matches no user."""
        self.verify(self._dummy_hash, password)
        return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
