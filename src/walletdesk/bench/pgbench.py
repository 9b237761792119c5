"""pgbench's built-in `tpcb-like` script: the yardstick for what this PostgreSQL server can do.

tpcb-like runs five statements per transaction (three balance UPDATEs, a SELECT and an INSERT
into the history table) — close in shape to a transfer, which is why the ratio means something.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_TPS = re.compile(r"^tps = ([0-9.]+) \((?:without|excluding) initial connection", re.MULTILINE)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.MULTILINE)


class PgbenchError(RuntimeError):
    """pgbench is missing or failed; the message carries its output."""


@dataclass(frozen=True)
class PgbenchResult:
    tps: float
    latency_ms: float | None
    transactions: int


def parse_output(output: str) -> PgbenchResult:
    found = _TPS.search(output)
    if found is None:
        raise PgbenchError(f"no tps line in pgbench output:\n{output[-2000:]}")
    latency = _LATENCY.search(output)
    processed = re.search(r"number of transactions actually processed: (\d+)", output)
    return PgbenchResult(
        tps=float(found.group(1)),
        latency_ms=float(latency.group(1)) if latency else None,
        transactions=int(processed.group(1)) if processed else 0,
    )


def executable() -> str:
    found = shutil.which("pgbench")
    if found is None:
        raise PgbenchError(
            "pgbench is not installed (Debian/Ubuntu: apt install postgresql-client)"
        )
    return found


def initialise(url: str, *, scale: int) -> None:
    """Create and fill pgbench's tables (scale 1 = 100,000 accounts)."""
    _run([executable(), "-i", "-q", "-s", str(scale), url], timeout=600)


def run_tpcb_like(url: str, *, clients: int, seconds: int) -> PgbenchResult:
    output = _run(
        [
            executable(),
            "-n",  # the tables were just created: no vacuum between runs needed
            "-b",
            "tpcb-like",
            "-c",
            str(clients),
            "-j",
            str(clients),
            "-T",
            str(seconds),
            url,
        ],
        timeout=seconds + 120,
    )
    return parse_output(output)


def _run(command: list[str], *, timeout: int) -> str:
    completed = subprocess.run(  # noqa: S603 - fixed executable, arguments we built
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise PgbenchError(f"pgbench exited with {completed.returncode}:\n{output[-2000:]}")
    return output
