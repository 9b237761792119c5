"""The claim of a balance payment: one guarded UPDATE that marks a payable order paid, names
the entry the payment will post, and returns the order with its merchant
(`PaymentOrderRepository.claim_with_merchant` documents the contract)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    Update,
    bindparam,
    case,
    or_,
    select,
    update,
)

from walletdesk.merchants.models import Merchant, OrderStatus, PaidWith, PaymentOrder
from walletdesk.storage import tables_merchants as m


@functools.cache
def _claim(with_merchant: bool) -> Update:
    """The claim of a balance payment, built once (see `claim_with_merchant`)."""
    c = m.payment_orders.c
    statement = (
        update(m.payment_orders)
        .where(
            c.id == bindparam("_order_id"),
            c.status == OrderStatus.PENDING,
            c.expires_at > bindparam("_now"),
            or_(c.payer_id.is_(None), c.payer_id == bindparam("_payer_id")),
        )
        .values(
            status=OrderStatus.PAID,
            payer_id=bindparam("_payer_id"),
            paid_at=bindparam("_now"),
            method=PaidWith.BALANCE,
            entry_id=bindparam("_entry_id"),
            # The payment without a coupon, as `pay` will post it (it checks the guess).
            user_paid=c.amount,
            points_earned=case(
                (c.currency == bindparam("_points_currency"), c.amount // 100),
                else_=0,
            )
            * bindparam("_points_per_yuan", type_=BigInteger),
        )
    )
    if not with_merchant:
        return statement.returning(*c)
    return statement.where(m.merchants.c.id == c.merchant_id).returning(
        *c, *(column.label(f"m_{column.name}") for column in m.merchants.c)
    )


@functools.cache
def _merchant_by_id() -> Select[Any]:
    return select(m.merchants).where(m.merchants.c.id == bindparam("_merchant_id"))


def _merchant(connection: Connection, merchant_id: str) -> Merchant:
    """SQLite's second statement: it cannot return the FROM table's columns."""
    row = connection.execute(_merchant_by_id(), {"_merchant_id": merchant_id}).first()
    assert row is not None, "orders reference their merchant"
    return Merchant(**row._mapping)


def claim_with_merchant(
    connection: Connection,
    order_id: str,
    payer_id: str,
    now: datetime,
    *,
    entry_id: str,
    points_per_yuan: int,
    points_currency: str,
) -> tuple[PaymentOrder, Merchant] | None:
    values = {
        "_order_id": order_id,
        "_payer_id": payer_id,
        "_now": now,
        "_entry_id": entry_id,
        "_points_per_yuan": points_per_yuan,
        "_points_currency": points_currency,
    }
    if connection.dialect.name != "postgresql":
        row = connection.execute(_claim(False), values).first()
        if row is None:
            return None
        order = PaymentOrder(**row._mapping)
        return order, _merchant(connection, order.merchant_id)
    row = connection.execute(_claim(True), values).first()
    if row is None:
        return None
    mapping = row._mapping
    order = PaymentOrder(**{c.name: mapping[c.name] for c in m.payment_orders.c})
    merchant = Merchant(**{c.name: mapping[f"m_{c.name}"] for c in m.merchants.c})
    return order, merchant
