"""Binding bank cards (绑卡): Luhn and BIN checks here, then the bank checks the holder and texts a
code to the card's reserved phone; the code confirms the binding and the bank returns a token.

We keep only the token, the bank, the card type and the last four digits. The full number,
the holder's name and the phone go to the bank and are not stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.bins import lookup_bin, luhn_ok
from walletdesk.banking.models import Card, CardStatus
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.contacts import normalise_phone
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

MAX_CARDS = 10
HOLDER_MAX = 40

_CONFIRM_ERRORS = {
    "invalid_code": N_("The code is not right. Check the text from your bank and try again."),
    "code_expired": N_("The code has expired. Add the card again to get a new one."),
    "too_many_attempts": N_("Too many wrong codes. Add the card again to get a new code."),
}


def access_card_for(
    uow: UnitOfWork, actor: Authenticated, card_id: str, *, for_update: bool = False
) -> Card:
    """The actor's own, not removed card; anyone else's looks missing."""
    card = records.cards(uow).get(card_id, for_update=for_update)
    if card is None or card.user_id != actor.user.id or card.status == CardStatus.REMOVED:
        raise NotFound("card_not_found", N_("We could not find this bank card."))
    return card


def check_card_number(raw: str) -> str:
    number = "".join(raw.split()).replace("-", "")
    if not (number.isascii() and number.isdigit() and 16 <= len(number) <= 19):
        raise ValidationFailed(
            "invalid_card_number",
            N_("Enter the 16 to 19 digits of your bank card number."),
            field="card_number",
        )
    if not luhn_ok(number):
        raise ValidationFailed(
            "invalid_card_number",
            N_("This card number is not valid. Check it and try again."),
            field="card_number",
        )
    return number


def check_holder(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > HOLDER_MAX:
        raise ValidationFailed(
            "invalid_holder_name",
            N_("Enter the card holder's name as the bank has it."),
            field="holder_name",
        )
    return name


def bind_card(
    rt: Runtime, actor: Authenticated, *, card_number: str, holder_name: str, phone: str
) -> tuple[Card, str]:
    """check_bind_card: start binding; the bank texts a code. Returns the pending card and
    the masked phone the code went to."""
    number = check_card_number(card_number)
    holder = check_holder(holder_name)
    reserved = normalise_phone(phone)
    info = lookup_bin(number)
    if info is None:
        raise ValidationFailed(
            "unsupported_bank",
            N_(
                "We cannot tell which bank issued this card, so it cannot be added yet. "
                "Use a card from a major Chinese bank."
            ),
            field="card_number",
        )
    with rt.db.uow(read_only=True) as uow:
        if len(records.cards(uow).of_user(actor.user.id)) >= MAX_CARDS:
            raise Conflict(
                "too_many_cards",
                N_("You can bind at most {count} cards. Remove one first."),
                count=MAX_CARDS,
            )
    request_id = new_id(rt.random, "bnd")
    # Ask the bank first, outside our transaction: nothing is stored if it refuses.
    started = rt.bank.start_binding(
        request_id=request_id, card_number=number, holder_name=holder, phone=reserved
    )
    card = Card(
        id=new_id(rt.random, "card"),
        user_id=actor.user.id,
        bank_code=info.bank.code,
        card_type=info.card_type,
        last4=number[-4:],
        status=CardStatus.PENDING,
        binding_request_id=request_id,
        created_at=rt.clock.now(),
    )
    with rt.db.uow() as uow:
        records.cards(uow).add(card)
        uow.commit()
    return card, started.masked_phone


def verify_card(rt: Runtime, actor: Authenticated, card_id: str, code: str) -> Card:
    with rt.db.uow() as uow:
        card = access_card_for(uow, actor, card_id)
        if card.status != CardStatus.PENDING:
            raise Conflict("card_already_verified", N_("This card is already verified."))
    confirmed = rt.bank.confirm_binding(request_id=card.binding_request_id, code=code.strip())
    if confirmed.token is None:
        reason = confirmed.reason or "invalid_code"
        raise ValidationFailed(
            reason, _CONFIRM_ERRORS.get(reason, _CONFIRM_ERRORS["invalid_code"]), field="code"
        )
    with rt.db.uow() as uow:
        card = access_card_for(uow, actor, card_id, for_update=True)
        repository = records.cards(uow)
        if repository.active_with_token(actor.user.id, confirmed.token) is not None:
            raise Conflict("card_already_bound", N_("This card is already bound to your wallet."))
        card.activate(confirmed.token, rt.clock.now())
        repository.save(card)
        uow.commit()
    return card


def list_cards(rt: Runtime, actor: Authenticated) -> list[Card]:
    with rt.db.uow(read_only=True) as uow:
        return records.cards(uow).of_user(actor.user.id)


def unbind_card(rt: Runtime, actor: Authenticated, card_id: str) -> None:
    """Remove a card. Operations already at the bank finish; the record stays for history."""
    with rt.db.uow() as uow:
        card = access_card_for(uow, actor, card_id, for_update=True)
        card.remove(rt.clock.now())
        records.cards(uow).save(card)
        uow.commit()
