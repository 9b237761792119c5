"""What a user sees of their money: balances per currency and the transaction history."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import NotFound
from walletdesk.ledger.limits import limit_for, remaining
from walletdesk.ledger.models import AccountKind
from walletdesk.ledger.money import DEFAULT_CURRENCY, Money

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

PAGE_MAX = 100
POSTED_STATUS = "succeeded"
"""A posting is money that moved: its history item is always settled."""
HISTORY_STATUSES = frozenset(
    {POSTED_STATUS, "processing", "failed", "under_review", "cancelled", "declined"}
)
"""Every status a history item can have: postings, the bank's operations, held movements."""


@dataclass(frozen=True)
class WalletBalance:
    currency: str
    available: Money
    held: Money
    """Reserved: under review or being processed by a bank (冻结/处理中)."""
    total: Money


def balances(rt: Runtime, actor: Authenticated) -> list[WalletBalance]:
    return user_balances(rt, actor.user.id)


def user_balances(rt: Runtime, user_id: str) -> list[WalletBalance]:
    """`balances` of any user (the caller has checked who may see them)."""
    with rt.db.uow(read_only=True) as uow:
        accounts = [a for a in uow.accounts.for_owner(user_id) if a.kind == AccountKind.WALLET]
    found = {
        a.currency: WalletBalance(
            a.currency,
            Money(a.available, a.currency),
            Money(a.held, a.currency),
            Money(a.posted, a.currency),
        )
        for a in accounts
    }
    if DEFAULT_CURRENCY not in found:
        zero = Money.zero(DEFAULT_CURRENCY)
        found[DEFAULT_CURRENCY] = WalletBalance(DEFAULT_CURRENCY, zero, zero, zero)
    return sorted(found.values(), key=lambda b: (b.currency != DEFAULT_CURRENCY, b.currency))


def limits_left(rt: Runtime, actor: Authenticated) -> dict[str, Money]:
    with rt.db.uow(read_only=True) as uow:
        now = rt.clock.now()
        limit = limit_for(actor.user.kyc_tier, uow=uow, user_id=actor.user.id, at=now)
        left = remaining(uow, subject_id=actor.user.id, limit=limit, at=now)
    return {name: Money(value, "CNY") for name, value in left.items()}


@dataclass(frozen=True)
class HistoryItem:
    cursor: int
    entry_id: str
    kind: str
    amount: Money
    """Signed: negative when money left this wallet."""
    balance_after: Money
    """Only meaningful when `in_ledger`; zero for the other items."""
    created_at: datetime
    status: str
    counterparty: str | None
    note: str | None
    reversal_of: str | None
    in_ledger: bool = True
    """False for a movement not (yet) posted: still processing or failed at a bank."""
    failure_code: str | None = None
    failure_message: str | None = None
    """A msgid saying why it failed (or is still open), translated at the edge."""
    next_step: str | None = None
    """A msgid saying what the user can do about it."""
    expected_by: datetime | None = None
    """Under review (审核中, a movement held by the risk engine): when a decision is expected."""


@dataclass(frozen=True)
class HistoryFilter:
    kinds: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    direction: str | None = None  # "in" or "out"
    statuses: list[str] | None = None
    """Keep only items in one of these statuses (`HistoryItem.status`); None keeps all.
    Postings are always "succeeded"; the other statuses come from `EXTRA_HISTORY`."""

    def wants_postings(self) -> bool:
        return not self.statuses or POSTED_STATUS in self.statuses


@dataclass(frozen=True)
class HistoryWindow:
    """The span of one history page, for movements merged into it that are not postings."""

    user_id: str
    before_cursor: int | None
    """The page starts just below this posting (None: the newest page)."""
    oldest: datetime | None
    """The page's oldest posting time (None: the last page, everything older belongs here)."""


HistorySource = Callable[["Runtime", HistoryWindow, HistoryFilter], list[HistoryItem]]
EXTRA_HISTORY: list[HistorySource] = []
"""Sources of movements that are not (yet) postings, such as a top-up still at the bank or a
declined withdrawal; modules register here when imported and their items join the pages."""


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    next_cursor: int | None


def history_page(
    rt: Runtime,
    actor: Authenticated,
    *,
    cursor: int | None,
    limit: int,
    filters: HistoryFilter,
) -> HistoryPage:
    """A page of postings, newest first, with the registered sources' items of the same
    time span merged in; the cursor follows the postings."""
    return user_history_page(rt, actor.user.id, cursor=cursor, limit=limit, filters=filters)


def user_history_page(
    rt: Runtime,
    user_id: str,
    *,
    cursor: int | None,
    limit: int,
    filters: HistoryFilter,
) -> HistoryPage:
    """`history_page` of any user (the caller has checked who may see it).

    The status filter applies before paging, so a page is never emptied by it. When it
    leaves out "succeeded", no posting can match: the page is then every matching movement
    older than the cursor (processing, failed or held ones are few), with no next cursor."""
    size = min(limit, PAGE_MAX)
    posted = user_history(rt, user_id, cursor=cursor, limit=size, filters=filters)
    full = len(posted) == size
    window = HistoryWindow(user_id, cursor, posted[-1].created_at if full else None)
    extra = [
        item
        for source in EXTRA_HISTORY
        for item in source(rt, window, filters)
        if not filters.statuses or item.status in filters.statuses
    ]
    items = sorted(posted + extra, key=lambda item: item.created_at, reverse=True)
    return HistoryPage(items, posted[-1].cursor if full else None)


def history(
    rt: Runtime,
    actor: Authenticated,
    *,
    cursor: int | None,
    limit: int,
    filters: HistoryFilter,
) -> list[HistoryItem]:
    return user_history(rt, actor.user.id, cursor=cursor, limit=limit, filters=filters)


def user_history(
    rt: Runtime,
    user_id: str,
    *,
    cursor: int | None,
    limit: int,
    filters: HistoryFilter,
) -> list[HistoryItem]:
    """`history` of any user (the caller has checked who may see it)."""
    if not filters.wants_postings():
        return []
    with rt.db.uow(read_only=True) as uow:
        accounts = [a.id for a in uow.accounts.for_owner(user_id) if a.kind == AccountKind.WALLET]
        if not accounts:
            return []
        rows = uow.journal.history(
            accounts,
            before_id=cursor,
            limit=min(limit, PAGE_MAX) * 2,
            kinds=filters.kinds,
            since=filters.since,
            until=filters.until,
            min_amount=filters.min_amount.minor if filters.min_amount else None,
            max_amount=filters.max_amount.minor if filters.max_amount else None,
        )
    items = [_item(row, user_id) for row in rows]
    if filters.direction == "in":
        items = [i for i in items if i.amount.minor > 0]
    elif filters.direction == "out":
        items = [i for i in items if i.amount.minor < 0]
    return items[: min(limit, PAGE_MAX)]


def _item(row: dict[str, object], user_id: str) -> HistoryItem:
    details = json.loads(str(row["details"]))
    amount = int(str(row["amount"]))
    currency = str(row["currency"])
    if details.get("to_user") == user_id:
        counterparty = details.get("from_name")
    else:
        counterparty = details.get("to_name")
    return HistoryItem(
        cursor=int(str(row["posting_id"])),
        entry_id=str(row["entry_id"]),
        kind=str(row["kind"]),
        amount=Money(amount, currency),
        balance_after=Money(int(str(row["balance_after"])), currency),
        created_at=row["created_at"],  # type: ignore[arg-type]
        status="succeeded",
        counterparty=counterparty,
        note=details.get("note"),
        reversal_of=row["reverses_entry_id"],  # type: ignore[arg-type]
    )


TransactionSource = Callable[["Runtime", "Authenticated", str], "HistoryItem | None"]
EXTRA_TRANSACTIONS: list[TransactionSource] = []
"""Lookups of one movement by an id that is not a journal entry's (a bank operation still at
the bank, or declined); each answers None unless the id is the actor's. Modules register here
when imported, like EXTRA_HISTORY."""


def transaction(rt: Runtime, actor: Authenticated, transaction_id: str) -> HistoryItem:
    """One movement as the actor sees it in their history: a journal entry that touched one of
    their wallets, or one of the registered movements (a top-up or withdrawal by its bank
    operation id). Anyone else's id looks missing: 404 either way."""
    item = entry_transaction(rt, actor, transaction_id)
    if item is not None:
        return item
    for source in EXTRA_TRANSACTIONS:
        item = source(rt, actor, transaction_id)
        if item is not None:
            return item
    raise NotFound("transaction_not_found")


def entry_transaction(rt: Runtime, actor: Authenticated, entry_id: str) -> HistoryItem | None:
    """The entry as a history item; None unless it touched one of the actor's wallets."""
    with rt.db.uow(read_only=True) as uow:
        accounts = {
            a.id for a in uow.accounts.for_owner(actor.user.id) if a.kind == AccountKind.WALLET
        }
        mine = [p for p in uow.journal.postings_of(entry_id) if p.account_id in accounts]
        if not mine:
            return None
        rows = uow.journal.history(
            list(accounts), before_id=mine[0].id + 1 if mine[0].id else None, limit=1
        )
    if not rows or rows[0]["entry_id"] != entry_id:
        return None
    return _item(rows[0], actor.user.id)
