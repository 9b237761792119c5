"""Monthly bills (月账单), CSV export and point-in-time balances.

A month is a Beijing-time calendar month. Categories group entry kinds the way people read a
bill: money in, money out, and what kind of movement it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.ledger.accounts import wallet_code
from walletdesk.ledger.money import Money, check_currency
from walletdesk.ledger.wallets import HistoryFilter, HistoryItem, history

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

BEIJING = ZoneInfo("Asia/Shanghai")
CATEGORY_NAMES: dict[str, str] = {
    "topup": N_("Top-ups"),
    "withdrawal": N_("Withdrawals"),
    "transfer_in": N_("Transfers received"),
    "transfer_out": N_("Transfers sent"),
    "payment": N_("Payments"),
    "refund": N_("Refunds"),
    "fx": N_("Currency exchange"),
    "reversal": N_("Reversals"),
    "other": N_("Other"),
}


def category_of(item: HistoryItem) -> str:
    if item.kind == "transfer":
        return "transfer_in" if item.amount.minor > 0 else "transfer_out"
    return item.kind if item.kind in CATEGORY_NAMES else "other"


@dataclass(frozen=True)
class BillLine:
    category: str
    name: str
    count: int
    total: Money
    """Signed: what this category added to (or took from) the wallet."""


@dataclass(frozen=True)
class MonthlyBill:
    month: str
    currency: str
    money_in: Money
    money_out: Money
    lines: list[BillLine]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise ValidationFailed(
            "invalid_month", N_("Give the month as YYYY-MM, for example 2026-11."), field="month"
        ) from exc
    end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    return start, end


def _all_items(
    rt: Runtime, actor: Authenticated, filters: HistoryFilter, currency: str | None
) -> Iterator[HistoryItem]:
    cursor: int | None = None
    while True:
        page = history(rt, actor, cursor=cursor, limit=100, filters=filters)
        for item in page:
            if currency is None or item.amount.currency == currency:
                yield item
        if len(page) < 100:
            return
        cursor = page[-1].cursor


def monthly_bill(
    rt: Runtime, actor: Authenticated, *, month: str, currency: str, locale: str
) -> MonthlyBill:
    code = check_currency(currency)
    since, until = month_bounds(month)
    totals: dict[str, tuple[int, int]] = {}
    money_in = money_out = 0
    for item in _all_items(rt, actor, HistoryFilter(since=since, until=until), code):
        category = category_of(item)
        count, total = totals.get(category, (0, 0))
        totals[category] = (count + 1, total + item.amount.minor)
        if item.amount.minor > 0:
            money_in += item.amount.minor
        else:
            money_out -= item.amount.minor
    lines = [
        BillLine(category, translate(CATEGORY_NAMES[category], locale), count, Money(total, code))
        for category, (count, total) in sorted(totals.items(), key=lambda kv: kv[1][1])
    ]
    return MonthlyBill(month, code, Money(money_in, code), Money(money_out, code), lines)


CSV_COLUMNS = (
    "time",
    "id",
    "type",
    "amount",
    "currency",
    "balance_after",
    "counterparty",
    "note",
    "status",
)


def csv_rows(rt: Runtime, actor: Authenticated, filters: HistoryFilter) -> Iterator[str]:
    """The history as CSV, one chunk per row, fetched page by page (streams, never buffers
    the whole history). Cells starting with = + - @ are quoted against spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()  # a BOM so spreadsheet apps read the Chinese correctly
    for item in _all_items(rt, actor, filters, None):
        writer.writerow(
            [
                item.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
                item.entry_id,
                item.kind,
                item.amount.to_string(),
                item.amount.currency,
                item.balance_after.to_string(),
                _safe(item.counterparty),
                _safe(item.note),
                item.status,
            ]
        )
        yield flush()


def _safe(value: str | None) -> str:
    text = value or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def balance_at(rt: Runtime, actor: Authenticated, *, currency: str, at: datetime) -> Money:
    """The wallet's posted balance as it stood at `at` (from the postings' running balance)."""
    code = check_currency(currency)
    with rt.db.uow(read_only=True) as uow:
        account = uow.accounts.get_by_code(wallet_code(actor.user.id, code))
        if account is None:
            return Money.zero(code)
        return Money(uow.journal.balance_at(account.id, at), code)
