"""`walletdesk bench transfers`: pgbench tpcb-like and walletdesk transfers, same server, same
number of clients, one invocation; the last line printed is one JSON object."""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from walletdesk.bench import pgbench
from walletdesk.bench.backends import LOCAL_HOSTS as LOCAL_HOSTS  # `bench.chat` reads it here
from walletdesk.bench.backends import (
    AdminUrlOption,
    Backend,
    BackendOption,
    admin_url,
    run_backends,
)

if TYPE_CHECKING:
    from walletdesk.bench.loads import Operation, Tally
    from walletdesk.bench.world import World

bench_app = typer.Typer(help="Benchmarks against a local PostgreSQL.", no_args_is_help=True)
console = Console(stderr=False, highlight=False)

ORDERS_PER_SECOND = 600  # merchant mode: orders made before the run (it stops if they run out)


class Mode(StrEnum):
    P2P = "p2p"
    HTTP = "http"
    BULK = "bulk"
    MERCHANT = "merchant"


@bench_app.command("transfers")
def bench_transfers(
    mode: Annotated[
        Mode,
        typer.Option(
            help="p2p: service layer; http: the API; bulk: payouts; merchant: "
            "all payments to one merchant"
        ),
    ] = (Mode.P2P),
    clients: Annotated[int, typer.Option(min=1, max=64, help="Concurrent clients")] = 8,
    seconds: Annotated[int, typer.Option(min=1, max=600, help="Duration of each load")] = 15,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Admin connection to the PostgreSQL server [default: "
            "WALLETDESK_BENCH_DATABASE_URL or postgres@127.0.0.1/postgres]"
        ),
    ] = None,
    people: Annotated[
        int,
        typer.Option(min=0, help="Funded people (0: 16 per client; bulk: also 20 per recipient)"),
    ] = 0,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Recipients per bulk payout")] = 50,
    server_workers: Annotated[int, typer.Option(min=1, max=16, help="Uvicorn workers")] = 2,
    screening: Annotated[
        bool,
        typer.Option(
            help="Assess every movement with the risk engine, as the product does (the "
            "bench people get a snooze of the behaviour rules their traffic trips); "
            "--no-screening measures the ledger alone"
        ),
    ] = True,
) -> None:
    """Measure transfers against pgbench tpcb-like on the same server and client count."""
    # Imported here so `walletdesk --help` does not pay for the whole runtime.
    from walletdesk.bench.loads import default_people, percentile
    from walletdesk.storage import scratch
    from walletdesk.storage.migrate import upgrade

    admin = admin_url(console, database_url)
    suffix = secrets.token_hex(4)
    console.print(f"walletdesk bench transfers: mode={mode} clients={clients} seconds={seconds}")

    pg = _run_pgbench(admin, f"wd_bench_pgbench_{suffix}", clients=clients, seconds=seconds)
    console.print(f"pgbench tpcb-like: {pg.tps:,.0f} tps (latency avg {pg.latency_ms} ms)")

    name = f"wd_bench_ledger_{suffix}"
    data_dir = Path(tempfile.mkdtemp(prefix="walletdesk-bench-"))
    world: World | None = None
    batches: tuple[int, int] | None = None
    try:
        url = scratch.create_database(admin, name)
        upgrade(url)
        bulk_batch = batch if mode is Mode.BULK else None
        world = _seed(
            url, data_dir, people or default_people(clients, bulk_batch), screening=screening
        )
        # Two connections per client: a unit of work plus its after-commit delivery.
        world.rt.db.engine.dispose()
        world.rt.db.engine = scratch.sized_engine(url, connections=2 * clients + 2)
        entries_before = world.entries()
        tally, elapsed = _load(
            world,
            mode,
            clients=clients,
            seconds=seconds,
            batch=batch,
            server_workers=server_workers,
        )
        group = world.rt.transfer_batches
        batches = (group.batches, group.operations) if group and group.batches else None
        problems = world.check()
        entries_made = world.entries() - entries_before
        if entries_made != tally.operations - tally.held:
            problems.append(
                f"{tally.operations} operations ({tally.held} held) but {entries_made} new entries"
            )
    finally:
        if world is not None:
            world.rt.close()
        scratch.drop_database(admin, name)
        shutil.rmtree(data_dir, ignore_errors=True)

    tps = tally.transfers / elapsed if elapsed else 0.0
    result = {
        "mode": str(mode),
        "clients": clients,
        "seconds": seconds,
        "tps": round(tps, 1),
        "pgbench_tps": round(pg.tps, 1),
        "ratio": round(tps / pg.tps, 3) if pg.tps else None,
        "p50_ms": round(percentile(tally.latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 2),
        "operations": tally.operations,
        "transfers": tally.transfers,
        "held": tally.held,
        "screening": screening,
        "errors": dict(tally.errors),
        "invariant_ok": not problems,
    }
    if batches:
        result["group_commit_batch"] = round(batches[1] / batches[0], 2)
    per = f" ({batch} per payout)" if mode is Mode.BULK else ""
    console.print(
        f"walletdesk {mode}: {tps:,.0f} transfers/s{per}, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, {tally.operations} operations, errors {dict(tally.errors)}"
    )
    console.print(f"ratio to pgbench tpcb-like: {result['ratio']}")
    for problem in problems[:20]:
        console.print(f"[red]invariant broken:[/red] {problem}")
    console.print(f"invariants: {'ok' if not problems else 'BROKEN'}")
    print(json.dumps(result, ensure_ascii=False), flush=True)  # noqa: T201 - the machine line
    if problems:
        raise typer.Exit(1)


@bench_app.command("risk")
def bench_risk(
    history_rows: Annotated[int, typer.Option(min=0, help="risk_events rows to seed")] = 1_000_000,
    assessments: Annotated[int, typer.Option(min=1, help="Timed assessments per backend")] = 2000,
    people: Annotated[int, typer.Option(min=2, help="Customers in the history")] = 20_000,
    backend: BackendOption = Backend.BOTH,
    database_url: AdminUrlOption = None,
) -> None:
    """In-process `assess` p50/p99 with the full default rule set over a seeded history."""
    from walletdesk.bench import risk

    def describe(result: risk.RiskBenchResult) -> str:
        return (
            f"risk assess on {result.backend}: p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, "
            f"max {result.max_ms} ms over {result.assessments:,} assessments, "
            f"{result.history_rows:,} history rows, {result.fail_closed} failed closed"
        )

    run_backends(
        console,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,}"),
            console=console,
            transient=True,
        ),
        backend,
        database_url,
        database_prefix="wd_bench_risk",
        on_postgresql=risk.bench_postgresql,
        on_sqlite=risk.bench_sqlite,
        options={"rows": history_rows, "people": people, "assessments": assessments},
        describe=describe,
    )


@bench_app.command("routing")
def bench_routing(
    agents: Annotated[int, typer.Option(min=1, help="Staff agents")] = 200,
    open_cases: Annotated[int, typer.Option(min=0, help="Open cases to seed")] = 10_000,
    picks: Annotated[int, typer.Option(min=1, help="Timed picks per backend")] = 2000,
    routes: Annotated[int, typer.Option(min=0, help="Timed whole offers per backend")] = 500,
    backend: BackendOption = Backend.BOTH,
    database_url: AdminUrlOption = None,
) -> None:
    """Routing's agent pick p50/p99 with many agents and open cases (bench/routing.py)."""
    from walletdesk.bench import routing

    def describe(result: routing.RoutingBenchResult) -> str:
        return (
            f"routing pick on {result.backend}: p50 {result.p50_ms} ms, p99 {result.p99_ms} "
            f"ms over {result.picks:,} picks ({result.agents} agents, {result.open_cases:,} "
            f"open cases, {result.waiting:,} waiting); whole offer p50 "
            f"{result.route_p50_ms} ms, p99 {result.route_p99_ms} ms"
        )

    run_backends(
        console,
        Progress(TextColumn("{task.description}"), BarColumn(), console=console),
        backend,
        database_url,
        database_prefix="wd_bench_routing",
        on_postgresql=routing.bench_postgresql,
        on_sqlite=routing.bench_sqlite,
        options={"agents": agents, "open_cases": open_cases, "picks": picks, "routes": routes},
        describe=describe,
    )


@bench_app.command("chat")
def bench_chat(
    connections: Annotated[int, typer.Option(min=2, help="WebSockets to hold open")] = 2000,
    rate: Annotated[float, typer.Option(min=1, help="Messages per second")] = 200.0,
    seconds: Annotated[int, typer.Option(min=1, max=600, help="How long messages flow")] = 20,
    postgres: Annotated[bool, typer.Option(help="A scratch PostgreSQL instead of SQLite")] = False,
    database_url: Annotated[str | None, typer.Option(help="Admin URL for --postgres")] = None,
    redis_url: Annotated[str | None, typer.Option(help="Fan out through this Redis")] = None,
    ws: Annotated[str, typer.Option(help="Uvicorn's WebSocket implementation")] = (
        "websockets-sansio"
    ),
    via: Annotated[
        str, typer.Option(help="Send messages over 'rest' (POST) or 'socket' (message frames)")
    ] = "socket",
    py_spy: Annotated[
        Path | None, typer.Option(help="Sample the server with py-spy into this file (raw)")
    ] = None,
) -> None:
    """Hold N chat sockets on one server; its memory and the messages' latency."""
    from walletdesk.bench import chat

    if via not in ("rest", "socket"):
        raise typer.BadParameter("--via is rest or socket")
    chat.main(
        console,
        admin_url(console, database_url, local=False) if postgres else None,
        redis_url,
        connections=connections,
        rate=rate,
        seconds=seconds,
        ws=ws,
        via=via,
        profile=py_spy,
    )


def _run_pgbench(admin: str, name: str, *, clients: int, seconds: int) -> pgbench.PgbenchResult:
    from walletdesk.storage import scratch

    url = scratch.libpq_url(scratch.create_database(admin, name))
    try:
        with console.status(f"pgbench: initialising scale {clients}…"):
            pgbench.initialise(url, scale=max(clients, 1))
        with _ticking(f"pgbench tpcb-like, {clients} clients", seconds):
            return pgbench.run_tpcb_like(url, clients=clients, seconds=seconds)
    finally:
        scratch.drop_database(admin, name)


def _seed(url: str, data_dir: Path, people: int, *, screening: bool) -> World:
    from walletdesk.bench.world import build_world

    with Progress(
        TextColumn("seeding people"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("seed", total=people)
        return build_world(
            url,
            data_dir,
            people=people,
            screening=screening,
            progress=lambda n: progress.update(task, completed=n),
        )


def _load(
    world: World, mode: Mode, *, clients: int, seconds: int, batch: int, server_workers: int
) -> tuple[Tally, float]:
    from walletdesk.bench.loads import (
        Tally,
        bulk_operation,
        merchant_operation,
        merchant_orders,
        p2p_operation,
    )

    tally = Tally()
    if mode is Mode.HTTP:
        from walletdesk.bench.http_load import api_server, http_client, http_operation

        with (
            api_server(world, workers=server_workers) as base_url,
            http_client(base_url, clients) as client,
        ):
            operation = http_operation(world, client, tally)
            return tally, _timed(operation, clients, seconds, tally, mode)
    if mode is Mode.MERCHANT:
        count = max(500, seconds * ORDERS_PER_SECOND)
        with _ticking(f"the merchant creates {count:,} orders", seconds * 2):
            started = time.monotonic()
            _merchant, order_ids = merchant_orders(world, count, clients)
            made = time.monotonic() - started
        console.print(f"order creation (untimed set-up): {count / made:,.0f} orders/s")
        operation = merchant_operation(world, tally, order_ids)
    elif mode is Mode.P2P:
        operation = p2p_operation(world, tally)
    else:
        operation = bulk_operation(world, batch)
    return tally, _timed(operation, clients, seconds, tally, mode)


def _timed(operation: Operation, clients: int, seconds: int, tally: Tally, mode: Mode) -> float:
    import threading

    from walletdesk.bench.loads import drive

    result: list[float] = []
    runner = threading.Thread(
        target=lambda: result.append(
            drive(operation, clients=clients, seconds=seconds, tally=tally)
        ),
        name="bench-driver",
    )
    with Progress(
        TextColumn(f"walletdesk {mode}, {clients} clients"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[done]} transfers"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("load", total=seconds, done=0)
        started = time.monotonic()
        runner.start()
        while runner.is_alive():
            runner.join(0.25)
            progress.update(
                task, completed=min(seconds, time.monotonic() - started), done=tally.transfers
            )
    return result[0] if result else 0.0


class _ticking:
    """A progress bar that fills over `seconds` while a blocking call runs."""

    def __init__(self, label: str, seconds: int) -> None:
        self.label, self.seconds = label, seconds

    def __enter__(self) -> None:
        import threading

        self._stop = threading.Event()
        self._progress = Progress(
            TextColumn(self.label),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("tick", total=self.seconds)
        started = time.monotonic()

        def tick() -> None:
            while not self._stop.wait(0.25):
                self._progress.update(task, completed=min(self.seconds, time.monotonic() - started))

        self._thread = threading.Thread(target=tick, daemon=True)
        self._thread.start()

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._progress.stop()
