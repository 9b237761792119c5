"""Transfers (转账): who and how much, then the recipient's masked name ("*明") to check
before confirming, then the transfer itself. A transfer the risk engine holds for review
(审核中) gets its own page, where the payer can follow it and cancel it."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, NotFound
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger import transfers, wallets
from walletdesk.ledger.money import DEFAULT_CURRENCY, Money
from walletdesk.risk import held_transfers
from walletdesk.risk.review_models import HeldStatus, HeldTransfer
from walletdesk.runtime import Runtime
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, failure_status, text
from walletdesk.web.rendering import page_locale
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_once import new_form_key, run_once
from walletdesk.web.wallet_view import blank_form, form_failure, wallet_render

router = APIRouter(
    prefix="/wallet/transfer", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_FIELDS: Final = ("to", "amount", "currency", "note")
UNDER_REVIEW: Final = HeldStatus.UNDER_REVIEW.value


def _values(to: str, amount: str, currency: str, note: str) -> dict[str, str]:
    return {
        "to": text(to, 254).strip(),
        "amount": text(amount, 32).strip(),
        "currency": text(currency, 3).strip().upper() or DEFAULT_CURRENCY,
        "note": text(note, transfers.NOTE_MAX * 2).strip(),
    }


def _form(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    form: FormState,
    exc: DomainError | None = None,
) -> Response:
    currencies = [b.currency for b in wallets.balances(rt, actor)]
    context = {
        "currencies": currencies,
        "currency_options": [(code, code) for code in currencies],
        "note_max": transfers.NOTE_MAX,
    }
    if exc is None:
        return wallet_render(request, "wallet/transfer.html", {**context, "form": form})
    return form_failure(
        request,
        exc,
        "wallet/transfer.html",
        context,
        fields=_FIELDS,
        values=form.values,
        aliases={"recipient_not_found": "to", "transfer_to_self": "to"},
    )


@router.get("")
def transfer_page(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    to: str = "",
    amount: str = "",
    currency: str = "",
    note: str = "",
) -> Response:
    """The form; "change" on the confirmation page comes back here with what was typed."""
    return _form(request, rt, actor, blank_form(_values(to, amount, currency, note)))


@router.post("/edit")
def edit_transfer(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    to: FormText = "",
    amount: FormText = "",
    currency: FormText = "",
    note: FormText = "",
) -> Response:
    """ "Change the details" on the confirmation page: the form again with what was typed,
    posted rather than linked so the recipient never appears in a URL."""
    return _form(request, rt, actor, blank_form(_values(to, amount, currency, note)))


@router.post("/review")
def review_transfer(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    to: FormText = "",
    amount: FormText = "",
    currency: FormText = "",
    note: FormText = "",
) -> Response:
    values = _values(to, amount, currency, note)
    try:
        money = Money.parse(values["amount"], values["currency"])
        recipient = transfers.preview_recipient(rt, actor, values["to"])
    except DomainError as exc:
        return _form(request, rt, actor, blank_form(values), exc)
    return wallet_render(
        request,
        "wallet/transfer_review.html",
        {
            "recipient": recipient,
            "amount": money,
            "values": values,
            "form_key": new_form_key(rt),
        },
    )


@router.post("/confirm")
def confirm_transfer(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    to: FormText = "",
    amount: FormText = "",
    currency: FormText = "",
    note: FormText = "",
    form_key: FormText = "",
) -> Response:
    values = _values(to, amount, currency, note)
    locale = page_locale(request)
    try:
        money = Money.parse(values["amount"], values["currency"])
        url = run_once(
            rt,
            request,
            actor,
            key=form_key,
            values=values,
            locale=locale,
            operation=lambda record: transfers.transfer(
                rt,
                actor,
                to=values["to"],
                amount=money,
                note=values["note"] or None,
                locale=locale,
                record=record,
            ),
            result_url=_result_url,
        )
    except DomainError as exc:
        return _form(request, rt, actor, blank_form(values), exc)
    held = url.startswith(f"{router.prefix}/held/")
    return redirect(request, url, flash="transfer_held" if held else "transfer_sent")


def _result_url(result: transfers.TransferResult) -> str:
    if result.status == UNDER_REVIEW:
        return f"{router.prefix}/held/{result.id}"
    return f"/wallet/transactions/{result.id}"


def _held(rt: Runtime, actor: Authenticated, held_id: str) -> HeldTransfer:
    """One of the actor's transfers under review (or reviewed); anyone else's looks missing."""
    for held in held_transfers.held_transfers_of(rt, actor, pending_only=False):
        if held.id == held_id[:40]:
            return held
    raise NotFound("held_transfer_not_found", N_("We could not find this transfer."))


def _held_page(
    request: Request,
    rt: Runtime,
    actor: Authenticated,
    held: HeldTransfer,
    exc: DomainError | None = None,
) -> Response:
    form = blank_form()
    if exc is not None:
        form.general = translate(exc.message, page_locale(request), **exc.params)
    return wallet_render(
        request,
        "wallet/transfer_held.html",
        {
            "held": held,
            "amount": Money(held.amount_minor, held.currency),
            "recipient": transfers.preview_recipient(rt, actor, held.recipient_wallet),
            "form": form,
        },
        status_code=failure_status(exc) if exc is not None else 200,
    )


@router.get("/held/{held_id}")
def held_page(held_id: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    return _held_page(request, rt, actor, _held(rt, actor, held_id))


@router.post("/held/{held_id}/cancel")
def cancel_held(held_id: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    """Withdraw a transfer under review: the reserved money is available again. Sending the
    form again finds it cancelled and says so."""
    held = _held(rt, actor, held_id)
    try:
        held_transfers.cancel_held(rt, actor, held.id)
    except DomainError as exc:
        return _held_page(request, rt, actor, _held(rt, actor, held_id), exc)
    return redirect(request, f"{router.prefix}/held/{held.id}", flash="transfer_cancelled")
