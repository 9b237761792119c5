"""The console's inbox: cases by queue with SLA badges, filters and search; and the agent's
presence switch (online / away / offline).

Filters are query parameters, so a filtered inbox is a link an agent can keep. A value the
inbox does not know is refused with 400 and the reason, never ignored silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.api.support_staff import decode_cursor, encode_cursor
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.support import realtime_presence, routing_admin, views
from walletdesk.support.models import CaseType, Channel, Priority
from walletdesk.support.queries import CaseFilter
from walletdesk.support.routing_model import AgentStatus
from walletdesk.support.statuses import Category
from walletdesk.web.console_view import (
    ConsoleAgent,
    actor_of,
    console_render,
    sla_badges,
    staff_names,
)
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text
from walletdesk.web.rendering import page_locale

router = APIRouter(
    prefix="/console", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

PAGE_SIZE: Final = 25
ACTIVE: Final = [
    Category.NEW.value,
    Category.OPEN.value,
    Category.PENDING_CUSTOMER.value,
    Category.PENDING_INTERNAL.value,
    Category.ON_HOLD.value,
]
"""What "active" (the default status filter) shows: everything not solved or closed."""
SEARCH_MAX: Final = 100
FILTER_NAMES: Final = ("status", "priority", "type", "channel", "assignee", "queue", "q")


@dataclass(frozen=True)
class InboxFilters:
    status: str = "active"
    priority: str = ""
    type: str = ""
    channel: str = ""
    assignee: str = ""
    queue: str = ""
    q: str = ""

    def query(self, **changes: str) -> str:
        values = {name: getattr(self, name) for name in FILTER_NAMES} | changes
        return urlencode({k: v for k, v in values.items() if v})


def _bad_filter(name: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_filter",
        N_("This filter value is not one the inbox knows. Choose one from the list."),
        field=name,
    )


def _choice(name: str, value: str, allowed: list[str]) -> str:
    if value and value not in allowed:
        raise _bad_filter(name)
    return value


def _case_filter(
    filters: InboxFilters, agent_id: str, queue_ids: list[str], cursor: str | None
) -> CaseFilter:
    statuses = [*ACTIVE, Category.SOLVED.value, Category.CLOSED.value]
    _choice("status", filters.status, ["active", "all", *statuses])
    _choice("priority", filters.priority, [p.value for p in Priority])
    _choice("type", filters.type, [t.value for t in CaseType])
    _choice("channel", filters.channel, [c.value for c in Channel])
    _choice("assignee", filters.assignee, ["me", "none"])
    _choice("queue", filters.queue, queue_ids)
    if filters.status == "active":
        categories = ACTIVE
    elif filters.status == "all":
        categories = []
    else:
        categories = [filters.status]
    return CaseFilter(
        categories=categories,
        assignee_id=agent_id if filters.assignee == "me" else None,
        unassigned=filters.assignee == "none",
        types=[filters.type] if filters.type else [],
        priorities=[filters.priority] if filters.priority else [],
        channels=[filters.channel] if filters.channel else [],
        queue_id=filters.queue or None,
        search=filters.q.strip() or None,
        before=decode_cursor(cursor) if cursor else None,
    )


@router.get("")
def inbox(
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    status: str = "active",
    priority: str = "",
    type: str = "",  # noqa: A002 - the filter's name in the URL
    channel: str = "",
    assignee: str = "",
    queue: str = "",
    q: str = "",
    cursor: str | None = None,
) -> Response:
    filters = InboxFilters(
        status=text(status, 32),
        priority=text(priority, 16),
        type=text(type, 16),
        channel=text(channel, 16),
        assignee=text(assignee, 8),
        queue=text(queue, 32),
        q=text(q, SEARCH_MAX),
    )
    queues = routing_admin.queue_board(rt)
    error: str | None = None
    try:
        case_filter = _case_filter(
            filters, auth.user.id, [s.queue.id for s in queues], text(cursor, 200) or None
        )
        page = views.staff_cases(rt, actor_of(auth), case_filter, limit=PAGE_SIZE)
    except DomainError as exc:
        error = translate(exc.message, page_locale(request), **exc.params)
        page = views.CasePage([], None)
    now = rt.clock.now()
    rows = [(item, sla_badges(item.targets, now)) for item in page.items]
    next_link = None
    if page.next_before is not None:
        next_link = f"/console?{filters.query(cursor=encode_cursor(page.next_before))}"
    return console_render(
        request,
        rt,
        auth,
        "console/inbox.html",
        {
            "filters": filters,
            "queues": queues,
            "rows": rows,
            "error": error,
            "next_link": next_link,
            "staff": staff_names(rt),
            "statuses": ["active", "all", *ACTIVE, Category.SOLVED.value, Category.CLOSED.value],
            "priorities": [p.value for p in Priority],
            "types": [t.value for t in CaseType],
            "channels": [c.value for c in Channel],
            "section": "inbox",
        },
        status_code=400 if error else 200,
    )


@router.post("/presence")
def set_presence(
    request: Request, auth: ConsoleAgent, rt: RuntimeDep, status: FormText = "", back: FormText = ""
) -> Response:
    try:
        chosen = AgentStatus(text(status, 16))
    except ValueError:
        raise ValidationFailed(
            "invalid_presence",
            N_("Choose online, away or offline."),
            field="status",
        ) from None
    hub = request.app.state.chat_hub
    realtime_presence.set_agent_status(rt, actor_of(auth), chosen, hub.publish)
    target = back if back.startswith("/console") and "//" not in back else "/console"
    return redirect(request, target[:300], flash="console_presence")
