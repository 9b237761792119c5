"""Where the `walletdesk bench` commands make their scratch databases, set up once for all of
them: the admin connection to PostgreSQL (a server on this machine only: a bench measures the
machine it loads) and, for the benches measured on PostgreSQL and SQLite alike (risk, routing),
one run per chosen backend, each in a fresh scratch database, with one JSON line at the end.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}


class Backend(StrEnum):
    BOTH = "both"
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


BackendOption = Annotated[Backend, typer.Option(help="Where to measure")]
AdminUrlOption = Annotated[
    str | None,
    typer.Option(help="Admin connection to the PostgreSQL server [default: as transfers]"),
]
"""The options of every bench that runs on either backend (`--backend`, `--database-url`)."""


class BackendResult(Protocol):
    @property
    def backend(self) -> str: ...

    def as_json(self) -> dict[str, object]: ...


Result = TypeVar("Result", bound=BackendResult)


def admin_url(console: Console, given: str | None, *, local: bool = True) -> str:
    """The admin connection the scratch databases are made through: `given`, else
    WALLETDESK_BENCH_DATABASE_URL, else postgres@127.0.0.1. With `local`, a server on another
    machine is refused (exit 2)."""
    from walletdesk.storage import scratch

    admin = given or os.environ.get("WALLETDESK_BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL
    if local and scratch.host_of(admin) not in LOCAL_HOSTS:
        console.print("[red]The benchmark only loads a PostgreSQL on this machine (127.0.0.1).")
        raise typer.Exit(2)
    return admin


def run_backends(
    console: Console,
    progress: Progress,
    chosen: Backend,
    database_url: str | None,
    *,
    database_prefix: str,
    on_postgresql: Callable[..., Result],
    on_sqlite: Callable[..., Result],
    options: dict[str, Any],
    describe: Callable[[Result], str],
) -> None:
    """Run the bench on each chosen backend (`on_postgresql(admin, name, progress=, **options)`
    in a scratch database named `database_prefix` plus a random suffix, `on_sqlite(progress=,
    **options)`), print `describe(result)` for each, then the machine line: the first result's
    JSON with every backend's under "backends"."""
    wanted = [Backend.POSTGRESQL, Backend.SQLITE] if chosen is Backend.BOTH else [chosen]
    admin = admin_url(console, database_url, local=Backend.POSTGRESQL in wanted)
    results: list[Result] = []
    with progress:
        task = progress.add_task("starting", total=1)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=max(total, 1))

        for backend in wanted:
            if backend is Backend.POSTGRESQL:
                name = f"{database_prefix}_{secrets.token_hex(4)}"
                result = on_postgresql(admin, name, progress=report, **options)
            else:
                result = on_sqlite(progress=report, **options)
            console.print(describe(result))
            results.append(result)
    line: dict[str, object] = results[0].as_json()
    line["backends"] = {result.backend: result.as_json() for result in results}
    print(json.dumps(line, ensure_ascii=False), flush=True)  # noqa: T201 - the machine line
