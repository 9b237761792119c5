"""Fixtures: a real database per test (SQLite always, PostgreSQL when
WALLETDESK_TEST_DATABASE_URL is set), an injected clock and random source, the app."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support import SECRETS, START
from walletdesk.app import create_app
from walletdesk.clock import FrozenClock
from walletdesk.identity.passwords import Argon2Parameters
from walletdesk.randomness import SeededRandom
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.storage.database import create_database_engine
from walletdesk.storage.migrate import current_revision, downgrade, upgrade
from walletdesk.storage.schema import metadata

PG_URL = os.environ.get("WALLETDESK_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("WALLETDESK_TEST_REDIS_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# Cheap Argon2 for tests only; production uses the library's RFC 9106 defaults.
FAST_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
TEST_KEYS = {
    "secret_key": "test-secret-key-that-is-long-enough-0123456789",
    "field_keys": "k1:" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "blind_index_key": "test-blind-index-key-long-enough-0123456789",
}


class _CaptureAll(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


CAPTURED = _CaptureAll()


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    root.addHandler(CAPTURED)
    root.setLevel(logging.DEBUG)
    for noisy in ("asyncio", "httpcore", "httpx", "hpack", "multipart"):
        logging.getLogger(noisy).setLevel(logging.INFO)


def leaked_secrets(lines: list[str], secrets: set[str]) -> list[str]:
    text_blob = "\n".join(lines)
    return sorted(secret for secret in secrets if secret in text_blob)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After the full suite: no password, code, token or full phone number in the logs."""
    leaks = leaked_secrets(CAPTURED.lines, SECRETS)
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"{len(leaks)} secret(s) from the tests appear in captured logs"
        if reporter is not None:
            reporter.write_line(f"LOG HYGIENE FAILED: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> str:
    assert PG_URL is not None
    if current_revision(PG_URL) is not None:
        downgrade(PG_URL, "base")  # start from nothing, and prove downgrade works
    upgrade(PG_URL)
    return PG_URL


def _reset_postgres(url: str) -> None:
    engine = create_database_engine(url)
    names = ", ".join(table.name for table in metadata.sorted_tables if table.name != "audit_head")
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(
            text("UPDATE audit_head SET last_seq = 0, last_hash = :genesis WHERE id = 1"),
            {"genesis": "0" * 64},
        )
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "walletdesk.db"
        shutil.copyfile(sqlite_template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_ready")
    _reset_postgres(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


RISK_BUDGET_MS = 60_000.0
"""Every money movement is screened, and an assessment over its time budget is held (fail
closed). Tests about something else must not depend on how busy the machine is, so they
get a budget no assessment reaches; the budget itself is tested with an injected timer
(tests/risk/test_engine.py, at the production default)."""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        env="dev",
        data_dir=tmp_path,
        database_url=database_url,
        risk_time_budget_ms=RISK_BUDGET_MS,
        **TEST_KEYS,
    )


@pytest.fixture
def rt(settings: Settings, clock: FrozenClock) -> Iterator[Runtime]:
    runtime = build_runtime(settings, clock=clock, random=SeededRandom(7), argon2=FAST_ARGON2)
    yield runtime
    runtime.close()


@pytest.fixture
def app(rt: Runtime) -> FastAPI:
    return create_app(runtime=rt, background_worker=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client
