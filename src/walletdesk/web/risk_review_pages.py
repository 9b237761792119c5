"""The risk review pages (/console/risk) for reviewers and supervisors (`risk.review`): the
queue with "next case", a case page with what a decision needs, its actions (approve,
decline, freeze, escalate, ask the customer, unfreeze), each with a mandatory comment, and
the inbox of cases waiting for a second reviewer.

Every handler calls one service of `risk.review*`; the comment, the closing label,
four-eyes and "never your own account" are the services' rules. A refused action comes back
on the case page with the message beside its field and what was typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.identity.authentication import Authenticated
from walletdesk.risk import review, review_actions, review_rows
from walletdesk.risk.review_actions import ActionResult
from walletdesk.risk.review_rules import COMMENT_MAX
from walletdesk.runtime import Runtime
from walletdesk.web.console_view import form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text
from walletdesk.web.risk_review_view import (
    QUEUE_URL,
    SECOND_URL,
    RiskReviewer,
    case_page,
    case_url,
    risk_render,
)

router = APIRouter(
    prefix="/console/risk", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

CASE_ID_MAX: Final = 40
LABEL_MAX: Final = 32


@router.get("")
def queue(request: Request, auth: RiskReviewer, rt: RuntimeDep) -> Response:
    return risk_render(
        request,
        rt,
        auth,
        "console/risk/queue.html",
        {"rows": review_rows.queue_rows(rt, auth), "page_path": QUEUE_URL},
    )


@router.post("/next")
def take_next(request: Request, auth: RiskReviewer, rt: RuntimeDep) -> Response:
    """Take the oldest unassigned case (locked to this reviewer) and open it."""
    case = review.next_case(rt, auth)
    if case is None:
        return redirect(request, QUEUE_URL, flash="risk_queue_empty")
    return redirect(request, case_url(case.id), flash="risk_taken")


@router.get("/second")
def second_inbox(request: Request, auth: RiskReviewer, rt: RuntimeDep) -> Response:
    return risk_render(
        request,
        rt,
        auth,
        "console/risk/second.html",
        {
            "rows": review_rows.second_rows(rt, auth),
            "section": "risk_second",
            "page_path": SECOND_URL,
        },
    )


@router.get("/cases/{case_id}")
def case_detail(case_id: str, request: Request, auth: RiskReviewer, rt: RuntimeDep) -> Response:
    return case_page(request, rt, auth, case_id[:CASE_ID_MAX])


Act = Callable[..., ActionResult]
"""A `review_actions` service: `(rt, reviewer, case_id, *, comment[, label])`."""


@dataclass(frozen=True, slots=True)
class CaseAction:
    """One action form on the case page and the service it calls. `labelled` actions close
    the case and so take a closing label too; `flashes` are the notices when it is done and
    when it waits for a second reviewer."""

    name: str
    act: Act
    flashes: tuple[str, str]
    labelled: bool = False


ACTIONS: Final = (
    CaseAction(
        "approve", review_actions.approve_case, ("risk_approved", "risk_first_approval"), True
    ),
    CaseAction("decline", review_actions.decline_case, ("risk_declined", "risk_declined"), True),
    CaseAction(
        "freeze",
        partial(review_actions.decline_case, freeze=True),
        ("risk_frozen", "risk_frozen"),
        True,
    ),
    CaseAction("escalate", review_actions.escalate_case, ("risk_escalated", "risk_escalated")),
    CaseAction("ask", review_actions.ask_customer, ("risk_asked", "risk_asked")),
    CaseAction(
        "unfreeze", review_actions.unfreeze_customer, ("risk_unfrozen", "risk_first_unfreeze")
    ),
)


def _act(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    action: CaseAction,
    values: dict[str, str],
) -> Response:
    """Run one action; on refusal show the case page again with the form's message and what
    was typed."""
    case_id = case_id[:CASE_ID_MAX]
    try:
        result = action.act(rt, auth, case_id, **values)
    except DomainError as exc:
        state, status, headers = form_error(request, exc, fields=tuple(values), values=values)
        return case_page(
            request, rt, auth, case_id, {action.name: state}, status_code=status, headers=headers
        )
    flash = action.flashes[0] if result.done else action.flashes[1]
    return redirect(request, case_url(case_id), flash=flash)


def _route(action: CaseAction) -> None:
    """POST /cases/{case_id}/<name>: the comment (and the label for closing actions) from
    the form; a label sent to an action that takes none is ignored."""

    def handle(
        case_id: str,
        request: Request,
        auth: RiskReviewer,
        rt: RuntimeDep,
        comment: FormText = "",
        label: FormText = "",
    ) -> Response:
        values = {"comment": text(comment, COMMENT_MAX)}
        if action.labelled:
            values["label"] = text(label, LABEL_MAX)
        return _act(request, rt, auth, case_id, action, values)

    handle.__name__ = action.name
    router.post(f"/cases/{{case_id}}/{action.name}")(handle)


for _action in ACTIONS:
    _route(_action)
