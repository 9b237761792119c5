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


Act = Callable[[Runtime, Authenticated, str, dict[str, str]], ActionResult]


def _act(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    form: str,
    values: dict[str, str],
    act: Act,
    flashes: tuple[str, str],
) -> Response:
    """Run one action; on refusal show the case page again with the form's message and what
    was typed. `flashes` are the notices when it is done and when it waits for a second."""
    case_id = case_id[:CASE_ID_MAX]
    try:
        result = act(rt, auth, case_id, values)
    except DomainError as exc:
        state, status, headers = form_error(request, exc, fields=tuple(values), values=values)
        return case_page(
            request, rt, auth, case_id, {form: state}, status_code=status, headers=headers
        )
    return redirect(request, case_url(case_id), flash=flashes[0] if result.done else flashes[1])


def _closing(comment: str, label: str) -> dict[str, str]:
    return {"comment": text(comment, COMMENT_MAX), "label": text(label, LABEL_MAX)}


@router.post("/cases/{case_id}/approve")
def approve(
    case_id: str,
    request: Request,
    auth: RiskReviewer,
    rt: RuntimeDep,
    comment: FormText = "",
    label: FormText = "",
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "approve",
        _closing(comment, label),
        lambda rt, auth, case_id, v: review_actions.approve_case(
            rt, auth, case_id, comment=v["comment"], label=v["label"]
        ),
        ("risk_approved", "risk_first_approval"),
    )


@router.post("/cases/{case_id}/decline")
def decline(
    case_id: str,
    request: Request,
    auth: RiskReviewer,
    rt: RuntimeDep,
    comment: FormText = "",
    label: FormText = "",
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "decline",
        _closing(comment, label),
        lambda rt, auth, case_id, v: review_actions.decline_case(
            rt, auth, case_id, comment=v["comment"], label=v["label"]
        ),
        ("risk_declined", "risk_declined"),
    )


@router.post("/cases/{case_id}/freeze")
def freeze(
    case_id: str,
    request: Request,
    auth: RiskReviewer,
    rt: RuntimeDep,
    comment: FormText = "",
    label: FormText = "",
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "freeze",
        _closing(comment, label),
        lambda rt, auth, case_id, v: review_actions.decline_case(
            rt, auth, case_id, comment=v["comment"], label=v["label"], freeze=True
        ),
        ("risk_frozen", "risk_frozen"),
    )


@router.post("/cases/{case_id}/escalate")
def escalate(
    case_id: str, request: Request, auth: RiskReviewer, rt: RuntimeDep, comment: FormText = ""
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "escalate",
        {"comment": text(comment, COMMENT_MAX)},
        lambda rt, auth, case_id, v: review_actions.escalate_case(
            rt, auth, case_id, comment=v["comment"]
        ),
        ("risk_escalated", "risk_escalated"),
    )


@router.post("/cases/{case_id}/ask")
def ask_customer(
    case_id: str, request: Request, auth: RiskReviewer, rt: RuntimeDep, comment: FormText = ""
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "ask",
        {"comment": text(comment, COMMENT_MAX)},
        lambda rt, auth, case_id, v: review_actions.ask_customer(
            rt, auth, case_id, comment=v["comment"]
        ),
        ("risk_asked", "risk_asked"),
    )


@router.post("/cases/{case_id}/unfreeze")
def unfreeze(
    case_id: str, request: Request, auth: RiskReviewer, rt: RuntimeDep, comment: FormText = ""
) -> Response:
    return _act(
        request,
        rt,
        auth,
        case_id,
        "unfreeze",
        {"comment": text(comment, COMMENT_MAX)},
        lambda rt, auth, case_id, v: review_actions.unfreeze_customer(
            rt, auth, case_id, comment=v["comment"]
        ),
        ("risk_unfrozen", "risk_first_unfreeze"),
    )
