"""`walletdesk bank ...`: operator commands for the bank gateway."""

from __future__ import annotations

import typer
from rich.console import Console

bank_app = typer.Typer(
    help="Bank gateway: reconciliation of open operations.", no_args_is_help=True
)
console = Console()


@bank_app.command("reconcile")
def reconcile(limit: int = typer.Option(200, help="At most this many operations")) -> None:
    """Ask the banks about top-ups and withdrawals stuck in processing and settle them."""
    from walletdesk.banking.settlement import reconcile_pending
    from walletdesk.cli import _runtime

    runtime = _runtime()
    try:
        counts = reconcile_pending(runtime, limit=limit)
        runtime.dispatcher.deliver()
    finally:
        runtime.close()
    console.print(
        f"settled {counts['succeeded']} succeeded, {counts['failed']} failed; "
        f"{counts['processing']} still processing"
    )
