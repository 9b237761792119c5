"""Read-only tools: what the assistant may look up for the signed-in customer it talks to.

Each tool reads through the ledger's and the bank's own read services for *this* user id (the
conversation's contact), so it sees exactly what the customer sees in their app and nothing
of anyone else. The dialogue checks the tier first: anonymous visitors get none of these but
the public ones (fees, exchange rates), and full transaction details need a step-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from walletdesk.banking import fee_config
from walletdesk.banking import history as _bank_history  # noqa: F401 - registers bank items
from walletdesk.bot import replies as r
from walletdesk.bot.replies import Line, say
from walletdesk.i18n import N_, Text
from walletdesk.ledger import fx_rates as ledger_fx
from walletdesk.ledger import wallets
from walletdesk.ledger.limits import limit_for, remaining
from walletdesk.ledger.money import Money

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

RECENT = 5
LOOK_BACK = 20
WITHDRAWAL_EXPECTED = timedelta(hours=2)
"""When a withdrawal normally reaches the card after it was made (banks on working days); the
assistant quotes it, it promises nothing the bank does not."""

KIND_NAMES = {
    "topup": N_("top-up"),
    "withdrawal": N_("withdrawal"),
    "transfer": N_("transfer"),
    "payment": N_("payment"),
    "refund": N_("refund"),
    "reversal": N_("reversal"),
    "fx": N_("currency exchange"),
    "hold_capture": N_("payment"),
    "adjustment": N_("adjustment"),
}
STATUS_NAMES = {
    "succeeded": N_("succeeded"),
    "processing": N_("processing"),
    "failed": N_("failed"),
}


@dataclass(frozen=True)
class Found:
    """A tool's answer: the lines to say, its outcome for the audit, and what it looked at."""

    lines: list[Line]
    outcome: str = "done"
    details: dict[str, Any] = field(default_factory=dict)


def _kind(kind: str) -> Text:
    return Text(KIND_NAMES.get(kind, kind))


def _status(status: str) -> Text:
    return Text(STATUS_NAMES.get(status, status))


def _recent(rt: Runtime, user_id: str, kinds: list[str] | None = None) -> list[wallets.HistoryItem]:
    page = wallets.user_history_page(
        rt, user_id, cursor=None, limit=LOOK_BACK, filters=wallets.HistoryFilter(kinds=kinds)
    )
    return page.items


def balances(rt: Runtime, user_id: str, locale: str) -> Found:
    lines = [say(r.BALANCE_INTRO)]
    for balance in wallets.user_balances(rt, user_id):
        lines.append(
            say(
                r.BALANCE_LINE,
                currency=balance.currency,
                available=balance.available.format(locale),
                held=balance.held.format(locale),
            )
        )
    return Found(lines)


def recent_transactions(rt: Runtime, user_id: str, locale: str) -> Found:
    return _transactions(rt, user_id, locale, detailed=False)


def transaction_details(rt: Runtime, user_id: str, locale: str) -> Found:
    """The sensitive read: references and counterparties (the dialogue asks for a step-up)."""
    return _transactions(rt, user_id, locale, detailed=True)


def _transactions(rt: Runtime, user_id: str, locale: str, *, detailed: bool) -> Found:
    items = _recent(rt, user_id)[:RECENT]
    if not items:
        return Found([say(r.NO_TRANSACTIONS)], "nothing_found")
    lines = [say(r.RECENT_INTRO)]
    for item in items:
        line: dict[str, object] = {
            "when": item.created_at,
            "kind": _kind(item.kind),
            "amount": item.amount.format(locale),
            "status": _status(item.status),
        }
        if detailed:
            line |= {"reference": item.entry_id, "counterparty": item.counterparty or "—"}
        lines.append(say(r.DETAIL_LINE if detailed else r.RECENT_LINE, **line))
    return Found(lines, details={"count": len(items)})


def topup_failure(rt: Runtime, user_id: str, locale: str) -> Found:
    """The last top-up that failed or is still at the bank, with the ledger's reason."""
    for item in _recent(rt, user_id, ["topup"]):
        if item.status == "failed" and item.failure_message:
            line = say(
                r.TOPUP_FAILED,
                amount=item.amount.format(locale),
                when=item.created_at,
                reason=Text(item.failure_message),
                next_step=Text(item.next_step or ""),
            )
            return Found(
                [line], details={"operation_id": item.entry_id, "reason": item.failure_code}
            )
        if item.status == "processing":
            line = say(
                r.TOPUP_PROCESSING,
                amount=item.amount.format(locale),
                when=item.created_at,
                reason=Text(item.next_step or N_("We are waiting for the bank's answer.")),
            )
            return Found([line], details={"operation_id": item.entry_id})
    return Found([say(r.NO_FAILED_TOPUP)], "nothing_found")


def withdrawal_status(rt: Runtime, user_id: str, locale: str) -> Found:
    items = _recent(rt, user_id, ["withdrawal"])
    if not items:
        return Found([say(r.NO_WITHDRAWAL)], "nothing_found")
    last = items[0]
    amount = (-last.amount).format(locale)
    if last.status == "processing":
        line = say(
            r.WITHDRAWAL_PROCESSING,
            amount=amount,
            when=last.created_at,
            expected=last.created_at + WITHDRAWAL_EXPECTED,
        )
    elif last.status == "failed":
        line = say(
            r.WITHDRAWAL_FAILED,
            amount=amount,
            when=last.created_at,
            reason=Text(last.failure_message or ""),
            next_step=Text(last.next_step or ""),
        )
    else:
        line = say(r.NO_PENDING_WITHDRAWAL, status=_status(last.status))
    return Found([line], details={"operation_id": last.entry_id, "status": last.status})


def transfer_status(rt: Runtime, user_id: str, locale: str) -> Found:
    items = [i for i in _recent(rt, user_id, ["transfer"]) if i.amount.minor < 0]
    if not items:
        return Found([say(r.NO_TRANSFER)], "nothing_found")
    last = items[0]
    line = say(
        r.TRANSFER_STATUS,
        amount=(-last.amount).format(locale),
        counterparty=last.counterparty or "—",
        when=last.created_at,
        status=_status(last.status),
    )
    return Found([line], details={"entry_id": last.entry_id, "status": last.status})


def remaining_limits(rt: Runtime, user_id: str, locale: str) -> Found:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        user = uow.users.get(user_id)
        assert user is not None
        limit = limit_for(user.kyc_tier, uow=uow, user_id=user_id, at=now)
        left = remaining(uow, subject_id=user_id, limit=limit, at=now)
    line = say(
        r.LIMITS,
        **{name: Money(value, "CNY").format(locale) for name, value in left.items()},
    )
    return Found([line, say(r.LIMIT_RAISE_HOW)], details={"day_left": left["day"]})


def fees(rt: Runtime, user_id: str | None, locale: str) -> Found:
    schedule = fee_config.schedule_now(rt)  # as an admin last set it
    line = say(
        r.FEES,
        free=schedule.free_per_month,
        rate=f"{schedule.basis_points / 100:g}",
        minimum=schedule.minimum.format(locale),
    )
    return Found([line])


def fx_rates(rt: Runtime, user_id: str | None, locale: str) -> Found:
    rates = ledger_fx.rates_now(rt)
    if not rates:
        return Found([say(r.NO_FX)], "nothing_found")
    lines = [say(r.FX_INTRO)]
    for rate in rates:
        lines.append(
            say(
                r.FX_LINE,
                currency=rate.base,
                buy=f"{rate.customer_buys_at():.4f}",
                sell=f"{rate.customer_sells_at():.4f}",
            )
        )
    return Found(lines)


ReadTool = Callable[["Runtime", str, str], Found]
READERS: dict[str, ReadTool] = {
    "balances": balances,
    "recent_transactions": recent_transactions,
    "transaction_details": transaction_details,
    "topup_failure": topup_failure,
    "withdrawal_status": withdrawal_status,
    "transfer_status": transfer_status,
    "remaining_limits": remaining_limits,
    "fees": fees,
    "fx_rates": fx_rates,
}
