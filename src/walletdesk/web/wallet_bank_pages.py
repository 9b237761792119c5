"""Top-up (充值) from a bound card and withdrawal (提现) to a debit card.

Each is three steps: the form, a confirmation page (the withdrawal's shows the fee quote) that
carries the form key, and the operation's status page, which asks the bank while the operation
is processing and refreshes itself until the answer is in (`/status` is what its script polls).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from walletdesk.api.deps import RuntimeDep
from walletdesk.banking import cards, topups, withdrawals
from walletdesk.banking.bins import CardType
from walletdesk.banking.models import Card, CardStatus, OperationKind
from walletdesk.banking.operations import CARD_CURRENCY, view_of
from walletdesk.banking.reasons import explain
from walletdesk.banking.settlement import OperationView
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_once import new_form_key, run_once
from walletdesk.web.wallet_view import blank_form, form_failure, wallet_render

router = APIRouter(
    prefix="/wallet", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_FIELDS: Final = ("card_id", "amount")
_KINDS: Final = {"topups": OperationKind.TOPUP, "withdrawals": OperationKind.WITHDRAWAL}


def _usable_cards(rt: Runtime, actor: Authenticated, *, debit_only: bool) -> list[Card]:
    return [
        card
        for card in cards.list_cards(rt, actor)
        if card.status == CardStatus.ACTIVE and (not debit_only or card.card_type == CardType.DEBIT)
    ]


def _chosen(choices: list[Card], card_id: str) -> Card:
    for card in choices:
        if card.id == card_id:
            return card
    raise ValidationFailed("card_required", N_("Choose one of your bank cards."), field="card_id")


def _values(card_id: str, amount: str) -> dict[str, str]:
    return {"card_id": text(card_id, 40), "amount": text(amount, 32).strip()}


# Top-up ------------------------------------------------------------------------------------


def _topup_form(
    request: Request, rt: Runtime, actor: Authenticated, form: FormState, exc: DomainError | None
) -> Response:
    context = {"cards": _usable_cards(rt, actor, debit_only=False)}
    if exc is None:
        return wallet_render(request, "wallet/topup.html", {**context, "form": form})
    return form_failure(
        request, exc, "wallet/topup.html", context, fields=_FIELDS, values=form.values
    )


@router.get("/topup")
def topup_page(
    request: Request, actor: PageUser, rt: RuntimeDep, card_id: str = "", amount: str = ""
) -> Response:
    """The form; "change" on the confirmation page comes back here with what was typed."""
    return _topup_form(request, rt, actor, blank_form(_values(card_id, amount)), None)


@router.post("/topup/review")
def review_topup(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    card_id: FormText = "",
    amount: FormText = "",
) -> Response:
    values = _values(card_id, amount)
    try:
        card = _chosen(_usable_cards(rt, actor, debit_only=False), values["card_id"])
        money = Money.parse(values["amount"], CARD_CURRENCY)
    except DomainError as exc:
        return _topup_form(request, rt, actor, blank_form(values), exc)
    return wallet_render(
        request,
        "wallet/topup_review.html",
        {"card": card, "amount": money, "values": values, "form_key": new_form_key(rt)},
    )


@router.post("/topup/confirm")
def confirm_topup(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    card_id: FormText = "",
    amount: FormText = "",
    form_key: FormText = "",
) -> Response:
    values = _values(card_id, amount)
    try:
        money = Money.parse(values["amount"], CARD_CURRENCY)
        url = run_once(
            rt,
            request,
            actor,
            key=form_key,
            values=values,
            locale=page_locale(request),
            operation=lambda record: topups.top_up(
                rt, actor, card_id=values["card_id"], amount=money, key=form_key, record=record
            ),
            result_url=lambda view: f"/wallet/topups/{view.operation.id}",
        )
    except DomainError as exc:
        return _topup_form(request, rt, actor, blank_form(values), exc)
    return redirect(request, url)


# Withdrawal --------------------------------------------------------------------------------


def _withdraw_form(
    request: Request, rt: Runtime, actor: Authenticated, form: FormState, exc: DomainError | None
) -> Response:
    context = {
        "cards": _usable_cards(rt, actor, debit_only=True),
        "other_cards": bool(_usable_cards(rt, actor, debit_only=False)),
    }
    if exc is None:
        return wallet_render(request, "wallet/withdraw.html", {**context, "form": form})
    return form_failure(
        request, exc, "wallet/withdraw.html", context, fields=_FIELDS, values=form.values
    )


@router.get("/withdraw")
def withdraw_page(
    request: Request, actor: PageUser, rt: RuntimeDep, card_id: str = "", amount: str = ""
) -> Response:
    return _withdraw_form(request, rt, actor, blank_form(_values(card_id, amount)), None)


@router.post("/withdraw/review")
def review_withdrawal(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    card_id: FormText = "",
    amount: FormText = "",
) -> Response:
    values = _values(card_id, amount)
    try:
        card = _chosen(_usable_cards(rt, actor, debit_only=True), values["card_id"])
        quote = withdrawals.quote_withdrawal(
            rt,
            actor,
            card_id=card.id,
            amount=Money.parse(values["amount"], CARD_CURRENCY),
        )
    except DomainError as exc:
        return _withdraw_form(request, rt, actor, blank_form(values), exc)
    return wallet_render(
        request,
        "wallet/withdraw_review.html",
        {
            "card": card,
            "quote": quote,
            "values": {**values, "expected_fee": str(quote.fee.minor)},
            "form_key": new_form_key(rt),
        },
    )


def _expected_fee(raw: str) -> Money:
    """The fee the confirmation page showed, in fen (a hidden field)."""
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 15:
        raise ValidationFailed(
            "form_expired",
            N_("This form has expired. Please start again; nothing was charged."),
        )
    return Money(int(value), CARD_CURRENCY)


@router.post("/withdraw/confirm")
def confirm_withdrawal(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    card_id: FormText = "",
    amount: FormText = "",
    expected_fee: FormText = "",
    form_key: FormText = "",
) -> Response:
    values = {**_values(card_id, amount), "expected_fee": text(expected_fee, 16)}
    locale = page_locale(request)
    try:
        money = Money.parse(values["amount"], CARD_CURRENCY)
        fee = _expected_fee(values["expected_fee"])
        url = run_once(
            rt,
            request,
            actor,
            key=form_key,
            values=values,
            locale=locale,
            operation=lambda record: withdrawals.withdraw(
                rt,
                actor,
                card_id=values["card_id"],
                amount=money,
                expected_fee=fee,
                key=form_key,
                locale=locale,
                record=record,
            ),
            result_url=lambda view: f"/wallet/withdrawals/{view.operation.id}",
        )
    except DomainError as exc:
        return _withdraw_form(request, rt, actor, blank_form(values), exc)
    return redirect(request, url)


# Status pages ------------------------------------------------------------------------------


def _operation(rt: Runtime, actor: Authenticated, kind: str, operation_id: str) -> OperationView:
    return view_of(rt, actor, operation_id[:40], _KINDS[kind])


@router.get("/topups/{operation_id}")
def topup_status_page(
    operation_id: str, request: Request, actor: PageUser, rt: RuntimeDep
) -> Response:
    return _status_page(request, _operation(rt, actor, "topups", operation_id), "topups")


@router.get("/withdrawals/{operation_id}")
def withdrawal_status_page(
    operation_id: str, request: Request, actor: PageUser, rt: RuntimeDep
) -> Response:
    return _status_page(request, _operation(rt, actor, "withdrawals", operation_id), "withdrawals")


def _status_page(request: Request, view: OperationView, kind: str) -> Response:
    operation = view.operation
    reason = explain(operation.reason_code, page_locale(request)) if operation.reason_code else None
    return wallet_render(
        request,
        "wallet/operation.html",
        {
            "operation": operation,
            "card": view.card,
            "reason": reason,
            "poll_url": f"/wallet/{kind}/{operation.id}/status" if operation.is_open else None,
        },
    )


@router.get("/topups/{operation_id}/status")
def topup_status(operation_id: str, actor: PageUser, rt: RuntimeDep) -> JSONResponse:
    """What the status page polls: the top-up's status, after asking the bank."""
    return _status_json(_operation(rt, actor, "topups", operation_id))


@router.get("/withdrawals/{operation_id}/status")
def withdrawal_status(operation_id: str, actor: PageUser, rt: RuntimeDep) -> JSONResponse:
    return _status_json(_operation(rt, actor, "withdrawals", operation_id))


def _status_json(view: OperationView) -> JSONResponse:
    return JSONResponse({"status": view.operation.status}, headers={"Cache-Control": "no-store"})
