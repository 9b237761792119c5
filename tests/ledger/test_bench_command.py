"""`walletdesk bench transfers` in a tiny configuration: it runs end to end against the test
PostgreSQL server and ends with one JSON line (no timing assertions: this machine is shared)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from tests.conftest import PG_URL
from walletdesk.bench.loads import BULK_PEOPLE_MAX, default_people
from walletdesk.bench.pgbench import parse_output
from walletdesk.cli import app
from walletdesk.storage import scratch

PGBENCH_TAIL = """\
transaction type: <builtin: TPC-B (sort of)>
number of transactions actually processed: 8421
latency average = 1.900 ms
initial connection time = 6.345 ms
tps = 4210.512345 (without initial connection time)
"""


def test_pgbench_figures_are_read_from_its_summary() -> None:
    result = parse_output(PGBENCH_TAIL)
    assert (result.tps, result.latency_ms, result.transactions) == (4210.512345, 1.9, 8421)


@pytest.mark.skipif(PG_URL is None, reason="WALLETDESK_TEST_DATABASE_URL not set")
@pytest.mark.skipif(shutil.which("pgbench") is None, reason="pgbench is not installed")
@pytest.mark.parametrize("mode", ["p2p", "bulk", "http", "merchant"])
def test_a_two_second_bench_ends_with_one_json_line(mode: str) -> None:
    assert PG_URL is not None
    admin = scratch.database_url(PG_URL, "postgres")
    outcome = CliRunner().invoke(
        app,
        [
            "bench",
            "transfers",
            "--mode",
            mode,
            "--seconds",
            "2",
            "--clients",
            "2",
            "--people",
            "6",
            "--batch",
            "3",
            "--database-url",
            admin,
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    last = json.loads(outcome.output.strip().splitlines()[-1])
    assert {"tps", "pgbench_tps", "ratio", "p50_ms", "p99_ms", "invariant_ok"} <= last.keys()
    assert last["mode"] == mode and last["clients"] == 2 and last["seconds"] == 2
    assert last["invariant_ok"] is True and last["transfers"] > 0 and last["pgbench_tps"] > 0


def test_a_bulk_run_seeds_enough_people_that_payouts_rarely_share_recipients() -> None:
    assert default_people(8, None) == 128  # p2p, merchant, http: 16 per client
    assert default_people(1, None) == 32
    assert default_people(8, 50) == 1_000  # 20 per recipient of a 50-person payout
    assert default_people(8, 2) == 128  # never fewer than the other modes
    assert default_people(8, 1_000) == BULK_PEOPLE_MAX  # seeding stays minutes, not hours
