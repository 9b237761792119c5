import json
from pathlib import Path

import pytest

from walletdesk.settings import Settings, UnsafeSettings

GOOD_KEY = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
LONG = "a-real-secret-that-is-certainly-long-enough-123"


def test_dev_mode_creates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    first = Settings(env="dev", data_dir=tmp_path).secrets
    stored = tmp_path / "secrets.json"
    assert stored.exists()
    assert stored.stat().st_mode & 0o777 == 0o600
    again = Settings(env="dev", data_dir=tmp_path).secrets
    assert again == first
    assert set(json.loads(stored.read_text())) >= {"secret_key", "field_keys", "blind_index_key"}


def test_prod_mode_refuses_missing_secrets(tmp_path: Path) -> None:
    with pytest.raises(UnsafeSettings, match="WALLETDESK_SECRET_KEY"):
        Settings(env="prod", data_dir=tmp_path).check_safe()
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    "placeholder", ["changeme", "secret", "changethis-please-0123456789abcdefgh"]
)
def test_prod_mode_refuses_placeholder_secrets(tmp_path: Path, placeholder: str) -> None:
    settings = Settings(
        env="prod",
        data_dir=tmp_path,
        secret_key=placeholder,
        field_keys=GOOD_KEY,
        blind_index_key=LONG,
    )
    with pytest.raises(UnsafeSettings):
        settings.check_safe()


def test_prod_mode_refuses_short_keys_and_bad_field_keys(tmp_path: Path) -> None:
    short = Settings(
        env="prod", data_dir=tmp_path, secret_key="short", field_keys=GOOD_KEY, blind_index_key=LONG
    )
    with pytest.raises(UnsafeSettings, match="32 bytes"):
        short.check_safe()
    bad_field = Settings(
        env="prod", data_dir=tmp_path, secret_key=LONG, field_keys="k1:abcd", blind_index_key=LONG
    )
    with pytest.raises(UnsafeSettings, match="32 bytes"):
        bad_field.check_safe()


def test_prod_mode_accepts_real_secrets_and_rotated_keys(tmp_path: Path) -> None:
    rotated = GOOD_KEY + ",k2:" + "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
    settings = Settings(
        env="prod",
        data_dir=tmp_path,
        secret_key=LONG,
        field_keys=rotated,
        field_key_id="k2",
        blind_index_key=LONG,
    )
    settings.check_safe()
    assert settings.secrets.active_field_key_id == "k2"
    assert set(settings.secrets.field_keys) == {"k1", "k2"}


def test_settings_read_the_walletdesk_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLETDESK_ENV", "prod")
    monkeypatch.setenv("WALLETDESK_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("WALLETDESK_LOCKOUT_MINUTES", "45")
    settings = Settings()
    assert settings.env == "prod"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.lockout_minutes == 45


def test_the_embedded_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'walletdesk.db'}"
