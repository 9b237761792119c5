"""Paying a merchant order with a bound bank card (快捷支付), through the same bank machinery
as a top-up: a `BankOperation` (kind `payment`) whose id is the bank's request id, answered in
the reply, by a signed callback or by a status query (`banking.settlement`).

1. One transaction claims the order (pending → paying: nobody else can pay it now), spends
   the coupon, checks the payer (frozen wallet, limits, recent security change), has the
   risk engine assess the payment (anything but an approval refuses it: a card payment
   cannot be held, see `merchants.screening`) and records the operation. It commits before
   the bank is asked, so a crash in between leaves an open operation that reconciliation
   settles, never a charge we forgot.
2. The bank is asked to charge the card what the payer pays (the order less any coupon).
3. Its answer settles the order in the transaction that settles the operation:
   - success: ONE entry, the bank's clearing account → a merchant shard, with the coupon's
     share from coupon expense and the points earned, like a balance payment; the order is
     paid and the merchant's signed webhook is queued;
   - decline: the order is payable again (pending, the coupon un-spent, the limits given
     back) and the payer sees the bank's reason (`banking.reasons`);
   - no answer (a network timeout): the order stays paying until the callback or a status
     query (`GET /api/v1/payments/{id}`, `reconcile_pending`) brings it.

Refunds of a card-paid order go to the payer's wallet balance (see docs/ledger.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from walletdesk.banking import records
from walletdesk.banking.cards import access_card_for
from walletdesk.banking.models import BankOperation, Card, OperationKind, OperationStatus
from walletdesk.banking.operations import check_card_usable, conclude, previous_attempt
from walletdesk.banking.reasons import Reason, explanation
from walletdesk.banking.settlement import OperationView
from walletdesk.channels.bank import BankReply, BankStatus
from walletdesk.errors import Conflict
from walletdesk.i18n import N_, Text
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.guards import check_outgoing, lock_payer
from walletdesk.ledger.limits import give_back_limits
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.merchants import card_payment_history  # noqa: F401 - lists them in the history
from walletdesk.merchants.models import Merchant, OrderStatus, PaymentOrder
from walletdesk.merchants.payment_entry import payment_details, payment_event, payment_legs
from walletdesk.merchants.payments import (
    OrderView,
    not_payable,
    payer_view,
    spend_discount,
    visible_to_payer,
)
from walletdesk.merchants.screening import screen_card_payment
from walletdesk.merchants.store import store
from walletdesk.merchants.webhooks import PAYMENT_SUCCEEDED, queue_webhook
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.randomness import new_id
from walletdesk.risk.screening import refusals

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore
    from walletdesk.storage.uow import UnitOfWork

CARD_PAYMENT_SUCCEEDED = "merchant.card_payment_succeeded"
CARD_PAYMENT_FAILED = "merchant.card_payment_failed"
TEMPLATES[CARD_PAYMENT_SUCCEEDED] = Template(
    CARD_PAYMENT_SUCCEEDED,
    N_("Card payment made"),
    N_("You paid {merchant} {amount} with your card ending {last4} for “{description}”."),
)
TEMPLATES[CARD_PAYMENT_FAILED] = Template(
    CARD_PAYMENT_FAILED,
    N_("Card payment did not go through"),
    N_(
        "Your payment of {amount} to {merchant} with the card ending {last4} failed: {reason} "
        "{next_step} The order is still open: you can pay it again."
    ),
)


def pay_by_card(
    rt: Runtime,
    actor: Authenticated,
    order_id: str,
    *,
    card_id: str,
    coupon_id: str | None,
    key: str | None,
    locale: str,
    record: Callable[[UnitOfWork, OrderView], None] | None = None,
) -> OrderView:
    """check_pay_by_card: claim the order, charge the card, settle on the bank's answer.

    Returns the order as it stands: paid, payable again after a decline (with the reason),
    or paying while the bank's answer is outstanding."""
    earlier = previous_attempt(rt, actor, key)
    if earlier is not None:
        return _resume(rt, actor, earlier, order_id, record)
    now = rt.clock.now()
    # A refusal by the risk engine (`merchants.screening`) rolls the claim back: nothing is
    # charged and the order stays payable.
    with refusals(rt), rt.db.uow() as uow:
        s = store(uow)
        order = visible_to_payer(s.orders.get(order_id), actor)
        card = access_card_for(uow, actor, card_id)
        # Credit cards may pay merchants; only withdrawals need a debit card.
        check_card_usable(card, Money(order.amount, order.currency))
        payer = lock_payer(uow, actor.user.id)
        if not s.orders.claim_for_card(order.id, payer.id, now):
            raise not_payable(s.orders.get(order.id) or order, now)
        discount = spend_discount(
            s, user_id=payer.id, coupon_id=coupon_id, order=order, now=now, locale=locale
        )
        user_pays = Money(order.amount - discount, order.currency)
        counted = check_outgoing(rt, uow, payer, user_pays, locale=locale)
        screen_card_payment(rt, uow, actor, order=order, payer=payer, user_pays=user_pays)
        operation = BankOperation(
            id=new_id(rt.random, "cpy"),
            kind=OperationKind.PAYMENT,
            user_id=payer.id,
            card_id=card.id,
            bank_code=card.bank_code,
            amount=user_pays.minor,
            fee=0,
            currency=user_pays.currency,
            status=OperationStatus.PROCESSING,
            client_key=key,
            created_at=now,
            updated_at=now,
            limit_counted=counted,
        )
        records.operations(uow).add(operation)
        s.orders.start_card_attempt(
            order.id,
            operation_id=operation.id,
            user_paid=user_pays.minor,
            discount=discount,
            coupon_id=coupon_id if discount else None,
        )
        uow.commit()
    token = card.gateway_token
    assert token is not None
    return _conclude(
        rt,
        actor,
        operation.id,
        lambda: rt.bank.charge(request_id=operation.id, card_token=token, amount=user_pays),
        record,
    )


def _resume(
    rt: Runtime,
    actor: Authenticated,
    earlier: BankOperation,
    order_id: str,
    record: Callable[[UnitOfWork, OrderView], None] | None,
) -> OrderView:
    """A retry whose first attempt's reply never got out: the same charge, never a second."""
    with rt.db.uow(read_only=True) as uow:
        order = store(uow).orders.by_operation(earlier.id)
    if earlier.kind != OperationKind.PAYMENT or order is None or order.id != order_id:
        raise Conflict(
            "idempotency_key_reused",
            N_("This Idempotency-Key was already used for a different request."),
        )
    return _conclude(rt, actor, earlier.id, None, record)


def _conclude(
    rt: Runtime,
    actor: Authenticated,
    operation_id: str,
    call: Callable[[], BankReply] | None,
    record: Callable[[UnitOfWork, OrderView], None] | None,
) -> OrderView:
    """Ask the bank (`banking.operations.conclude`), settle, and store the order as it now
    stands under the idempotency key, all in the settling transaction."""
    shown: list[OrderView] = []

    def in_transaction(uow: UnitOfWork, settled: OperationView) -> None:
        s = store(uow)
        order = s.orders.by_operation(settled.operation.id)
        assert order is not None, "a payment operation belongs to an order"
        view = payer_view(rt, uow, s, order, actor.user.id)
        shown.append(view)
        if record is not None:
            record(uow, view)

    conclude(rt, operation_id, call, in_transaction)
    return shown[-1]


def settle_card_payment(
    rt: Runtime, uow: UnitOfWork, operation: BankOperation, card: Card, reply: BankReply
) -> None:
    """Apply the bank's definite answer to a card payment and its order; called by
    `banking.settlement.apply_reply` with the operation row locked and still open."""
    s = store(uow)
    now = rt.clock.now()
    order = s.orders.by_operation(operation.id, for_update=True)
    live = (
        order is not None
        and order.status == OrderStatus.PAYING
        and order.operation_id == operation.id
    )
    if reply.status != BankStatus.SUCCEEDED:
        operation.fail(reply.reason or Reason.BANK_DECLINED, reply.reference, now)
        if order is not None and live:
            _reopen(uow, s, order, operation)
            _announce(rt, uow, s, order, operation, card)
        return
    if order is None or not live:
        # Orders leave "paying" only through here, so this cannot happen; were it ever to,
        # the money the bank took must still land somewhere: the payer's wallet.
        _credit_wallet_instead(rt, uow, operation, card, reply)
        return
    merchant = s.merchants.get(order.merchant_id)
    assert merchant is not None
    _post_card_payment(rt, uow, s, order, merchant, operation, card, reply)
    _announce(rt, uow, s, order, operation, card)


def _reopen(
    uow: UnitOfWork, s: MerchantStore, order: PaymentOrder, operation: BankOperation
) -> None:
    if order.coupon_id:
        s.coupons.release(order.coupon_id, order.id)
    # The money never left, so it must not eat into the payer's limits either.
    give_back_limits(
        uow,
        subject_id=operation.user_id,
        amount=operation.money,
        used_at=operation.created_at,
        counted=operation.limit_counted,
    )
    s.orders.reopen_after_decline(order.id, operation.id)


def _post_card_payment(
    rt: Runtime,
    uow: UnitOfWork,
    s: MerchantStore,
    order: PaymentOrder,
    merchant: Merchant,
    operation: BankOperation,
    card: Card,
    reply: BankReply,
) -> None:
    now = rt.clock.now()
    clearing = platform_account(
        rt, uow, AccountKind.BANK_CLEARING, operation.currency, operation.bank_code
    )
    legs, points = payment_legs(
        rt,
        uow,
        order=order,
        source_id=clearing.id,
        user_pays=operation.amount,
        discount=order.discount,
        payer_id=operation.user_id,
    )
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.PAYMENT,
        actor_id=operation.user_id,
        legs=legs,
        description="Merchant payment by bank card",
        details=payment_details(
            order, merchant, operation.user_id, discount=order.discount, points=points
        )
        | {"operation_id": operation.id, "bank": card.bank_code, "card_last4": card.last4},
    )
    completed = s.orders.complete_card_payment(
        order.id, operation.id, entry_id=posted.entry.id, paid_at=now, points=points
    )
    assert completed, "the order row is locked and paying with this operation"
    operation.succeed(posted.entry.id, reply.reference, now)
    paid = s.orders.get(order.id)
    assert paid is not None
    queue_webhook(rt, uow, merchant, PAYMENT_SUCCEEDED, payment_event(paid))


def _credit_wallet_instead(
    rt: Runtime, uow: UnitOfWork, operation: BankOperation, card: Card, reply: BankReply
) -> None:
    money = operation.money
    wallet = wallet_account(rt, uow, operation.user_id, money.currency)
    clearing = platform_account(
        rt, uow, AccountKind.BANK_CLEARING, money.currency, operation.bank_code
    )
    counterparty = f"{card.bank_code} ****{card.last4}"
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.TOPUP,
        actor_id=operation.user_id,
        description="Card payment credited to the wallet",
        details={"operation_id": operation.id, "from_name": counterparty, "to_name": counterparty},
        legs=[
            Leg(clearing.id, -money.minor, money.currency),
            Leg(wallet.id, money.minor, money.currency),
        ],
    )
    operation.succeed(posted.entry.id, reply.reference, rt.clock.now())


def _announce(
    rt: Runtime,
    uow: UnitOfWork,
    s: MerchantStore,
    order: PaymentOrder,
    operation: BankOperation,
    card: Card,
) -> None:
    """Tell the payer in-app how the charge ended, like a top-up's notice."""
    user = uow.users.get(operation.user_id)
    merchant = s.merchants.get(order.merchant_id)
    if user is None or merchant is None:
        return
    params: dict[str, object] = {
        "merchant": merchant.name,
        "amount": operation.money.format(user.locale),
        "last4": card.last4,
        "description": order.description,
    }
    template = CARD_PAYMENT_SUCCEEDED
    if operation.status == OperationStatus.FAILED:
        reason = explanation(operation.reason_code or "")
        params |= {"reason": Text(reason.message), "next_step": Text(reason.next_step)}
        template = CARD_PAYMENT_FAILED
    rt.outbox.notify_user(
        uow, now=rt.clock.now(), user=user, template=template, params=params, contacts=[]
    )
