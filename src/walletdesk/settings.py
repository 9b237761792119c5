"""One typed settings class (environment variables with the ``WALLETDESK_`` prefix).

Outside dev mode, missing or placeholder secrets are refused at start-up. In dev mode, missing
secrets are generated once and kept in ``<data_dir>/secrets.json`` (mode 0600), so encrypted
fields stay readable across restarts of a developer's machine.
"""

from __future__ import annotations

import base64
import json
import os
import secrets as std_secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = frozenset(
    {"", "changeme", "change-me", "changethis", "secret", "password", "placeholder", "dev", "test"}
)
_PLACEHOLDER_MARKERS = ("changeme", "change-me", "changethis", "placeholder", "your-secret")
_MIN_SECRET_BYTES = 32


class UnsafeSettings(ValueError):
    """Raised when the configuration is not safe to run with (prod mode, weak or missing secret)."""


@dataclass(frozen=True)
class Secrets:
    secret_key: bytes
    """Peppers the stored digests of one-time codes and recovery codes."""
    field_keys: dict[str, bytes]
    """AES-256-GCM keys by key id; old ids stay to decrypt, the active one encrypts."""
    active_field_key_id: str
    blind_index_key: bytes
    """HMAC key of the blind indexes that let us look up encrypted phones and emails."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALLETDESK_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None

    secret_key: str | None = None
    field_keys: str | None = Field(
        default=None, description="Comma-separated key_id:base64(32 bytes) pairs"
    )
    field_key_id: str | None = None
    blind_index_key: str | None = None

    host: str = "127.0.0.1"
    """Default interface for `walletdesk serve` (its --host wins)."""
    port: int = 8000
    """Default port for `walletdesk serve` (its --port wins)."""
    cookie_secure: bool = True
    log_level: str = "INFO"

    lockout_threshold: int = 5
    lockout_minutes: int = 30
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    session_idle_days: int = 30
    login_challenge_ttl_seconds: int = 300

    # Rate limits as "count/seconds"; each applies per account (or destination) and per IP.
    rate_login_account: str = "20/900"
    rate_login_ip: str = "100/900"
    rate_code_destination: str = "5/3600"
    rate_code_ip: str = "30/3600"
    rate_reset_account: str = "5/3600"
    rate_reset_ip: str = "20/3600"
    rate_verify_contact_ip: str = "30/600"
    """Checks per IP of "Is this really walletdesk?" (no sign-in needed: limits code guessing)."""

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "walletdesk <no-reply@walletdesk.example>"
    smtp_starttls: bool = True

    outbox_poll_seconds: float = 2.0
    webhook_allow_private: bool = False
    """Let merchant webhooks go to private/loopback addresses (a receiver on 127.0.0.1 in
    development and tests). Refused outside dev mode: see `merchants.webhook_targets`."""

    # Large payments right after a password reset or a phone/email change are paused.
    recent_change_hours: int = 24
    recent_change_threshold_yuan: int = 2_000

    support_reopen_days: int = 7
    """A customer reply reopens a solved case up to this many days after it was solved;
    a later reply starts a linked follow-up case."""
    support_attachment_max_bytes: int = 5 * 1024 * 1024
    support_sweep_seconds: float = 30.0
    """How often the server checks SLA breaches and escalations and closes old solved cases."""
    support_offer_seconds: int = Field(default=60, ge=5)
    """A case offered to an agent who neither accepts nor acts on it within this many seconds
    is offered to the next agent (checked by the same sweep)."""
    support_agent_hours_calendar: str = "business"
    """The business calendar of the hours agents chat (support/data/business_calendars.json);
    outside them the assistant keeps the chat and the customer is told when a person answers."""

    risk_time_budget_ms: float = 50.0
    """An assessment slower than this holds the movement ("risk engine unavailable")."""
    risk_screen_transfers: bool = True
    """Assess every money movement (P2P transfer on both paths, merchant payment, withdrawal,
    top-up, FX conversion) before it posts (risk/screening.py). Switching it off is for tests
    about something else and for bulk loads; production keeps it on."""
    risk_review_expected_minutes: int = Field(default=30, ge=1)
    """The decision time a held transfer's owner is told to expect (and the review SLA)."""
    risk_review_timeout_hours: int = Field(default=24, ge=1)
    """A held transfer nobody decided on is declined (never approved) after this long."""
    risk_review_four_eyes_yuan: int = Field(default=50_000, ge=0)
    """Approving a case with a movement above this many yuan (CNY equivalent) needs two."""

    # PostgreSQL: post P2P transfers by group commit, many per transaction and round trip
    # (ledger/transfer_batches.py). Off: one transaction per transfer, as on SQLite.
    transfer_group_commit: bool = True
    transfer_group_commit_flushers: int = Field(default=4, ge=1, le=32)

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'walletdesk.db').resolve()}"

    @cached_property
    def secrets(self) -> Secrets:
        stored = _load_dev_secrets(self.data_dir) if self.is_dev else {}
        secret_key = self._secret("secret_key", self.secret_key, stored)
        blind_index_key = self._secret("blind_index_key", self.blind_index_key, stored)
        field_keys_text = self.field_keys or stored.get("field_keys")
        if not field_keys_text:
            self._refuse_outside_dev("WALLETDESK_FIELD_KEYS is not set")
            field_keys_text = "k1:" + _new_key()
            stored["field_keys"] = field_keys_text
        field_keys = _parse_field_keys(field_keys_text)
        active = self.field_key_id or stored.get("field_key_id") or next(iter(field_keys))
        if active not in field_keys:
            raise UnsafeSettings(
                f"WALLETDESK_FIELD_KEY_ID {active!r} is not in WALLETDESK_FIELD_KEYS"
            )
        if self.is_dev:
            stored["field_key_id"] = active
            _save_dev_secrets(self.data_dir, stored)
        return Secrets(
            secret_key=secret_key,
            field_keys=field_keys,
            active_field_key_id=active,
            blind_index_key=blind_index_key,
        )

    def check_safe(self) -> None:
        """Refuse to start with unsafe settings (call once at start-up)."""
        _ = self.secrets
        if not self.is_dev and not self.cookie_secure:
            raise UnsafeSettings("WALLETDESK_COOKIE_SECURE must stay true outside dev mode")
        if not self.is_dev and self.webhook_allow_private:
            raise UnsafeSettings(
                "WALLETDESK_WEBHOOK_ALLOW_PRIVATE must stay false outside dev mode"
            )

    def _secret(self, name: str, configured: str | None, stored: dict[str, str]) -> bytes:
        value = configured or stored.get(name)
        if value is None:
            self._refuse_outside_dev(f"WALLETDESK_{name.upper()} is not set")
            value = _new_key()
            stored[name] = value
        lowered = value.strip().lower()
        if lowered in _PLACEHOLDERS or any(marker in lowered for marker in _PLACEHOLDER_MARKERS):
            raise UnsafeSettings(f"WALLETDESK_{name.upper()} is a placeholder; set a real secret")
        raw = value.encode("utf-8")
        if len(raw) < _MIN_SECRET_BYTES:
            raise UnsafeSettings(f"WALLETDESK_{name.upper()} must be at least 32 bytes long")
        return raw

    def _refuse_outside_dev(self, reason: str) -> None:
        if not self.is_dev:
            raise UnsafeSettings(f"{reason}; secrets are only generated in dev mode")


def _new_key() -> str:
    # Settings run before the app's injected random source exists; keys need the OS CSPRNG.
    return base64.b64encode(std_secrets.token_bytes(32)).decode("ascii")


def _parse_field_keys(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in text.split(","):
        key_id, sep, encoded = item.strip().partition(":")
        if not sep or not key_id:
            raise UnsafeSettings("WALLETDESK_FIELD_KEYS must look like 'k1:<base64 32 bytes>,...'")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise UnsafeSettings(f"field key {key_id!r} is not valid base64") from exc
        if len(key) != 32:
            raise UnsafeSettings(f"field key {key_id!r} must be 32 bytes (AES-256)")
        if len(key_id) > 16 or not key_id.isalnum():
            raise UnsafeSettings(f"field key id {key_id!r} must be 1-16 letters or digits")
        keys[key_id] = key
    return keys


def _secrets_path(data_dir: Path) -> Path:
    return data_dir / "secrets.json"


def _load_dev_secrets(data_dir: Path) -> dict[str, str]:
    path = _secrets_path(data_dir)
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def _save_dev_secrets(data_dir: Path, values: dict[str, str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = _secrets_path(data_dir)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(values, handle, indent=2, sort_keys=True)
    os.replace(temporary, path)
