"""Refunds (退款), Alipay style: each refund carries the merchant's own request number
(`out_request_no`); asking again with the same number returns the same refund, never a second.

Refunds never exceed what was paid. The cap is enforced by the database, in the same
transaction as the refund's entry: ``UPDATE payment_orders SET refunded = refunded + :x
WHERE refunded + :x <= amount`` (and a CHECK constraint behind it). Money goes back from the
merchant's shards to the payer's wallet, and the part a coupon paid back to coupon expense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.accounts import wallet_account, wallet_code
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import POINTS, Money
from walletdesk.ledger.posting import post_entry
from walletdesk.merchants.accounts import hot_platform_account, points_account, shard_codes
from walletdesk.merchants.errors import (
    MerchantBalanceInsufficient,
    PaymentNotFound,
    RefundExceedsPayment,
)
from walletdesk.merchants.models import Merchant, OrderStatus, PaymentOrder, Refund, refund_split
from walletdesk.merchants.store import store
from walletdesk.merchants.webhooks import REFUND_SUCCEEDED, queue_webhook
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.ledger.models import LedgerAccount
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore
    from walletdesk.storage.uow import UnitOfWork

OUT_REQUEST_NO = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
REFUND_RECEIVED = "merchant.refund_received"
TEMPLATES[REFUND_RECEIVED] = Template(
    REFUND_RECEIVED,
    N_("Refund received"),
    N_("{merchant} refunded {amount} to your wallet for “{description}”."),
)


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    created: bool
    """False when this out_request_no had already been refunded: the same refund again."""


def refund_event(refund: Refund, order: PaymentOrder) -> dict[str, Any]:
    return {
        "refund_id": refund.id,
        "payment_id": order.id,
        "merchant_order_id": order.merchant_order_id,
        "out_request_no": refund.out_request_no,
        "amount": {
            "amount": Money(refund.amount, refund.currency).to_string(),
            "currency": refund.currency,
        },
        "refunded_total": {
            "amount": Money(order.refunded, order.currency).to_string(),
            "currency": order.currency,
        },
        "status": "succeeded",
    }


def _same_refund(existing: Refund, amount: Money, locale: str) -> RefundResult:
    if existing.amount != amount.minor or existing.currency != amount.currency:
        raise Conflict(
            "refund_request_reused",
            N_(
                "This out_request_no was already used for a refund of {amount}. Use a new "
                "request number for a new refund."
            ),
            field="out_request_no",
            amount=Money(existing.amount, existing.currency).format(locale),
        )
    return RefundResult(existing, created=False)


def _draw_from_shards(shards: list[LedgerAccount], amount: int) -> list[Leg]:
    """Take `amount` from the fullest shards first (the fewest postings)."""
    legs: list[Leg] = []
    left = amount
    for account in sorted(shards, key=lambda a: (-a.available, a.id)):
        take = min(account.available, left)
        if take > 0:
            legs.append(Leg(account.id, -take, account.currency))
            left -= take
        if left == 0:
            break
    assert left == 0, "the caller checked the shards cover the amount"
    return legs


def refund(
    rt: Runtime,
    merchant: Merchant,
    payment_id: str,
    *,
    amount: Money,
    out_request_no: str,
    locale: str,
) -> RefundResult:
    if not OUT_REQUEST_NO.match(out_request_no):
        raise ValidationFailed(
            "invalid_out_request_no",
            N_("The refund request number must be 1 to 64 letters, digits or _ - . : characters."),
            field="out_request_no",
        )
    with rt.db.uow() as uow:
        s = store(uow)
        order = s.orders.get(payment_id)
        if order is None or order.merchant_id != merchant.id:
            raise PaymentNotFound()
        if amount.currency != order.currency:
            raise ValidationFailed(
                "currency_mismatch",
                N_("Refund in the payment's currency, {currency}."),
                field="currency",
                currency=order.currency,
            )
        existing = s.refunds.by_request(order.id, out_request_no)
        if existing is not None:
            return _same_refund(existing, amount, locale)
        now = rt.clock.now()
        claim = Refund(
            id=new_id(rt.random, "rfd"),
            payment_id=order.id,
            out_request_no=out_request_no,
            amount=amount.minor,
            currency=amount.currency,
            to_wallet=0,
            to_coupon=0,
            created_at=now,
        )
        if not s.refunds.add_once(claim):
            # The same number was refunded concurrently and has committed: return that one.
            raced = s.refunds.by_request(order.id, out_request_no)
            assert raced is not None
            return _same_refund(raced, amount, locale)
        total = s.orders.add_refunded(order.id, amount.minor)
        if total is None:
            current = s.orders.get(order.id) or order
            if current.status != OrderStatus.PAID:
                raise Conflict("payment_not_paid", N_("Only a paid order can be refunded."))
            raise RefundExceedsPayment(
                refundable=Money(current.refundable, current.currency).format(locale)
            )
        paid = s.orders.get(order.id)
        assert paid is not None and paid.payer_id is not None
        result = _post_refund(rt, uow, s, merchant, paid, claim, total, locale)
        uow.commit()
    return result


def points_to_take_back(order: PaymentOrder, refunded_before: int, refunded_after: int) -> int:
    """The points earned on the refunded share of the payment. Computed on the running total,
    so partial refunds add up to exactly the points earned once the payment is fully refunded."""
    if not order.points_earned or not order.amount:
        return 0
    earned = order.points_earned
    return earned * refunded_after // order.amount - earned * refunded_before // order.amount


def _post_refund(
    rt: Runtime,
    uow: UnitOfWork,
    s: MerchantStore,
    merchant: Merchant,
    order: PaymentOrder,
    claim: Refund,
    total: int,
    locale: str,
) -> RefundResult:
    assert order.payer_id is not None
    currency = order.currency
    to_wallet, to_coupon = refund_split(order, total - claim.amount, claim.amount)
    wallet = wallet_account(rt, uow, order.payer_id, currency)
    expense = (
        hot_platform_account(rt, uow, AccountKind.COUPON_EXPENSE, currency) if to_coupon else None
    )
    # Lock every row this entry touches, in id order, before reading the shard balances:
    # the check below then cannot be invalidated by a concurrent refund, and the lock order
    # is the one post_entry uses, so this never deadlocks with a payment.
    codes = shard_codes(merchant.id, currency) + [wallet_code(order.payer_id, currency)]
    if expense is not None:
        codes.append(expense.code)
    points_due = points_to_take_back(order, total - claim.amount, total)
    liability = mine = None
    if points_due:
        liability = hot_platform_account(rt, uow, AccountKind.POINTS_LIABILITY, POINTS)
        mine = points_account(rt, uow, order.payer_id)
        codes += [liability.code, mine.code]
    locked = s.locks.lock_by_codes(codes)
    shards = [a for a in locked if a.kind == AccountKind.MERCHANT]
    available = sum(a.available for a in shards)
    if available < claim.amount:
        raise MerchantBalanceInsufficient(
            available=Money(available, currency).format(locale),
            amount=Money(claim.amount, currency).format(locale),
        )
    legs = _draw_from_shards(shards, claim.amount)
    if to_wallet:
        legs.append(Leg(wallet.id, to_wallet, currency))
    if expense is not None:
        legs.append(Leg(expense.id, to_coupon, currency))
    if liability is not None and mine is not None:
        # Points already spent cannot be taken back; never push the points wallet below zero.
        held = next(a for a in locked if a.id == mine.id).available
        taken = min(points_due, held)
        if taken:
            legs += [Leg(mine.id, -taken, POINTS), Leg(liability.id, taken, POINTS)]
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.REFUND,
        locale=locale,
        legs=legs,
        description="Merchant refund",
        details={
            "to_user": order.payer_id,
            "from_name": merchant.name,
            "merchant_id": merchant.id,
            "payment_id": order.id,
            "refund_id": claim.id,
            "out_request_no": claim.out_request_no,
            "note": order.description,
        },
    )
    done = Refund(
        id=claim.id,
        payment_id=claim.payment_id,
        out_request_no=claim.out_request_no,
        amount=claim.amount,
        currency=claim.currency,
        to_wallet=to_wallet,
        to_coupon=to_coupon,
        created_at=claim.created_at,
        entry_id=posted.entry.id,
    )
    s.refunds.save(done)
    order.refunded = total
    queue_webhook(rt, uow, merchant, REFUND_SUCCEEDED, refund_event(done, order))
    payer = uow.users.get(order.payer_id)
    if payer is not None and to_wallet:
        rt.outbox.notify_user(
            uow,
            now=rt.clock.now(),
            user=payer,
            template=REFUND_RECEIVED,
            params={
                "merchant": merchant.name,
                "amount": Money(to_wallet, currency).format(payer.locale),
                "description": order.description,
            },
            contacts=[],
        )
    return RefundResult(done, created=True)
