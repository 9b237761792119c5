"""Payment orders: a merchant creates one, a user pays it from their wallet balance (this
module, converting from CNY for an order in another currency: `foreign`) or with a bound bank
card (`card_payments`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.settlement import OperationView, refresh
from walletdesk.errors import Conflict, DomainError, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.accounts import wallet_account_id
from walletdesk.ledger.fx_pricing import PIVOT
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.models import EntryKind
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.merchants.coupons import spend_coupon
from walletdesk.merchants.errors import (
    AlreadyPaid,
    PaymentExpired,
    PaymentInProgress,
    PaymentNotFound,
)
from walletdesk.merchants.foreign import ForeignPlan, buy_what_is_missing, plan
from walletdesk.merchants.models import Merchant, OrderStatus, PaymentOrder, Refund
from walletdesk.merchants.payment_entry import payment_details, payment_event, payment_legs
from walletdesk.merchants.screening import screen_balance_payment
from walletdesk.merchants.store import store
from walletdesk.merchants.webhooks import PAYMENT_SUCCEEDED, queue_webhook
from walletdesk.randomness import new_id
from walletdesk.risk.screening import refusals

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore
    from walletdesk.storage.uow import UnitOfWork

MERCHANT_ORDER_ID = re.compile(r"^[A-Za-z0-9_\-.:]{1,64}$")
DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class OrderView:
    order: PaymentOrder
    merchant_name: str
    state: str
    refunds: list[Refund]
    charge: OperationView | None = None
    """The latest card charge, shown only to the user whose card it was."""
    fx_quote: ForeignPlan | None = None
    """For the payer of a payable order in another currency: what paying now would take."""


def _view(s: MerchantStore, order: PaymentOrder, now: datetime) -> OrderView:
    merchant = s.merchants.get(order.merchant_id)
    return OrderView(
        order=order,
        merchant_name=merchant.name if merchant else "",
        state=order.state_at(now),
        refunds=s.refunds.for_payment(order.id),
    )


def charge_of(uow: UnitOfWork, order: PaymentOrder, user_id: str) -> OperationView | None:
    """The order's latest card charge, if it was this user's."""
    if order.operation_id is None:
        return None
    operation = records.operations(uow).get(order.operation_id)
    if operation is None or operation.user_id != user_id:
        return None
    card = records.cards(uow).get(operation.card_id)
    assert card is not None, "operations reference their card"
    return OperationView(operation, card)


def payer_view(
    rt: Runtime, uow: UnitOfWork, s: MerchantStore, order: PaymentOrder, user_id: str
) -> OrderView:
    """The order as `user_id` sees it: with their card charge, and the CNY it would take to
    pay it now when it is in another currency."""
    now = rt.clock.now()
    view = _view(s, order, now)
    quote = None
    if order.currency != PIVOT and view.state == "pending":
        try:
            quote = plan(rt, uow, user_id, Money(order.amount, order.currency))
        except DomainError:
            quote = None  # no rate set: paying would say so; the order itself is still shown
    return replace(view, charge=charge_of(uow, order, user_id), fx_quote=quote)


def create_order(
    rt: Runtime,
    merchant: Merchant,
    *,
    amount: Money,
    merchant_order_id: str,
    description: str,
    record: Callable[[UnitOfWork, OrderView], None] | None = None,
) -> OrderView:
    if amount.currency != merchant.currency:
        raise ValidationFailed(
            "currency_not_accepted",
            N_("This merchant takes payments in {currency} only."),
            field="currency",
            currency=merchant.currency,
        )
    if not MERCHANT_ORDER_ID.match(merchant_order_id):
        raise ValidationFailed(
            "invalid_merchant_order_id",
            N_("The merchant order id must be 1 to 64 letters, digits or _ - . : characters."),
            field="merchant_order_id",
        )
    text = description.strip()
    if not text or len(text) > DESCRIPTION_MAX:
        raise ValidationFailed(
            "invalid_description",
            N_("Enter a description of 1 to {max} characters."),
            field="description",
            max=DESCRIPTION_MAX,
        )
    now = rt.clock.now()
    order = PaymentOrder(
        id=new_id(rt.random, "pay"),
        merchant_id=merchant.id,
        merchant_order_id=merchant_order_id,
        amount=amount.minor,
        currency=amount.currency,
        description=text,
        status=OrderStatus.PENDING,
        created_at=now,
        expires_at=now + rt.merchant_policy.order_ttl,
    )
    with rt.db.uow() as uow:
        s = store(uow)
        if not s.orders.add_once(order):
            raise Conflict(
                "merchant_order_id_taken",
                N_("This merchant order id already belongs to another payment order."),
                field="merchant_order_id",
            )
        view = OrderView(order=order, merchant_name=merchant.name, state="pending", refunds=[])
        if record is not None:
            record(uow, view)
        uow.commit()
    return view


def order_for_merchant(rt: Runtime, merchant: Merchant, order_id: str) -> OrderView:
    """The merchant's own order; another merchant's looks missing."""
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        order = s.orders.get(order_id)
        if order is None or order.merchant_id != merchant.id:
            raise PaymentNotFound()
        return _view(s, order, rt.clock.now())


def visible_to_payer(order: PaymentOrder | None, actor: Authenticated) -> PaymentOrder:
    """The order if the actor may see it as a payer, else the same not-found as a missing one."""
    if order is None or (order.payer_id is not None and order.payer_id != actor.user.id):
        raise PaymentNotFound()
    return order


def order_for_payer(rt: Runtime, actor: Authenticated, order_id: str) -> OrderView:
    """An unpaid order is visible to whoever holds its id (it travels as a QR code or link);
    once paid (or while the payer's card is being charged), only to that payer.

    This is also the status query of a card payment: while the bank works, it is asked first,
    like `GET /api/v1/topups/{id}` does."""
    with rt.db.uow(read_only=True) as uow:
        order = visible_to_payer(store(uow).orders.get(order_id), actor)
    if order.status == OrderStatus.PAYING and order.operation_id is not None:
        refresh(rt, order.operation_id)
    with rt.db.uow(read_only=True) as uow:
        s = store(uow)
        order = visible_to_payer(s.orders.get(order_id), actor)
        return payer_view(rt, uow, s, order, actor.user.id)


def not_payable(order: PaymentOrder, now: datetime) -> Conflict:
    if order.status == OrderStatus.PAID:
        return AlreadyPaid()
    if order.status == OrderStatus.PAYING:
        return PaymentInProgress()
    if now >= order.expires_at:
        return PaymentExpired(expired_at=order.expires_at)
    return Conflict()


def spend_discount(
    s: MerchantStore,
    *,
    user_id: str,
    coupon_id: str | None,
    order: PaymentOrder,
    now: datetime,
    locale: str,
) -> int:
    if not coupon_id:
        return 0
    coupon = spend_coupon(
        s, user_id=user_id, coupon_id=coupon_id, order=order, now=now, locale=locale
    )
    return coupon.amount_off


def pay(
    rt: Runtime,
    actor: Authenticated,
    order_id: str,
    *,
    coupon_id: str | None,
    locale: str,
    max_cny: Money | None = None,
    record: Callable[[UnitOfWork, OrderView], None] | None = None,
) -> OrderView:
    """check_pay: pay the order from the actor's wallet, in one transaction.

    The order is claimed first with a guarded UPDATE (pending, unexpired and not named for
    another payer → paid), which also locks it and returns it with its merchant in the same
    round trip: a second payment of the same order waits, then finds it paid. Anything
    refused later (frozen wallet, limits, funds, coupon, a rate that moved past `max_cny`)
    rolls the claim back with it.

    A CNY order is one entry. For an order in another currency, the payer's wallet in that
    currency pays as far as it goes and the rest is bought with CNY first (`foreign`): two
    entries, the conversion and the payment, committed together.

    The risk engine assesses the payment before it posts (`merchants.screening`): a held one
    reserves the money and leaves the order paying until a reviewer decides; a refused one
    rolls everything back and raises the coded error."""
    now = rt.clock.now()
    with refusals(rt), rt.db.uow() as uow:
        s = store(uow)
        # The order's link to its entry is checked at commit (migration 0011g): the claim
        # names the entry, so the entry can post last, after every other write.
        entry_id = new_id(rt.random, "ent")
        claimed = s.orders.claim_with_merchant(
            order_id,
            actor.user.id,
            now,
            entry_id=entry_id,
            points_per_yuan=rt.merchant_policy.points_per_yuan,
            points_currency=PIVOT,
        )
        if claimed is None:
            order = visible_to_payer(s.orders.get(order_id), actor)
            raise not_payable(order, now)
        order, merchant = claimed
        currency = order.currency
        discount = spend_discount(
            s, user_id=actor.user.id, coupon_id=coupon_id, order=order, now=now, locale=locale
        )
        user_pays = Money(order.amount - discount, currency)
        payer = lock_payer(uow, actor.user.id)
        counted = 0  # CNY fen the limits counted for the payment itself
        if currency == PIVOT:
            counted = check_outgoing(rt, uow, payer, user_pays, locale=locale)
        else:
            chosen, conversion = buy_what_is_missing(
                rt, uow, payer=payer, amount=user_pays, max_cny=max_cny, locale=locale
            )
            if conversion is not None:
                # The CNY sold was checked and counted against the limits by the conversion.
                s.orders.record_conversion(
                    order.id,
                    fx_entry_id=conversion.id,
                    fx_bought=conversion.buy.minor,
                    fx_sold=conversion.sell.minor,
                )
                order = replace(
                    order,
                    fx_entry_id=conversion.id,
                    fx_bought=conversion.buy.minor,
                    fx_sold=conversion.sell.minor,
                )
            if chosen.from_wallet.minor:
                counted = check_outgoing(rt, uow, payer, chosen.from_wallet, locale=locale)
        wallet_id = wallet_account_id(rt, uow, payer.id, currency)
        held = screen_balance_payment(
            rt,
            uow,
            actor,
            order=order,
            merchant=merchant,
            payer=payer,
            user_pays=user_pays,
            discount=discount,
            coupon_id=coupon_id,
            counted=counted,
            locale=locale,
        )
        if held is not None:  # under review: the money is reserved, nothing is paid yet
            if record is not None:
                record(uow, held)
            uow.commit()
            return held
        legs, points = payment_legs(
            rt,
            uow,
            order=order,
            source_id=wallet_id,
            user_pays=user_pays.minor,
            discount=discount,
            payer_id=payer.id,
        )
        # The entry posts as late as the foreign key allows: it locks the hot rows (a merchant
        # shard, the points liability), and every statement after it keeps them locked longer.
        # So the webhook and the idempotent response are written first, from the order as
        # `record_payment` leaves it.
        paid = replace(
            order,
            entry_id=entry_id,
            user_paid=user_pays.minor,
            discount=discount,
            coupon_id=coupon_id if discount else None,
            points_earned=points,
        )
        if order != paid:  # a coupon: the claim recorded the payment without it
            s.orders.record_payment(
                order.id,
                entry_id=entry_id,
                user_paid=paid.user_paid,
                discount=discount,
                coupon_id=paid.coupon_id,
                points_earned=points,
            )
        queue_webhook(rt, uow, merchant, PAYMENT_SUCCEEDED, payment_event(paid))
        view = OrderView(order=paid, merchant_name=merchant.name, state="paid", refunds=[])
        if record is not None:
            record(uow, view)
        post_entry(
            rt,
            uow,
            kind=EntryKind.PAYMENT,
            actor_id=payer.id,
            locale=locale,
            legs=legs,
            description="Merchant payment",
            details=payment_details(order, merchant, payer.id, discount=discount, points=points),
            entry_id=entry_id,
        )
        uow.commit()
    return view
