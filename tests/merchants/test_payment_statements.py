"""What paying a merchant from the balance costs the database.

A payment's time under load is mostly its round trips to PostgreSQL (docs/benchmarks.md,
merchant mode), so the statements of a steady-state payment are counted: a new statement on
this path should be a decision, not an accident. The order is claimed with its merchant and
recorded as paid in one statement; the entry posts last (its link from the order is checked
at commit, migration 0011g), so no statement follows it on the hot rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.merchants.helpers import open_shop
from walletdesk.ledger.accounts import platform_account
from walletdesk.ledger.models import AccountKind
from walletdesk.ledger.money import POINTS, Money
from walletdesk.merchants import payments
from walletdesk.merchants.policy import SHARDS
from walletdesk.merchants.store import store
from walletdesk.runtime import Runtime

PAYMENT = {"postgresql": 9, "sqlite": 16}
"""A CNY payment from the balance, no coupon, screened, once the payer's accounts are known:
the claim (with the merchant on PostgreSQL; SQLite reads it apart), the payer under a share
lock, the limits (the table, the payer's overrides, the day's and the year's usage), the
risk decision and the movement's history row, the entry (`wd_post_entry` on PostgreSQL; on
SQLite, in process, the entry, four guarded balance updates, the postings and the event).
The engine's facts are one more round trip outside this hook (a pipelined read on the raw
connection)."""


@contextmanager
def statements(rt: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", record)


def test_a_payment_from_the_balance_sends_its_budget_of_statements(rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_in(rt, phone="13812345678", name="张明")
    fund(rt, zhang.user.id, "500.00")
    first, second = (
        payments.create_order(
            rt,
            shop.merchant,
            amount=Money.parse("38.50", "CNY"),
            merchant_order_id=f"S-{number}",
            description="杨枝甘露",
        ).order
        for number in (1, 2)
    )
    payments.pay(rt, zhang, first.id, coupon_id=None, locale="zh-CN")  # learns the accounts
    # Every shard of the merchant and of the points liability known, as in a long run.
    with rt.db.uow() as uow:
        for shard in range(SHARDS):
            platform_account(rt, uow, AccountKind.POINTS_LIABILITY, POINTS, f"s{shard}")
        uow.commit()
    with rt.db.uow(read_only=True) as uow:
        rt.account_ids.update({a.code: a.id for a in uow.accounts.all()})

    with statements(rt) as seen:
        view = payments.pay(rt, zhang, second.id, coupon_id=None, locale="zh-CN")

    assert view.state == "paid"
    assert len(seen) == PAYMENT[rt.db.engine.dialect.name], "\n".join(seen)
    with rt.db.uow(read_only=True) as uow:
        paid = store(uow).orders.get(second.id)
    assert paid is not None
    assert (paid.entry_id, paid.user_paid, paid.points_earned) == (view.order.entry_id, 3850, 38)
