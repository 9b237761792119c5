"""Case actions under maker-checker from the console: propose one on a case (with a reason and
the linked transactions), freeze at once, and the approvals inbox where a second person
approves or rejects (never their own proposal: the service refuses it).
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.support import actions
from walletdesk.support.actions_model import ActionKind, ActionStatus
from walletdesk.support.actions_targets import ActionRequest
from walletdesk.web.console_case_pages import CASE_ID_MAX, case_url, failed_page, parse_version
from walletdesk.web.console_view import ConsoleAgent, actor_of, console_render, form_error
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import FLASHES, redirect
from walletdesk.web.forms import FormState, FormText, text

router = APIRouter(
    prefix="/console", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

PROPOSE_FIELDS: Final = (
    "kind",
    "target_id",
    "amount",
    "transaction_ids",
    "reason",
    "per_transaction",
    "per_day",
    "per_year",
    "days",
)
_SEPARATORS: Final = re.compile(r"[\s,，;；]+")
ACTION_ID_MAX: Final = 40

FLASHES["console_action_failed"] = (
    "warning",
    N_("The action was approved but could not be carried out. See the case history."),
)


def _limit(per_transaction: str, per_day: str, per_year: str) -> Limit:
    return Limit(
        Money.parse(per_transaction, "CNY", field="per_transaction").minor,
        Money.parse(per_day, "CNY", field="per_day").minor,
        Money.parse(per_year, "CNY", field="per_year").minor,
    )


def _days(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise ValidationFailed("invalid_days", N_("Enter a whole number of days."), field="days")
    return int(value.strip()[:4])


def action_request(kind: ActionKind, values: dict[str, str]) -> ActionRequest:
    """The proposal as the service takes it; amounts are read exactly (never through float)."""
    raising = kind is ActionKind.RAISE_LIMIT
    return ActionRequest(
        kind=kind,
        reason=values["reason"],
        transaction_ids=tuple(i for i in _SEPARATORS.split(values["transaction_ids"]) if i),
        target_id=values["target_id"].strip() or None,
        amount=Money.parse(values["amount"], "CNY")
        if kind is ActionKind.REFUND and values["amount"].strip()
        else None,
        limit=_limit(values["per_transaction"], values["per_day"], values["per_year"])
        if raising
        else None,
        days=_days(values["days"]) if raising else None,
    )


def _kind(value: str) -> ActionKind:
    try:
        return ActionKind(value)
    except ValueError:
        raise ValidationFailed(
            "invalid_action_kind", N_("Choose an action from the list."), field="kind"
        ) from None


def _done_flash(status: str) -> str:
    if status == ActionStatus.PENDING:
        return "console_proposed"
    if status == ActionStatus.EXECUTED:
        return "console_executed"
    return "console_action_failed"


@router.post("/cases/{case_id}/actions")
def propose(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    kind: FormText = "",
    target_id: FormText = "",
    amount: FormText = "",
    transaction_ids: FormText = "",
    reason: FormText = "",
    per_transaction: FormText = "",
    per_day: FormText = "",
    per_year: FormText = "",
    days: FormText = "",
    version: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {
        "kind": text(kind, 16),
        "target_id": text(target_id, 40),
        "amount": text(amount, 32),
        "transaction_ids": text(transaction_ids, 1000),
        "reason": text(reason, 500),
        "per_transaction": text(per_transaction, 32),
        "per_day": text(per_day, 32),
        "per_year": text(per_year, 32),
        "days": text(days, 8),
    }
    try:
        chosen = _kind(values["kind"])
        if chosen is ActionKind.FREEZE:
            raise ValidationFailed("invalid_action_kind", field="kind")  # the freeze form does it
        proposal = actions.propose(
            rt,
            actor_of(auth),
            case_id,
            action_request(chosen, values),
            expected_version=parse_version(version),
        )
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "action", values, PROPOSE_FIELDS)
    return redirect(request, case_url(case_id), flash=_done_flash(proposal.status))


@router.post("/cases/{case_id}/freeze")
def freeze(
    case_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    reason: FormText = "",
    version: FormText = "",
) -> Response:
    """Freezing is immediate: it needs a reason but no second person."""
    case_id = case_id[:CASE_ID_MAX]
    values = {"freeze_reason": text(reason, 500)}
    try:
        proposal = actions.propose(
            rt,
            actor_of(auth),
            case_id,
            ActionRequest(kind=ActionKind.FREEZE, reason=values["freeze_reason"]),
            expected_version=parse_version(version),
        )
    except DomainError as exc:
        return failed_page(
            request,
            rt,
            auth,
            case_id,
            exc,
            "freeze",
            values,
            ("freeze_reason",),
            {"reason": "freeze_reason"},
        )
    return redirect(request, case_url(case_id), flash=_done_flash(proposal.status))


def _approvals_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    *,
    failed: tuple[str, FormState] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    waiting = actions.approvals_inbox(rt, actor_of(auth), limit=actions.INBOX_MAX)
    return console_render(
        request,
        rt,
        auth,
        "console/approvals.html",
        {
            "waiting": waiting,
            "failed_id": failed[0] if failed else None,
            "failed_form": failed[1] if failed else FormState(),
            "money": lambda minor, currency: (
                Money(minor, currency).to_string() if minor is not None and currency else ""
            ),
            "section": "approvals",
            "page_path": "/console/approvals",
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/approvals")
def approvals(request: Request, auth: ConsoleAgent, rt: RuntimeDep) -> Response:
    return _approvals_page(request, rt, auth)


def _decided(
    request: Request, rt: Runtime, auth: Authenticated, action_id: str, exc: DomainError, note: str
) -> Response:
    form, status, headers = form_error(
        request, exc, fields=("note",), values={"note": note}, aliases={"reason": "note"}
    )
    return _approvals_page(
        request, rt, auth, failed=(action_id, form), status_code=status, headers=headers
    )


@router.post("/actions/{action_id}/approve")
def approve(
    action_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep, note: FormText = ""
) -> Response:
    action_id = action_id[:ACTION_ID_MAX]
    kept = text(note, 500)
    try:
        done = actions.approve(rt, actor_of(auth), action_id, note=kept or None)
    except DomainError as exc:
        return _decided(request, rt, auth, action_id, exc, kept)
    flash = "console_approved" if done.status == ActionStatus.EXECUTED else "console_action_failed"
    return redirect(request, "/console/approvals", flash=flash)


@router.post("/actions/{action_id}/reject")
def reject(
    action_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep, note: FormText = ""
) -> Response:
    action_id = action_id[:ACTION_ID_MAX]
    kept = text(note, 500)
    try:
        actions.reject(rt, actor_of(auth), action_id, reason=kept)
    except DomainError as exc:
        return _decided(request, rt, auth, action_id, exc, kept)
    return redirect(request, "/console/approvals", flash="console_rejected")
