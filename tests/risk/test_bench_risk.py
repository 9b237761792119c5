"""`walletdesk bench risk` in a tiny configuration: it seeds a history, assesses and ends with
one JSON line (no timing assertions: this machine is shared)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import PG_URL
from walletdesk.cli import app
from walletdesk.storage import scratch

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_risk_bench_ends_with_one_json_line(backend: str) -> None:
    arguments = ["bench", "risk", "--history-rows", "3000", "--assessments", "30"]
    arguments += ["--people", "40", "--backend", backend]
    if backend == "postgresql":
        assert PG_URL is not None
        arguments += ["--database-url", scratch.database_url(PG_URL, "postgres")]
    outcome = CliRunner().invoke(app, arguments)
    assert outcome.exit_code == 0, outcome.output
    last = json.loads(outcome.output.strip().splitlines()[-1])
    assert {"p50_ms", "p99_ms", "history_rows", "backend"} <= last.keys()
    assert (last["backend"], last["history_rows"], last["assessments"]) == (backend, 3000, 30)
    assert sum(last["actions"].values()) == 30
    assert last["p99_ms"] >= last["p50_ms"] > 0
