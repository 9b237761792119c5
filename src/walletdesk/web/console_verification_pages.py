"""The verification-call workflow on a verification case: ask for the in-app check, schedule
a verified call (the page shows the code to read out, once), record the outcome.

The code is shown on the answer to the scheduling post only, never put in a URL or cookie;
the customer's app shows the same code and "Is this really walletdesk?" checks it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support import verification, verification_challenge
from walletdesk.support.verification_models import Outcome
from walletdesk.web.console_case_pages import CASE_ID_MAX, case_url, failed_page
from walletdesk.web.console_case_view import CasePageState, case_page
from walletdesk.web.console_view import ConsoleAgent, actor_of
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormText, text

router = APIRouter(
    prefix="/console/cases", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_ID_MAX = 40


def _minutes(value: str) -> int | None:
    cleaned = value.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or not 1 <= int(cleaned[:3]) <= 60:
        raise ValidationFailed(
            "invalid_call_window",
            N_("Call within 1 to 60 minutes."),
            field="minutes",
        )
    return int(cleaned)


@router.post("/{case_id}/verification/{verification_id}/challenge")
def request_challenge(
    case_id: str, verification_id: str, request: Request, auth: ConsoleAgent, rt: RuntimeDep
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    try:
        verification_challenge.request_challenge(rt, actor_of(auth), verification_id[:_ID_MAX])
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "challenge", {}, ())
    return redirect(request, case_url(case_id), flash="console_challenge")


@router.post("/{case_id}/verification/{verification_id}/call")
def schedule_call(
    case_id: str,
    verification_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    minutes: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"minutes": text(minutes, 4)}
    try:
        registered = verification.schedule_call(
            rt, actor_of(auth), verification_id[:_ID_MAX], minutes=_minutes(values["minutes"])
        )
    except DomainError as exc:
        return failed_page(request, rt, auth, case_id, exc, "call", values, ("minutes",))
    state = CasePageState(call_code=registered.code)
    return case_page(request, rt, auth, case_id, state)


@router.post("/{case_id}/verification/{verification_id}/outcome")
def record_outcome(
    case_id: str,
    verification_id: str,
    request: Request,
    auth: ConsoleAgent,
    rt: RuntimeDep,
    outcome: FormText = "",
    note: FormText = "",
) -> Response:
    case_id = case_id[:CASE_ID_MAX]
    values = {"outcome": text(outcome, 16), "outcome_note": text(note, 500)}
    try:
        try:
            chosen = Outcome(values["outcome"])
        except ValueError:
            raise ValidationFailed(
                "invalid_outcome", N_("Choose an outcome from the list."), field="outcome"
            ) from None
        verification.record_outcome(
            rt,
            actor_of(auth),
            verification_id[:_ID_MAX],
            chosen,
            note=values["outcome_note"] or None,
        )
    except DomainError as exc:
        return failed_page(
            request,
            rt,
            auth,
            case_id,
            exc,
            "outcome",
            values,
            ("outcome", "outcome_note"),
            {"note": "outcome_note"},
        )
    return redirect(request, case_url(case_id), flash="console_outcome")
