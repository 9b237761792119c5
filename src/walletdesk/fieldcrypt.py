"""Per-field encryption (AES-256-GCM with key ids) and blind indexes for sensitive data at rest.

A stored value reads ``<key_id>:<base64(nonce || ciphertext+tag)>``. The column's purpose (for
example ``user.phone``) is bound in as associated data, so a ciphertext copied into another
column does not decrypt. Old key ids stay configured to decrypt while new writes use the active
key, which is how keys rotate. A blind index is an HMAC of the normalised value: equal values
give equal indexes, so look-ups work without storing or scanning plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from walletdesk.randomness import RandomSource
from walletdesk.settings import Secrets

_NONCE_BYTES = 12


class UndecryptableField(ValueError):
    """The value was tampered with, moved between columns, or its key id is unknown."""


class FieldCipher:
    def __init__(self, secrets: Secrets, random: RandomSource) -> None:
        self._keys = {key_id: AESGCM(key) for key_id, key in secrets.field_keys.items()}
        self._active = secrets.active_field_key_id
        self._index_key = secrets.blind_index_key
        self._digest_key = secrets.secret_key
        self._random = random

    @property
    def active_key_id(self) -> str:
        return self._active

    def encrypt(self, plaintext: str, purpose: str) -> str:
        nonce = self._random.token_bytes(_NONCE_BYTES)
        sealed = self._keys[self._active].encrypt(
            nonce, plaintext.encode("utf-8"), purpose.encode("utf-8")
        )
        return f"{self._active}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str, purpose: str) -> str:
        key_id, sep, encoded = stored.partition(":")
        cipher = self._keys.get(key_id)
        if not sep or cipher is None:
            raise UndecryptableField(f"unknown key id {key_id!r}")
        raw = base64.b64decode(encoded)
        try:
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode("utf-8"))
        except InvalidTag as exc:
            raise UndecryptableField(f"{purpose} failed authentication") from exc
        return plain.decode("utf-8")

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def blind_index(self, normalised_value: str, purpose: str) -> str:
        message = f"{purpose}\x00{normalised_value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def keyed_digest(self, value: str, purpose: str) -> str:
        """An HMAC digest for short secrets (one-time codes, recovery codes) under its own key,
        so a stolen table reveals nothing and the blind-index key cannot forge codes."""
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._digest_key, message, hashlib.sha256).hexdigest()
