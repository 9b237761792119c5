"""Withdrawal (提现) to a debit card: the amount and fee are held on the wallet while the bank
works, captured when it pays, released when it declines. The fee is quoted before confirming."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.cards import access_card_for
from walletdesk.banking.fee_config import current_schedule
from walletdesk.banking.fees import month_start
from walletdesk.banking.models import BankOperation, Card, OperationKind
from walletdesk.banking.operations import check_card_usable, conclude, previous_attempt
from walletdesk.banking.screening import first_status, hold_withdrawal, screen_withdrawal
from walletdesk.banking.settlement import OperationView
from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.holds import place_hold
from walletdesk.ledger.money import Money
from walletdesk.randomness import new_id
from walletdesk.risk.screening import refusals

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

HOLD_TTL = timedelta(days=30)
"""Far beyond any bank's answer: the hold must not expire while the bank may still pay."""


@dataclass(frozen=True)
class WithdrawalQuote:
    amount: Money
    fee: Money
    total: Money
    free_left: int


def _check_payout_card(card: Card, amount: Money) -> None:
    check_card_usable(card, amount)
    if not card.takes_payouts:
        raise ValidationFailed(
            "withdrawal_needs_debit_card",
            N_("Withdrawals can only go to a debit card. Choose or add a debit card."),
            field="card_id",
        )


def _quote(rt: Runtime, uow: UnitOfWork, user_id: str, amount: Money) -> WithdrawalQuote:
    fees = current_schedule(uow)  # as an admin last set it (`fee_config`)
    used = records.operations(uow).count_since(
        user_id, OperationKind.WITHDRAWAL, month_start(rt.clock.now())
    )
    fee = fees.fee(amount, used_this_month=used)
    return WithdrawalQuote(amount, fee, amount + fee, max(fees.free_per_month - used, 0))


def quote_withdrawal(
    rt: Runtime, actor: Authenticated, *, card_id: str, amount: Money
) -> WithdrawalQuote:
    with rt.db.uow(read_only=True) as uow:
        _check_payout_card(access_card_for(uow, actor, card_id), amount)
        return _quote(rt, uow, actor.user.id, amount)


def withdraw(
    rt: Runtime,
    actor: Authenticated,
    *,
    card_id: str,
    amount: Money,
    expected_fee: Money | None,
    key: str | None,
    locale: str,
    record: Callable[[UnitOfWork, OperationView], None] | None = None,
) -> OperationView:
    """check_withdraw: hold amount + fee, then ask the bank to pay the card.

    Frozen wallets, limits and the balance are checked in the transaction that places the
    hold; the bank is asked only after it commits. The risk engine assesses it first
    (`banking.screening`): a held withdrawal waits under review instead of going to the bank,
    a refused one rolls back and raises the coded error."""
    earlier = previous_attempt(rt, actor, key)
    if earlier is not None:
        return conclude(rt, earlier.id, None, record)
    now = rt.clock.now()
    with refusals(rt), rt.db.uow() as uow:
        card = access_card_for(uow, actor, card_id)
        _check_payout_card(card, amount)
        payer = lock_payer(uow, actor.user.id)
        quoted = _quote(rt, uow, payer.id, amount)
        if expected_fee is not None and expected_fee != quoted.fee:
            raise Conflict(
                "fee_changed",
                N_("The fee is now {fee}. Check the new amount and confirm again."),
                fee=quoted.fee.format(locale),
            )
        counted = check_outgoing(rt, uow, payer, amount, locale=locale)
        operation_id = new_id(rt.random, "wdr")
        wallet = wallet_account(rt, uow, payer.id, amount.currency)
        screened = screen_withdrawal(
            rt,
            uow,
            actor,
            operation_id=operation_id,
            amount=amount,
            counted=counted,
            available=wallet.available,
        )
        hold = place_hold(
            rt,
            uow,
            account_id=wallet.id,
            amount=quoted.total,
            purpose="withdrawal",
            ttl=HOLD_TTL,
            reference=operation_id,
            locale=locale,
        )
        operation = BankOperation(
            id=operation_id,
            kind=OperationKind.WITHDRAWAL,
            user_id=payer.id,
            card_id=card.id,
            bank_code=card.bank_code,
            amount=amount.minor,
            fee=quoted.fee.minor,
            currency=amount.currency,
            status=first_status(screened),
            client_key=key,
            hold_id=hold.id,
            created_at=now,
            updated_at=now,
            limit_counted=counted,
        )
        records.operations(uow).add(operation)
        if screened is not None and screened.held:  # under review: not sent to the bank
            view = hold_withdrawal(
                rt, uow, screened, payer=payer, operation=operation, card=card, locale=locale
            )
            if record is not None:
                record(uow, view)
            uow.commit()
            return view
        uow.commit()
    token = card.gateway_token
    assert token is not None
    return conclude(
        rt,
        operation_id,
        lambda: rt.bank.payout(request_id=operation_id, card_token=token, amount=amount),
        record,
    )
