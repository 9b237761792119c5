"""TOTP (RFC 6238) with replay protection, and one-time recovery codes.

A code is accepted for the current 30-second step and one step either side. The matched step
(counter) is stored and only later steps are accepted afterwards, so each code works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import pyotp
import segno

from walletdesk.randomness import RandomSource

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
ISSUER = "walletdesk"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes

_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret(random: RandomSource) -> str:
    return base64.b32encode(random.token_bytes(20)).decode("ascii").rstrip("=")


def _totp(secret: str, digits: int, algorithm: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, digest=_DIGESTS[algorithm], interval=STEP_SECONDS)


def code_at(secret: str, at: datetime, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    return str(_totp(secret, digits, algorithm).at(at))


def counter_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_counter(
    secret: str, code: str, at: datetime, *, last_counter: int | None, digits: int = DIGITS
) -> int | None:
    """The time step `code` belongs to, if it is within ±1 step of `at` and not used before."""
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) != digits or not cleaned.isdigit():
        return None
    generator = _totp(secret, digits, "sha1")
    now_counter = counter_at(at)
    for counter in range(now_counter - WINDOW, now_counter + WINDOW + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        expected = str(generator.generate_otp(counter))
        if hmac.compare_digest(expected, cleaned):
            return counter
    return None


def provisioning_uri(secret: str, account_label: str) -> str:
    return _totp(secret, DIGITS, "sha1").provisioning_uri(name=account_label, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def new_recovery_codes(random: RandomSource) -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        letters = "".join(
            _RECOVERY_ALPHABET[random.randbelow(len(_RECOVERY_ALPHABET))] for _ in range(10)
        )
        codes.append(f"{letters[:5]}-{letters[5:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    cleaned = code.strip().lower().replace(" ", "").replace("-", "")
    return f"{cleaned[:5]}-{cleaned[5:]}"


def looks_like_recovery_code(code: str) -> bool:
    return len(code.strip().replace("-", "").replace(" ", "")) == 10
