"""The walletdesk command line: serve, db, seed, create-staff, audit."""

from __future__ import annotations

import getpass
import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from walletdesk.bench.cli import bench_app
from walletdesk.bot.cli import bot_app
from walletdesk.cli_bank import bank_app
from walletdesk.cli_risk import risk_app
from walletdesk.settings import Settings, UnsafeSettings

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

app = typer.Typer(
    help="walletdesk: a digital wallet with its customer-service centre built in.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(bench_app, name="bench")
app.add_typer(bank_app, name="bank")
app.add_typer(risk_app, name="risk")
app.add_typer(bot_app, name="bot")
console = Console()


def _settings() -> Settings:
    settings = Settings()
    try:
        settings.check_safe()
    except UnsafeSettings as exc:
        console.print(f"[red]Refusing to start:[/red] {exc}")
        raise typer.Exit(2) from exc
    return settings


def _runtime() -> Runtime:
    from walletdesk.runtime import build_runtime

    return build_runtime(_settings())


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: WALLETDESK_HOST]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [default: WALLETDESK_PORT]")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only)")] = 1,
) -> None:
    """Serve the API, the pages and the outbox worker."""
    import uvicorn

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    if workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        console.print("[yellow]SQLite serves one worker; use PostgreSQL for more.[/yellow]")
        workers = 1
    console.print(f"walletdesk on http://{host}:{port}  (env={settings.env})")
    uvicorn.run(
        "walletdesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        ws="websockets-sansio",  # chat sockets: ~100 KB each, against ~175 KB with "auto"
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations up to `revision` (default: the latest)."""
    from walletdesk.storage.migrate import current_revision, upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url, revision)
    console.print(f"database at revision {current_revision(settings.resolved_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from walletdesk.storage.migrate import current_revision, head_revision

    url = _settings().resolved_database_url
    console.print(f"current {current_revision(url)}  head {head_revision(url)}")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Demo users and staff")] = False,
) -> None:
    """Load demo data (dev mode only: the demo passwords are public)."""
    from walletdesk.demo import seed_demo

    if not demo:
        console.print("Nothing to seed; pass --demo.")
        raise typer.Exit(1)
    runtime = _runtime()
    try:
        for line in seed_demo(runtime):
            console.print(line)
        runtime.dispatcher.deliver()
    except UnsafeSettings as exc:
        console.print(f"[red]Refusing:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        runtime.close()


@app.command("create-staff")
def create_staff_command(
    login: Annotated[str, typer.Option(help="Email or mainland mobile number")],
    name: Annotated[str, typer.Option(help="Display name")],
    role: Annotated[list[str], typer.Option(help="Role; repeat for several")],
) -> None:
    """Create a staff account with TOTP enrolled; prints the secret and recovery codes once."""
    from walletdesk.audit.services import Actor
    from walletdesk.errors import DomainError
    from walletdesk.i18n import translate
    from walletdesk.identity.context import RequestContext
    from walletdesk.identity.staff import create_staff

    password = getpass.getpass("Password for the new staff member: ")
    runtime = _runtime()
    try:
        created = create_staff(
            runtime,
            login_text=login,
            password=password,
            display_name=name,
            roles=role,
            actor=Actor.system(),
            request=RequestContext(locale="en"),
        )
        runtime.dispatcher.deliver()
    except DomainError as exc:
        console.print(f"[red]{exc.code}:[/red] {translate(exc.message, 'en', **exc.params)}")
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
    console.print(f"created {created.user_id} with roles {', '.join(created.roles)}")
    console.print("Add this to the authenticator app now (it is not shown again):")
    console.print(f"  secret: {created.totp_secret}")
    console.print(f"  uri:    {created.otpauth_uri}")
    console.print("Recovery codes (store them offline):")
    for code in created.recovery_codes:
        console.print(f"  {code}")


@app.command("create-merchant")
def create_merchant_command(
    name: Annotated[str, typer.Option(help="Merchant name shown to payers")],
    webhook_url: Annotated[
        str | None, typer.Option(help="http(s) URL that receives signed webhooks")
    ] = None,
    currency: Annotated[str, typer.Option(help="Settlement currency")] = "CNY",
) -> None:
    """Create a merchant; prints its API key and webhook secret once (only hashes are kept)."""
    from walletdesk.errors import DomainError
    from walletdesk.i18n import translate
    from walletdesk.merchants.registry import create_merchant

    runtime = _runtime()
    try:
        created = create_merchant(runtime, name=name, webhook_url=webhook_url, currency=currency)
    except DomainError as exc:
        console.print(f"[red]{exc.code}:[/red] {translate(exc.message, 'en', **exc.params)}")
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
    console.print(f"created merchant {created.merchant.id} ({created.merchant.name})")
    console.print("Store these now; they are not shown again:")
    console.print(f"  API key:        {created.api_key}")
    console.print(f"  webhook secret: {created.webhook_secret}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole hash chain; names the first broken entry."""
    from walletdesk.audit.services import verify_database

    runtime = _runtime()
    try:
        result = verify_database(runtime.db)
    finally:
        runtime.close()
    if result.broken is None:
        console.print(f"audit log intact: {result.checked} entries verified")
        return
    console.print(
        f"[red]audit log BROKEN at entry {result.broken.seq}:[/red] {result.broken.reason} "
        f"({result.checked} entries read)"
    )
    raise typer.Exit(1)


def main() -> None:
    app()
