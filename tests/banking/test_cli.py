from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_KEYS
from walletdesk.cli import app
from walletdesk.storage.migrate import upgrade


def test_bank_reconcile_runs_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WALLETDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WALLETDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("WALLETDESK_REDIS_URL", raising=False)
    for key, value in TEST_KEYS.items():
        monkeypatch.setenv(f"WALLETDESK_{key.upper()}", value)
    upgrade(f"sqlite:///{tmp_path / 'walletdesk.db'}")
    result = CliRunner().invoke(app, ["bank", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "settled 0 succeeded, 0 failed; 0 still processing" in result.output
