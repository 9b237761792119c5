"""Storage for merchants, payment orders, refunds, coupon campaigns and coupons.

The money-safety rules are guarded UPDATEs: each checks its condition and changes the row in
one statement, so two transactions can never both pass the same check (no check-then-act).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from walletdesk.ledger.models import LedgerAccount
from walletdesk.merchants.models import (
    Coupon,
    CouponCampaign,
    Merchant,
    OrderStatus,
    PaidWith,
    PaymentOrder,
    Refund,
)
from walletdesk.storage import tables as t
from walletdesk.storage import tables_merchants as m
from walletdesk.storage.repositories.base import DataclassRepository, insert_ignoring_conflicts
from walletdesk.storage.repositories.merchant_claims import claim_with_merchant


def _inserted(connection: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True if the row went in. Asks RETURNING rather
    than the rowcount, which psycopg 3 under SQLAlchemy 2.1 reports as -1 for inserts."""
    statement = insert_ignoring_conflicts(connection, table).values(values)
    return connection.execute(statement.returning(table.c.id)).first() is not None


class MerchantRepository(DataclassRepository[Merchant]):
    table = m.merchants
    model = Merchant

    def get_by_key_hash(self, digest: str) -> Merchant | None:
        return self._one(select(m.merchants).where(m.merchants.c.api_key_hash == digest))


class PaymentOrderRepository(DataclassRepository[PaymentOrder]):
    table = m.payment_orders
    model = PaymentOrder

    def add_once(self, order: PaymentOrder) -> bool:
        """Insert unless the merchant already used this merchant_order_id."""
        return _inserted(self.connection, m.payment_orders, self._values(order))

    def by_merchant_order_id(self, merchant_id: str, merchant_order_id: str) -> PaymentOrder | None:
        c = m.payment_orders.c
        return self._one(
            select(m.payment_orders).where(
                c.merchant_id == merchant_id, c.merchant_order_id == merchant_order_id
            )
        )

    def claim_with_merchant(
        self,
        order_id: str,
        payer_id: str,
        now: datetime,
        *,
        entry_id: str,
        points_per_yuan: int,
        points_currency: str = "CNY",
    ) -> tuple[PaymentOrder, Merchant] | None:
        """Mark a pending, unexpired order paid from `payer_id`'s balance, if no other payer
        is named on it; returns the claimed order and its merchant, None if it was not payable.
        The row stays locked until commit, so a second payer waits and then finds it paid.

        The same statement records the payment as it posts without a coupon: `entry_id`,
        the whole amount paid from the wallet and the points that earns (a caller whose
        payment differs corrects it with `record_payment`). `entry_id` must name an entry
        the transaction posts before it commits, when the link is checked (migration 0011g).

        On PostgreSQL one round trip (UPDATE … FROM merchants … RETURNING both rows); SQLite
        cannot return the FROM table's columns and reads the merchant after."""
        return claim_with_merchant(
            self.connection,
            order_id,
            payer_id,
            now,
            entry_id=entry_id,
            points_per_yuan=points_per_yuan,
            points_currency=points_currency,
        )

    def record_payment(
        self,
        order_id: str,
        *,
        entry_id: str,
        user_paid: int,
        discount: int,
        coupon_id: str | None,
        points_earned: int,
    ) -> None:
        self.connection.execute(
            update(m.payment_orders)
            .where(m.payment_orders.c.id == order_id)
            .values(
                entry_id=entry_id,
                user_paid=user_paid,
                discount=discount,
                coupon_id=coupon_id,
                points_earned=points_earned,
            )
        )

    def claim_for_card(self, order_id: str, payer_id: str, now: datetime) -> bool:
        """Mark a pending, unexpired order as being paid by `payer_id`'s card; False if it is
        not payable. Nobody else can claim it until the bank's answer reopens or completes it."""
        c = m.payment_orders.c
        result = self.connection.execute(
            update(m.payment_orders)
            .where(c.id == order_id, c.status == OrderStatus.PENDING, c.expires_at > now)
            .values(status=OrderStatus.PAYING, payer_id=payer_id, method=PaidWith.CARD)
        )
        return bool(result.rowcount)

    def start_card_attempt(
        self,
        order_id: str,
        *,
        operation_id: str,
        user_paid: int,
        discount: int,
        coupon_id: str | None,
    ) -> None:
        self.connection.execute(
            update(m.payment_orders)
            .where(m.payment_orders.c.id == order_id)
            .values(
                operation_id=operation_id,
                user_paid=user_paid,
                discount=discount,
                coupon_id=coupon_id,
            )
        )

    def by_operation(self, operation_id: str, *, for_update: bool = False) -> PaymentOrder | None:
        statement = select(m.payment_orders).where(m.payment_orders.c.operation_id == operation_id)
        return self._one(statement.with_for_update() if for_update else statement)

    def complete_card_payment(
        self, order_id: str, operation_id: str, *, entry_id: str, paid_at: datetime, points: int
    ) -> bool:
        """paying → paid, only for the card attempt `operation_id`."""
        c = m.payment_orders.c
        result = self.connection.execute(
            update(m.payment_orders)
            .where(
                c.id == order_id,
                c.status == OrderStatus.PAYING,
                c.operation_id == operation_id,
            )
            .values(
                status=OrderStatus.PAID, entry_id=entry_id, paid_at=paid_at, points_earned=points
            )
        )
        return bool(result.rowcount)

    def reopen_after_decline(self, order_id: str, operation_id: str) -> bool:
        """paying → pending (payable by anyone holding it again), for the declined attempt.
        `operation_id` stays, so its payer can still read why the bank said no."""
        c = m.payment_orders.c
        result = self.connection.execute(
            update(m.payment_orders)
            .where(
                c.id == order_id,
                c.status == OrderStatus.PAYING,
                c.operation_id == operation_id,
            )
            .values(
                status=OrderStatus.PENDING,
                payer_id=None,
                method=None,
                user_paid=0,
                discount=0,
                coupon_id=None,
            )
        )
        return bool(result.rowcount)

    def hold_for_review(
        self, order_id: str, *, user_paid: int, discount: int, coupon_id: str | None
    ) -> None:
        """A balance payment the risk engine held (risk screening): the order it claimed
        (paid) is paying instead until a reviewer decides; nobody else can pay it meanwhile."""
        self.connection.execute(
            update(m.payment_orders)
            .where(
                m.payment_orders.c.id == order_id,
                m.payment_orders.c.status == OrderStatus.PAID,
            )
            .values(
                status=OrderStatus.PAYING,
                paid_at=None,
                entry_id=None,  # the claim may have named the entry it would have posted
                points_earned=0,
                user_paid=user_paid,
                discount=discount,
                coupon_id=coupon_id,
            )
        )

    def complete_after_review(
        self, order_id: str, *, entry_id: str, paid_at: datetime, points: int
    ) -> bool:
        """paying → paid for a balance payment a reviewer approved."""
        c = m.payment_orders.c
        result = self.connection.execute(
            update(m.payment_orders)
            .where(
                c.id == order_id,
                c.status == OrderStatus.PAYING,
                c.method == PaidWith.BALANCE,
            )
            .values(
                status=OrderStatus.PAID, entry_id=entry_id, paid_at=paid_at, points_earned=points
            )
        )
        return bool(result.rowcount)

    def reopen_after_review(self, order_id: str) -> bool:
        """paying → pending (payable again) for a balance payment declined or cancelled in
        review."""
        c = m.payment_orders.c
        result = self.connection.execute(
            update(m.payment_orders)
            .where(
                c.id == order_id,
                c.status == OrderStatus.PAYING,
                c.method == PaidWith.BALANCE,
            )
            .values(
                status=OrderStatus.PENDING,
                payer_id=None,
                method=None,
                user_paid=0,
                discount=0,
                coupon_id=None,
                fx_entry_id=None,
                fx_bought=0,
                fx_sold=0,
            )
        )
        return bool(result.rowcount)

    def record_conversion(
        self, order_id: str, *, fx_entry_id: str, fx_bought: int, fx_sold: int
    ) -> None:
        self.connection.execute(
            update(m.payment_orders)
            .where(m.payment_orders.c.id == order_id)
            .values(fx_entry_id=fx_entry_id, fx_bought=fx_bought, fx_sold=fx_sold)
        )

    def card_paid_of_user(
        self, user_id: str, *, newest: datetime | None, oldest: datetime | None
    ) -> list[PaymentOrder]:
        """Orders the user paid by card, paid in [oldest, newest), newest first."""
        c = m.payment_orders.c
        statement = select(m.payment_orders).where(
            c.payer_id == user_id, c.method == PaidWith.CARD, c.status == OrderStatus.PAID
        )
        if newest is not None:
            statement = statement.where(c.paid_at < newest)
        if oldest is not None:
            statement = statement.where(c.paid_at >= oldest)
        return self._many(statement.order_by(c.paid_at.desc(), c.id.desc()))

    def add_refunded(self, order_id: str, amount: int) -> int | None:
        """refunded += amount unless that passes the amount paid; returns the new total or
        None when refused. The cap is in the UPDATE itself: concurrent refunds queue on the
        row and each sees the total the previous one committed."""
        c = m.payment_orders.c
        row = self.connection.execute(
            update(m.payment_orders)
            .where(
                c.id == order_id,
                c.status == OrderStatus.PAID,
                c.refunded + amount <= c.amount,
            )
            .values(refunded=c.refunded + amount)
            .returning(c.refunded)
        ).first()
        return int(row.refunded) if row else None


class RefundRepository(DataclassRepository[Refund]):
    table = m.refunds
    model = Refund

    def add_once(self, refund: Refund) -> bool:
        """Claim (payment, out_request_no); False if that request number already exists.
        On PostgreSQL a concurrent claim of the same number waits for ours to finish."""
        return _inserted(self.connection, m.refunds, self._values(refund))

    def by_request(self, payment_id: str, out_request_no: str) -> Refund | None:
        c = m.refunds.c
        return self._one(
            select(m.refunds).where(c.payment_id == payment_id, c.out_request_no == out_request_no)
        )

    def for_payment(self, payment_id: str) -> list[Refund]:
        c = m.refunds.c
        return self._many(
            select(m.refunds).where(c.payment_id == payment_id).order_by(c.created_at, c.id)
        )


class CouponCampaignRepository(DataclassRepository[CouponCampaign]):
    table = m.coupon_campaigns
    model = CouponCampaign

    def take_one(self, campaign_id: str, now: datetime) -> bool:
        """Count one more coupon issued, unless the campaign ran out or ended."""
        c = m.coupon_campaigns.c
        result = self.connection.execute(
            update(m.coupon_campaigns)
            .where(c.id == campaign_id, c.issued < c.quantity, c.expires_at > now)
            .values(issued=c.issued + 1)
        )
        return bool(result.rowcount)


class CouponRepository(DataclassRepository[Coupon]):
    table = m.coupons
    model = Coupon

    def for_user(self, user_id: str) -> list[Coupon]:
        c = m.coupons.c
        return self._many(
            select(m.coupons).where(c.user_id == user_id).order_by(c.expires_at, c.id)
        )

    def use(self, coupon_id: str, user_id: str, payment_id: str, now: datetime) -> bool:
        """Spend the coupon once: False if it is not the user's, already used or expired."""
        c = m.coupons.c
        result = self.connection.execute(
            update(m.coupons)
            .where(
                c.id == coupon_id,
                c.user_id == user_id,
                c.used_at.is_(None),
                c.expires_at > now,
            )
            .values(used_at=now, payment_id=payment_id)
        )
        return bool(result.rowcount)

    def release(self, coupon_id: str, payment_id: str) -> None:
        """Un-spend a coupon whose card payment the bank declined."""
        c = m.coupons.c
        self.connection.execute(
            update(m.coupons)
            .where(c.id == coupon_id, c.payment_id == payment_id)
            .values(used_at=None, payment_id=None)
        )


class AccountLocks:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock_by_codes(self, codes: list[str]) -> list[LedgerAccount]:
        """Lock the accounts with these codes in id order (the order `post_entry` updates
        them in), so this lock can never form a cycle with a posting. SQLite's single writer
        needs no row locks; there this is a plain read."""
        rows = self.connection.execute(
            select(t.ledger_accounts)
            .where(t.ledger_accounts.c.code.in_(codes))
            .order_by(t.ledger_accounts.c.id)
            .with_for_update()
        )
        return [LedgerAccount(**row._mapping) for row in rows]


class MerchantStore:
    """The merchant repositories bound to one unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.merchants = MerchantRepository(connection)
        self.orders = PaymentOrderRepository(connection)
        self.refunds = RefundRepository(connection)
        self.campaigns = CouponCampaignRepository(connection)
        self.coupons = CouponRepository(connection)
        self.locks = AccountLocks(connection)
