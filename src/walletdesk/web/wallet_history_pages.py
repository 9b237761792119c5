"""What happened to the money: the transaction list (filters and cursor paging), one
transaction with its status and, when it failed, why in plain words and what to do next, and
the monthly bill with a chart by category."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError, ValidationFailed
from walletdesk.i18n import N_, translate
from walletdesk.ledger import bills, wallets
from walletdesk.ledger.money import DEFAULT_CURRENCY, SUPPORTED_CURRENCIES, Money
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.forms import failed_form, failure_status, text
from walletdesk.web.rendering import BEIJING, page_locale
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_chart import ChartRow, bar_chart
from walletdesk.web.wallet_view import (
    FILTER_KINDS,
    HELP_ARTICLES,
    beijing_month,
    blank_form,
    shifted_month,
    signed_money,
    wallet_render,
)

router = APIRouter(
    prefix="/wallet", dependencies=[Depends(csrf_protected)], include_in_schema=False
)

PAGE_SIZE: Final = 20
STATUSES: Final = ("succeeded", "processing", "under_review", "failed", "declined", "cancelled")
"""The status filter's choices: every status a history item can have (`wallets.HISTORY_STATUSES`),
in the order a person thinks of them."""
_FILTERS: Final = ("type", "status", "since", "until", "min_amount", "max_amount", "currency")


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "invalid_date", N_("Enter a date like 2026-11-23."), field=field
        ) from None


def _start_of(day: date) -> datetime:
    """Midnight in Beijing: the filters' days are the days people see."""
    return datetime.combine(day, time(), tzinfo=BEIJING)


def _filters(values: dict[str, str]) -> wallets.HistoryFilter:
    since = _day(values["since"], "since")
    until = _day(values["until"], "until")
    currency = values["currency"]
    return wallets.HistoryFilter(
        kinds=[values["type"]] if values["type"] in FILTER_KINDS else None,
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
        min_amount=(
            Money.parse(values["min_amount"], currency, field="min_amount")
            if values["min_amount"]
            else None
        ),
        max_amount=(
            Money.parse(values["max_amount"], currency, field="max_amount")
            if values["max_amount"]
            else None
        ),
        statuses=[values["status"]] if values["status"] in STATUSES else None,
    )


@router.get("/transactions")
def transactions_page(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    type: str = "",  # noqa: A002 - the filter's name in the address
    status: str = "",
    since: str = "",
    until: str = "",
    min_amount: str = "",
    max_amount: str = "",
    currency: str = DEFAULT_CURRENCY,
    cursor: int | None = None,
) -> Response:
    values = {
        "type": text(type, 20),
        "status": text(status, 20),
        "since": text(since, 10),
        "until": text(until, 10),
        "min_amount": text(min_amount, 32).strip(),
        "max_amount": text(max_amount, 32).strip(),
        "currency": code if (code := currency.upper()) in SUPPORTED_CURRENCIES else "CNY",
    }
    context = {"kinds": FILTER_KINDS, "statuses": STATUSES, "currencies": SUPPORTED_CURRENCIES}
    try:
        filters = _filters(values)
    except DomainError as exc:
        form = failed_form(exc, page_locale(request), fields=_FILTERS, values=values)
        return wallet_render(
            request,
            "wallet/transactions.html",
            {
                **context,
                "form": form,
                "items": [],
                "next_url": None,
                "first_url": None,
                "filtered": True,
            },
            status_code=failure_status(exc),
        )
    page = wallets.history_page(rt, actor, cursor=cursor, limit=PAGE_SIZE, filters=filters)
    kept = {k: v for k, v in values.items() if v}
    next_url = (
        f"/wallet/transactions?{urlencode({**kept, 'cursor': page.next_cursor})}"
        if page.next_cursor is not None
        else None
    )
    return wallet_render(
        request,
        "wallet/transactions.html",
        {
            **context,
            "form": blank_form(values),
            "items": page.items,
            "next_url": next_url,
            "first_url": f"/wallet/transactions?{urlencode(kept)}" if cursor else None,
            "filtered": bool(set(kept) - {"currency"}),
        },
    )


def _status_url(item: wallets.HistoryItem) -> str | None:
    """Top-ups and withdrawals still at the bank have a page that follows them."""
    if item.in_ledger or item.status != "processing":
        return None
    if item.kind == "topup":
        return f"/wallet/topups/{item.entry_id}"
    if item.kind == "withdrawal":
        return f"/wallet/withdrawals/{item.entry_id}"
    return None


@router.get("/transactions/{transaction_id}")
def transaction_page(
    transaction_id: str, request: Request, actor: PageUser, rt: RuntimeDep
) -> Response:
    item = wallets.transaction(rt, actor, transaction_id[:64])
    locale = page_locale(request)
    return wallet_render(
        request,
        "wallet/transaction.html",
        {
            "item": item,
            "reason": translate(item.failure_message, locale) if item.failure_message else None,
            "next_step": translate(item.next_step, locale) if item.next_step else None,
            "status_url": _status_url(item),
            "help_slug": HELP_ARTICLES.get(item.kind),
        },
    )


@router.get("/bills")
def bill_page(
    request: Request,
    actor: PageUser,
    rt: RuntimeDep,
    month: str = "",
    currency: str = DEFAULT_CURRENCY,
) -> Response:
    locale = page_locale(request)
    chosen = text(month, 7) or beijing_month(rt.clock.now())
    bill = bills.monthly_bill(rt, actor, month=chosen, currency=text(currency, 3), locale=locale)
    chart = bar_chart(
        [
            ChartRow(
                label=line.name,
                magnitude=abs(line.total.minor),
                value_text=signed_money(line.total, locale),
                tone="in" if line.total.minor > 0 else "out",
            )
            for line in bill.lines
        ]
    )
    this_month = beijing_month(rt.clock.now())
    return wallet_render(
        request,
        "wallet/bill.html",
        {
            "bill": bill,
            "chart": chart,
            "previous_month": shifted_month(bill.month, -1),
            "next_month": shifted_month(bill.month, 1) if bill.month < this_month else None,
            "currencies": SUPPORTED_CURRENCIES,
        },
    )
