"""The supervisor dashboard (/console/dashboard): live queues, SLA attainment, response and
resolution times, CSAT, bot containment per intent, volume by channel and verification
outcomes for a chosen period, as SVG charts with their tables; each table exports as CSV.

Only people who supervise cases (supervisors, admins: `cases.supervise`) may open it; anyone
else signed in gets 403. The page polls `/console/dashboard/queues.json` (dashboard.js) for
the live queue sizes; without script, the page still shows them as of its loading.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, Forbidden, NotFound
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.dashboard_live import live_queues
from walletdesk.web.dashboard_period import CUSTOM, PRESETS, Period, check_period
from walletdesk.web.dashboard_tables import Table
from walletdesk.web.dashboard_view import TABLE_KEYS, dashboard_panels
from walletdesk.web.forms import text
from walletdesk.web.rendering import BEIJING, page_locale, render
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/console/dashboard", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

BOM: Final = "\ufeff"
"""Excel reads a CSV as UTF-8 (and shows Chinese correctly) only when it starts with this."""
REFRESH_SECONDS: Final = 30
PRESET_NAMES: Final = {
    "today": N_("Today"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    CUSTOM: N_("Choose dates"),
}


def dashboard_supervisor(user: PageUser) -> Authenticated:
    """The signed-in person, if they supervise cases; everyone else is refused (403)."""
    if not has_permission(user.roles, Permission.CASES_SUPERVISE):
        raise Forbidden(
            "dashboard_forbidden",
            N_("The dashboard is for support supervisors and administrators."),
        )
    return user


Supervisor = Annotated[Authenticated, Depends(dashboard_supervisor)]


def _period_args(period: str, start: str | None, end: str | None) -> tuple[str, str, str]:
    return text(period or "today", 16), text(start, 16), text(end, 16)


@router.get("")
def dashboard(
    request: Request,
    auth: Supervisor,
    rt: RuntimeDep,
    period: str = "today",
) -> Response:
    # `from` and `to` are Python keywords: read them from the query string itself.
    locale = page_locale(request)
    preset, first, last = _period_args(
        period, request.query_params.get("from"), request.query_params.get("to")
    )
    errors: dict[str, str] = {}
    chosen: Period | None = None
    try:
        chosen = check_period(preset, first, last, rt.clock.now())
    except DomainError as exc:
        errors[exc.field or "period"] = translate(exc.message, locale, **exc.params)
    panels = dashboard_panels(rt, chosen, locale) if chosen else {}
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "period": chosen,
            "form": {"period": preset, "from": first, "to": last},
            "errors": errors,
            "presets": [(key, PRESET_NAMES[key]) for key in (*PRESETS, CUSTOM)],
            "panels": panels,
            "refresh_seconds": REFRESH_SECONDS,
            "as_of": rt.clock.now(),
        },
        status_code=422 if errors else 200,
    )


@router.get("/queues.json")
def queues_now(request: Request, auth: Supervisor, rt: RuntimeDep) -> JSONResponse:
    """The live queue board the page polls: sizes and the longest wait in minutes."""
    locale = page_locale(request)
    now = rt.clock.now()
    status = translate(
        N_("Updated at {time}; refreshes every {seconds} seconds."),
        locale,
        time=now.astimezone(BEIJING).strftime("%H:%M:%S"),
        seconds=REFRESH_SECONDS,
    )
    return JSONResponse(
        {
            "at": now.isoformat(),
            "status": status,
            "queues": [asdict(q) for q in live_queues(rt, locale)],
        },
        headers={"Cache-Control": "no-store"},
    )


FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet: a queue named
"=HYPERLINK(...)" must stay text (OWASP "CSV injection")."""


def spreadsheet_text(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, one line at a time, the first carrying the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, row in enumerate([table.columns, *table.rows]):
        writer.writerow([spreadsheet_text(cell) for cell in row])
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield BOM + line if index == 0 else line


@router.get("/export/{key}.csv")
def export_table(
    request: Request,
    auth: Supervisor,
    rt: RuntimeDep,
    key: str,
    period: str = "today",
) -> StreamingResponse:
    if key not in TABLE_KEYS:
        raise NotFound("dashboard_table_not_found", N_("There is no such table to export."))
    preset, first, last = _period_args(
        period, request.query_params.get("from"), request.query_params.get("to")
    )
    chosen = check_period(preset, first, last, rt.clock.now())
    table = dashboard_panels(rt, chosen, page_locale(request), (key,))[key].table
    name = f"walletdesk-{key}-{chosen.first_day.isoformat()}-{chosen.last_day.isoformat()}.csv"
    return StreamingResponse(
        csv_lines(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
