"""Everything the case page shows, gathered from the support services in one place, so that
every form on the page (reply, note, status, actions, verification, complaint) can re-render
it with its own failed form and what was typed kept.

`case_page` answers one request; the handlers pass the forms they have and any extra context
(the stale-reply events, a revealed field, a call code to read out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import Request, Response

from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.support import (
    actions,
    complaints_views,
    customer360,
    macros,
    routing_work,
    verification,
    viewers,
    views,
)
from walletdesk.support.actions_model import ActionKind
from walletdesk.support.complaints_model import CATEGORY_NAMES, ComplaintCategory
from walletdesk.support.history import CaseEvent
from walletdesk.support.models import CaseType, Priority
from walletdesk.support.statuses import Category
from walletdesk.support.verification_models import Outcome
from walletdesk.web.console_view import actor_of, console_render, sla_badges, staff_names
from walletdesk.web.forms import FormState
from walletdesk.web.wallet_view import KIND_NAMES
from walletdesk.web.wallet_view import STATUS_NAMES as TX_STATUS_NAMES

PROPOSABLE: Final = [
    ActionKind.REFUND.value,
    ActionKind.REVERSE.value,
    ActionKind.WAIVE_FEE.value,
    ActionKind.RELEASE_HOLD.value,
    ActionKind.UNFREEZE.value,
    ActionKind.UNLOCK.value,
    ActionKind.RAISE_LIMIT.value,
]
"""What the propose form offers; freezing has its own button (immediate, no approval)."""
REVEALABLE: Final = ("phone", "email", "real_name", "id_number")
CASE_STATUSES: Final = [c.value for c in Category if c is not Category.NEW]

FORMS: Final = (
    "reply",
    "note",
    "status",
    "priority",
    "reveal",
    "action",
    "freeze",
    "call",
    "outcome",
    "challenge",
    "category",
    "investigate",
    "result",
)


@dataclass
class CasePageState:
    """The forms of the case page (blank unless a handler passes one) and extra context."""

    forms: dict[str, FormState] = field(default_factory=dict)
    stale_events: list[CaseEvent] | None = None
    kb_hits: list[Any] = field(default_factory=list)
    revealed: dict[str, Any] = field(default_factory=dict)
    call_code: str | None = None
    expanded: Any = None

    def form(self, name: str) -> FormState:
        return self.forms.get(name) or FormState()


def _money(minor: int | None, currency: str | None) -> str:
    if minor is None or not currency:
        return ""
    return Money(minor, currency).to_string()


def _verification_of(rt: Runtime, auth: Authenticated, view: views.CaseView) -> Any:
    """The verification a verification case was opened for (its id is in the history)."""
    for event in view.history:
        if event.kind == "verification.opened" and event.after.get("verification_id"):
            return verification.verification_view(
                rt, actor_of(auth), str(event.after["verification_id"])
            )
    return None


def _complaint_of(rt: Runtime, auth: Authenticated, view: views.CaseView) -> Any:
    if view.case.type != CaseType.COMPLAINT:
        return None
    try:
        return complaints_views.staff_complaint(rt, actor_of(auth), view.case.id)
    except complaints_views.ComplaintNotFound:
        return None  # a complaint case not registered yet: the category form registers it


def _customer(rt: Runtime, auth: Authenticated, case_id: str, ip: str | None) -> Any:
    try:
        return customer360.customer_360(rt, auth, case_id, ip=ip)
    except DomainError:
        return None  # a visitor we only know by a channel: no wallet to show


def case_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    state: CasePageState | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    record_view: bool = False,
) -> Response:
    chosen = state or CasePageState()
    actor = actor_of(auth)
    view = views.case_view(rt, actor, case_id)
    now = rt.clock.now()
    watching = (
        viewers.record_view(rt, actor, case_id)
        if record_view
        else viewers.viewers(rt, actor, case_id)
    )
    ip = request.client.host if request.client else None
    channel_of = {c.id: c.channel for c in view.conversations}
    # Where a reply can go: the conversations people have (the assistant's are not an agent's
    # to answer), oldest first; the service's default, the latest, is preselected.
    reply_targets = [c for c in view.conversations if not c.bot_owned]
    context: dict[str, Any] = {
        "view": view,
        "case": view.case,
        "badges": sla_badges(view.targets, now),
        "messages": view.messages,
        "channel_of": channel_of,
        "reply_targets": reply_targets,
        "history": list(reversed(view.history)),
        "viewers": [v for v in watching if not v.me],
        "staff": staff_names(rt),
        "customer": _customer(rt, auth, case_id, ip),
        "actions": actions.case_actions(rt, actor, case_id),
        "verification": _verification_of(rt, auth, view)
        if view.case.type == CaseType.VERIFICATION
        else None,
        "complaint": _complaint_of(rt, auth, view),
        "offer_waiting": view.case.assignee_id == auth.user.id
        and routing_work.offer_waiting(rt, actor, case_id),
        "macros": macros.list_macros(rt),
        "state": chosen,
        "forms": {name: chosen.form(name) for name in FORMS},
        "statuses": CASE_STATUSES,
        "priorities": [p.value for p in Priority],
        "proposable": PROPOSABLE,
        "revealable": REVEALABLE,
        "outcomes": [o.value for o in Outcome],
        "complaint_categories": [c.value for c in ComplaintCategory],
        "complaint_category_names": {c.value: n for c, n in CATEGORY_NAMES.items()},
        "may_reveal": has_permission(auth.roles, Permission.CUSTOMER_REVEAL),
        "money": _money,
        "tx_kind": KIND_NAMES,
        "tx_status": TX_STATUS_NAMES,
        "now": now,
        "section": "case",
        "page_path": f"/console/cases/{case_id}",
    }
    return console_render(
        request,
        rt,
        auth,
        "console/case.html",
        context,
        status_code=status_code,
        headers=headers,
    )
