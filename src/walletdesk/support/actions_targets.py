"""What a case action acts on, checked when it is proposed: the payment, entry or hold must
be the case customer's, in a state the action can change, for an amount it can move."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.models import User
from walletdesk.ledger.errors import AlreadyReversed
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.limits_config import limit_table
from walletdesk.ledger.models import AccountKind, EntryKind, HoldStatus, JournalEntry, Posting
from walletdesk.ledger.money import Money
from walletdesk.merchants.errors import PaymentNotFound, RefundExceedsPayment
from walletdesk.merchants.models import OrderStatus
from walletdesk.merchants.store import store
from walletdesk.support.actions_model import ActionKind

if TYPE_CHECKING:
    from walletdesk.storage.uow import UnitOfWork

REVERSIBLE = frozenset({EntryKind.TRANSFER.value, EntryKind.ADJUSTMENT.value})
"""A merchant payment is refunded (so the order knows), never reversed behind its back."""
BANK_HOLDS = frozenset({"withdrawal"})
"""Reservations a bank is settling: its answer captures or releases them, never an agent."""
MAX_RAISE_DAYS = 90
LINKED_MAX = 20


@dataclass(frozen=True)
class ActionRequest:
    kind: ActionKind
    reason: str
    transaction_ids: tuple[str, ...] = ()
    target_id: str | None = None
    """The payment (refund), journal entry (reverse, waive_fee) or hold (release_hold)."""
    amount: Money | None = None
    """Refund only: how much (default: all that can still be refunded)."""
    limit: Limit | None = None
    """raise_limit only: the new limits, CNY fen."""
    days: int | None = None
    """raise_limit only: how long the raise lasts."""


@dataclass(frozen=True)
class Target:
    target_id: str | None
    amount: Money | None
    params: dict[str, object]


def linked_ids(ids: tuple[str, ...]) -> list[str]:
    cleaned = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if len(cleaned) > LINKED_MAX or any(len(i) > 40 for i in cleaned):
        raise ValidationFailed("invalid_transaction_ids", field="transaction_ids")
    return cleaned


def _required(request: ActionRequest) -> str:
    if not request.target_id:
        raise ValidationFailed(
            "action_target_required",
            N_("Say which payment, transaction or reservation this action is for."),
            field="target_id",
        )
    return request.target_id


def _not_theirs() -> NotFound:
    return NotFound(
        "transaction_not_found", N_("We could not find this transaction on the customer's wallet.")
    )


def _customer_entry(
    uow: UnitOfWork, entry_id: str, customer: User
) -> tuple[JournalEntry, list[Posting]]:
    wallets = {a.id for a in uow.accounts.for_owner(customer.id) if a.kind == AccountKind.WALLET}
    entry = uow.journal.get(entry_id)
    mine = [p for p in uow.journal.postings_of(entry_id) if p.account_id in wallets]
    if entry is None or not mine:
        raise _not_theirs()
    return entry, mine


def _refund(uow: UnitOfWork, request: ActionRequest, customer: User) -> Target:
    payment_id = _required(request)
    order = store(uow).orders.get(payment_id)
    if order is None or order.payer_id != customer.id:
        raise PaymentNotFound()
    if order.status != OrderStatus.PAID:
        raise Conflict("payment_not_paid", N_("Only a paid order can be refunded."))
    amount = request.amount or Money(order.refundable, order.currency)
    if amount.currency != order.currency:
        raise ValidationFailed(
            "currency_mismatch",
            N_("Refund in the payment's currency, {currency}."),
            field="currency",
            currency=order.currency,
        )
    if not 0 < amount.minor <= order.refundable:
        raise RefundExceedsPayment(
            refundable=Money(order.refundable, order.currency).format(customer.locale)
        )
    return Target(order.id, amount, {"merchant_id": order.merchant_id})


def _reverse(uow: UnitOfWork, request: ActionRequest, customer: User) -> Target:
    entry, mine = _customer_entry(uow, _required(request), customer)
    if entry.kind not in REVERSIBLE:
        raise ValidationFailed(
            "not_reversible",
            N_(
                "Only transfers and adjustments can be reversed from a case; refund a "
                "merchant payment instead."
            ),
            field="target_id",
        )
    if uow.journal.reversal_of(entry.id) is not None:
        raise AlreadyReversed()
    moved = abs(sum(p.amount for p in mine))
    return Target(entry.id, Money(moved, mine[0].currency), {"entry_kind": entry.kind})


def _waive_fee(uow: UnitOfWork, request: ActionRequest, customer: User) -> Target:
    entry, mine = _customer_entry(uow, _required(request), customer)
    fee = int(json.loads(entry.details or "{}").get("fee", 0))
    if entry.kind != EntryKind.WITHDRAWAL or fee <= 0:
        raise ValidationFailed(
            "no_fee_to_waive", N_("This transaction carried no fee."), field="target_id"
        )
    if uow.agent_tools.fee_waivers.waived(entry.id):
        raise Conflict("fee_already_waived", N_("This fee was already waived."))
    return Target(entry.id, Money(fee, mine[0].currency), {})


def _release_hold(uow: UnitOfWork, request: ActionRequest, customer: User) -> Target:
    hold = uow.holds.get(_required(request))
    account = uow.accounts.get(hold.account_id) if hold else None
    if hold is None or account is None or account.owner_id != customer.id:
        raise NotFound("hold_not_found", N_("We could not find this reservation."))
    if hold.status != HoldStatus.PENDING:
        raise Conflict(
            "hold_not_pending",
            N_("This reservation was already settled ({status})."),
            status=hold.status,
        )
    if hold.purpose in BANK_HOLDS:
        raise Conflict(
            "hold_with_bank",
            N_("A bank is settling this reservation; it is released when the bank answers."),
        )
    return Target(hold.id, Money(hold.amount, hold.currency), {"purpose": hold.purpose})


def _raise_limit(uow: UnitOfWork, request: ActionRequest, customer: User) -> Target:
    wanted, days = request.limit, request.days
    if wanted is None or days is None or not 1 <= days <= MAX_RAISE_DAYS:
        raise ValidationFailed(
            "invalid_limit_raise",
            N_("Give the new limits and for how many days (1 to {days}) they apply."),
            field="limits",
            days=MAX_RAISE_DAYS,
        )
    table = limit_table(uow)  # the limits in force, as an admin last set them
    base = table.for_tier(customer.kyc_tier)
    top = table.personal[max(table.personal)]
    values = (wanted.per_transaction, wanted.per_day, wanted.per_year)
    floors = (base.per_transaction, base.per_day, base.per_year)
    ceilings = (top.per_transaction, top.per_day, top.per_year)
    ordered = wanted.per_transaction <= wanted.per_day <= wanted.per_year
    within = all(f <= v <= c for v, f, c in zip(values, floors, ceilings, strict=True))
    if not (ordered and within and values != floors):
        raise ValidationFailed(
            "invalid_limit_raise",
            N_(
                "New limits must be above the customer's current ones, at most {top} a day, "
                "and per payment ≤ per day ≤ per year."
            ),
            field="limits",
            top=Money(top.per_day, "CNY").format(customer.locale),
        )
    params: dict[str, object] = {
        "per_transaction": wanted.per_transaction,
        "per_day": wanted.per_day,
        "per_year": wanted.per_year,
        "days": days,
    }
    return Target(None, Money(wanted.per_day, "CNY"), params)


def check_target(uow: UnitOfWork, request: ActionRequest, customer: User, now: datetime) -> Target:
    """What the proposal will act on, refused early when it cannot work."""
    kind = request.kind
    if kind is ActionKind.REFUND:
        return _refund(uow, request, customer)
    if kind is ActionKind.REVERSE:
        return _reverse(uow, request, customer)
    if kind is ActionKind.WAIVE_FEE:
        return _waive_fee(uow, request, customer)
    if kind is ActionKind.RELEASE_HOLD:
        return _release_hold(uow, request, customer)
    if kind is ActionKind.RAISE_LIMIT:
        return _raise_limit(uow, request, customer)
    if kind is ActionKind.UNFREEZE and not customer.is_frozen:
        raise Conflict("not_frozen", N_("The wallet is not frozen."))
    if kind is ActionKind.UNLOCK and customer.lock_remaining(now) is None:
        raise Conflict("not_locked", N_("The account is not locked."))
    return Target(None, None, {})
