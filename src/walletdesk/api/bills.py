"""/api/v1/bills, the CSV export and point-in-time balances."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from walletdesk.api.access import CurrentUser
from walletdesk.api.deps import RuntimeDep, request_locale
from walletdesk.api.wallets import MoneyOut
from walletdesk.ledger import bills
from walletdesk.ledger.wallets import HistoryFilter

router = APIRouter(prefix="/api/v1", tags=["wallet"])


class BillLineOut(BaseModel):
    category: str
    name: str
    count: int
    total: MoneyOut


class BillOut(BaseModel):
    month: str
    money_in: MoneyOut
    money_out: MoneyOut
    lines: list[BillLineOut]


class BalanceAtOut(BaseModel):
    at: datetime
    balance: MoneyOut


@router.get("/bills/{month}")
def monthly_bill(
    month: str,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    currency: str = Query(default="CNY", max_length=3),
) -> BillOut:
    bill = bills.monthly_bill(
        rt, actor, month=month, currency=currency, locale=request_locale(request)
    )
    return BillOut(
        month=bill.month,
        money_in=MoneyOut.of(bill.money_in),
        money_out=MoneyOut.of(bill.money_out),
        lines=[
            BillLineOut(
                category=line.category,
                name=line.name,
                count=line.count,
                total=MoneyOut.of(line.total),
            )
            for line in bill.lines
        ],
    )


@router.get("/transactions.csv")
def export_transactions(
    actor: CurrentUser,
    rt: RuntimeDep,
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingResponse:
    rows = bills.csv_rows(rt, actor, HistoryFilter(since=since, until=until))
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="walletdesk-transactions.csv"'},
    )


@router.get("/wallets/{currency}/balance-at")
def balance_at(currency: str, at: datetime, actor: CurrentUser, rt: RuntimeDep) -> BalanceAtOut:
    return BalanceAtOut(
        at=at, balance=MoneyOut.of(bills.balance_at(rt, actor, currency=currency, at=at))
    )
