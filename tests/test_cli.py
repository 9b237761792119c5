from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.conftest import TEST_KEYS
from tests.support import remember
from walletdesk.cli import app
from walletdesk.demo import DEMO_PASSWORD

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WALLETDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WALLETDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("WALLETDESK_REDIS_URL", raising=False)
    for key, value in TEST_KEYS.items():
        monkeypatch.setenv(f"WALLETDESK_{key.upper()}", value)
    remember(DEMO_PASSWORD)
    return tmp_path


def test_upgrade_seed_and_verify_from_the_command_line(data_dir: Path) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "database at revision" in upgraded.output
    seeded = runner.invoke(app, ["seed", "--demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "created admin" in seeded.output and "created user" in seeded.output
    again = runner.invoke(app, ["seed", "--demo"])
    assert "created" not in again.output and "exists" in again.output
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output
    assert "demo top-ups and transfers" in seeded.output


def test_demo_wallets_have_balances_and_history_that_add_up(data_dir: Path) -> None:
    from walletdesk.runtime import build_runtime
    from walletdesk.settings import Settings

    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["seed", "--demo"])
    runtime = build_runtime(Settings())
    try:
        with runtime.db.uow(read_only=True) as uow:
            wallets = [a for a in uow.accounts.all() if a.kind == "wallet"]
            assert len(wallets) == 4 and all(a.posted > 0 for a in wallets)
            assert uow.accounts.totals_by_currency() == {"CNY": 0}
            assert uow.journal.unbalanced_entries() == []
            assert uow.journal.count() >= 19
    finally:
        runtime.close()


def test_audit_verify_names_the_first_broken_entry(data_dir: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["seed", "--demo"])
    engine = create_engine(f"sqlite:///{data_dir / 'walletdesk.db'}")
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET action = 'role.revoked' WHERE seq = 7"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at entry 7" in result.output


def test_demo_data_is_refused_in_prod_mode(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner.invoke(app, ["db", "upgrade"])
    monkeypatch.setenv("WALLETDESK_ENV", "prod")
    result = runner.invoke(app, ["seed", "--demo"])
    assert result.exit_code == 2
    assert "refused outside dev mode" in result.output


def test_prod_mode_refuses_to_start_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLETDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WALLETDESK_ENV", "prod")
    for key in TEST_KEYS:
        monkeypatch.delenv(f"WALLETDESK_{key.upper()}", raising=False)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "Refusing to start" in result.output


def test_create_staff_enrols_totp_and_prints_it_once(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, ["db", "upgrade"])
    remember("harbour crane ledger 19")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "harbour crane ledger 19")
    result = runner.invoke(
        app,
        [
            "create-staff",
            "--login",
            "chen@walletdesk.example",
            "--name",
            "陈客服",
            "--role",
            "agent",
            "--role",
            "senior_agent",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "roles agent, senior_agent" in result.output
    assert "otpauth://totp/walletdesk:chen%40walletdesk.example" in result.output
    refused = runner.invoke(
        app, ["create-staff", "--login", "x@walletdesk.example", "--name", "x", "--role", "emperor"]
    )
    assert refused.exit_code == 1 and "invalid_role" in refused.output
