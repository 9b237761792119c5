import re
from pathlib import Path

from typer.testing import CliRunner

from tests.support import remember
from tests.test_cli import data_dir  # noqa: F401 - the fixture
from walletdesk.cli import app
from walletdesk.merchants.registry import api_key_digest
from walletdesk.runtime import build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.repositories.merchants import MerchantStore

runner = CliRunner()


def test_create_merchant_prints_the_key_once_and_stores_only_its_digest(
    data_dir: Path,  # noqa: F811 - the fixture
) -> None:
    assert runner.invoke(app, ["db", "upgrade", "--revision", "heads"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            "create-merchant",
            "--name",
            "喜茶 HEYTEA",
            "--webhook-url",
            "https://heytea.example/hook",
        ],
    )
    assert created.exit_code == 0, created.output
    api_key = re.search(r"API key:\s+(\S+)", created.output)
    secret = re.search(r"webhook secret:\s+(\S+)", created.output)
    assert api_key and secret
    remember(api_key.group(1), secret.group(1))
    runtime = build_runtime(Settings())
    try:
        with runtime.db.uow(read_only=True) as uow:
            merchant = MerchantStore(uow.connection).merchants.get_by_key_hash(
                api_key_digest(api_key.group(1))
            )
    finally:
        runtime.close()
    assert merchant is not None and merchant.name == "喜茶 HEYTEA"
    assert api_key.group(1) not in merchant.api_key_hash
    assert secret.group(1) not in merchant.webhook_secret_enc
    refused = runner.invoke(app, ["create-merchant", "--name", "x", "--webhook-url", "ftp://x"])
    assert refused.exit_code == 1 and "invalid_webhook_url" in refused.output
