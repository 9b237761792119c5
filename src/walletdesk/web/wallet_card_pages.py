"""Bank cards: the list, binding (card details, then the code the bank texts to the card's
phone) and removing a card after a confirmation step.

The card number is never sent back to the browser, not even to correct a typo."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.banking import cards
from walletdesk.banking.models import Card, CardStatus
from walletdesk.errors import DomainError, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.authentication import Authenticated
from walletdesk.runtime import Runtime
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import FormState, FormText, text
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_view import blank_form, form_failure, wallet_render

router = APIRouter(
    prefix="/wallet/cards", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

_BIND_FIELDS: Final = ("card_number", "holder_name", "phone")
_CARD_ID_MAX: Final = 40


def _own_card(rt: Runtime, actor: Authenticated, card_id: str) -> Card:
    """One of the actor's cards, found through the card list (the service's door)."""
    for card in cards.list_cards(rt, actor):
        if card.id == card_id[:_CARD_ID_MAX]:
            return card
    raise NotFound("card_not_found", N_("We could not find this bank card."))


def _cards_page(
    request: Request, rt: Runtime, actor: Authenticated, form: FormState, status_code: int = 200
) -> Response:
    return wallet_render(
        request,
        "wallet/cards.html",
        {"cards": cards.list_cards(rt, actor), "form": form},
        status_code=status_code,
    )


@router.get("")
def cards_page(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    return _cards_page(request, rt, actor, blank_form())


@router.post("")
def start_binding(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    card_number: FormText = "",
    holder_name: FormText = "",
    phone: FormText = "",
) -> Response:
    kept = {"holder_name": text(holder_name, 64), "phone": text(phone, 32)}
    try:
        card, masked_phone = cards.bind_card(
            rt,
            actor,
            card_number=text(card_number, 40),
            holder_name=kept["holder_name"],
            phone=kept["phone"],
        )
    except DomainError as exc:
        return form_failure(
            request,
            exc,
            "wallet/cards.html",
            {"cards": cards.list_cards(rt, actor)},
            fields=_BIND_FIELDS,
            values=kept,
        )
    return wallet_render(
        request,
        "wallet/card_code.html",
        {"card": card, "sent_to": masked_phone, "form": blank_form()},
    )


@router.get("/{card_id}/verify")
def code_page(card_id: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    card = _own_card(rt, actor, card_id)
    if card.status != CardStatus.PENDING:
        return redirect(request, "/wallet/cards")
    return wallet_render(
        request,
        "wallet/card_code.html",
        {"card": card, "sent_to": None, "form": blank_form()},
    )


@router.post("/{card_id}/verify")
def verify(
    card_id: str, request: Request, actor: PageUser, rt: RuntimeDep, code: FormText = ""
) -> Response:
    try:
        cards.verify_card(rt, actor, card_id[:_CARD_ID_MAX], text(code, 12))
    except DomainError as exc:
        if exc.code == "card_not_found":
            raise
        return form_failure(
            request,
            exc,
            "wallet/card_code.html",
            {"card": _own_card(rt, actor, card_id), "sent_to": None},
            fields=("code",),
            values={},
        )
    return redirect(request, "/wallet/cards", flash="card_bound")


@router.get("/{card_id}/remove")
def confirm_removal(card_id: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    card = _own_card(rt, actor, card_id)
    return wallet_render(request, "wallet/card_remove.html", {"card": card})


@router.post("/{card_id}/remove")
def remove(card_id: str, request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    cards.unbind_card(rt, actor, card_id[:_CARD_ID_MAX])
    return redirect(request, "/wallet/cards", flash="card_removed")
