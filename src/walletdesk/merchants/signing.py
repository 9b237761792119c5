"""Webhook signatures: ``X-Walletdesk-Signature: sha256=<hex>``, the hex HMAC-SHA256 of
``timestamp + "." + body`` keyed with the merchant's webhook secret.

`verify_signature` uses only the standard library so merchants can copy it into their own code.
The timestamp is part of what is signed, so an old request cannot be replayed with a fresh
timestamp; pass `now` (Unix seconds) to also refuse requests older than `tolerance` seconds.
The delivery id header stays the same across retries: de-duplicate on it.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Walletdesk-Signature"
TIMESTAMP_HEADER = "X-Walletdesk-Timestamp"
DELIVERY_HEADER = "X-Walletdesk-Delivery"
SCHEME = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str, timestamp: str, body: bytes | str) -> str:
    """The header value for `body` sent at `timestamp` (Unix seconds, as sent)."""
    mac = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + _as_bytes(body), hashlib.sha256
    )
    return SCHEME + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes | str,
    header: str,
    *,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when `header` is our signature of exactly this body and timestamp.

    Verify the raw request body as received, before parsing it: re-serialised JSON may differ.
    """
    if not header.startswith(SCHEME) or not timestamp.isdigit():
        return False
    if now is not None and abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header.strip())
