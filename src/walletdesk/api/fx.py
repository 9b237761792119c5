"""/api/v1/fx and /api/v1/admin/fx: exchange rates, quotes and conversions (换汇)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.api.idempotency import IdempotencyKey, run_idempotent
from walletdesk.api.wallets import MoneyOut
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.ledger import fx, fx_rates
from walletdesk.ledger.fx_models import FxConversion, FxQuote
from walletdesk.ledger.fx_pricing import FxRate, exact_text

router = APIRouter(prefix="/api/v1", tags=["fx"])

FxManager = Annotated[Authenticated, Depends(requires(Permission.FX_MANAGE))]


class RateOut(BaseModel):
    base: str = Field(examples=["USD"])
    quote: str = Field(examples=["CNY"])
    mid: str = Field(examples=["7.185"], description="CNY per one unit of base, exact")
    spread_bps: int = Field(examples=[30], description="House margin on each side of mid")
    buy_rate: str = Field(description="CNY you pay for one unit of base when you buy it")
    sell_rate: str = Field(description="CNY you receive for one unit of base when you sell it")
    effective_at: datetime

    @classmethod
    def of(cls, rate: FxRate) -> RateOut:
        return cls(
            base=rate.base,
            quote=rate.quote,
            mid=rate.mid,
            spread_bps=rate.spread_bps,
            buy_rate=exact_text(rate.customer_buys_at()),
            sell_rate=exact_text(rate.customer_sells_at()),
            effective_at=rate.effective_at,
        )


class RatesOut(BaseModel):
    rates: list[RateOut]


class RateIn(BaseModel):
    mid: str = Field(max_length=32, examples=["7.1850"])
    spread_bps: int = Field(examples=[30])
    effective_at: datetime | None = Field(
        default=None, description="When the rate takes effect (UTC); now if left out"
    )


class RateChangeOut(RateOut):
    id: int
    set_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, rate: FxRate) -> RateChangeOut:
        assert rate.id is not None
        return cls(
            **RateOut.of(rate).model_dump(),
            id=rate.id,
            set_by=rate.set_by,
            created_at=rate.created_at,
        )


class RateHistoryOut(BaseModel):
    changes: list[RateChangeOut]


class QuoteIn(BaseModel):
    sell_currency: str = Field(max_length=3, examples=["CNY"])
    buy_currency: str = Field(max_length=3, examples=["USD"])
    sell_amount: str | None = Field(default=None, max_length=32, examples=["1000.00"])
    buy_amount: str | None = Field(default=None, max_length=32)


class QuoteOut(BaseModel):
    id: str
    sell: MoneyOut
    buy: MoneyOut
    rate: str = Field(description="Units of the buy currency per unit sold, spread included")
    expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, quote: FxQuote) -> QuoteOut:
        return cls(
            id=quote.id,
            sell=MoneyOut.of(quote.sell),
            buy=MoneyOut.of(quote.buy),
            rate=quote.rate,
            expires_at=quote.expires_at,
            created_at=quote.created_at,
        )


class ConversionIn(BaseModel):
    quote_id: str = Field(max_length=64)


class ConversionOut(BaseModel):
    id: str = Field(description="The transaction id, as in /api/v1/transactions")
    status: str
    quote_id: str | None
    sell: MoneyOut
    buy: MoneyOut
    rate: str
    created_at: datetime

    @classmethod
    def of(cls, conversion: FxConversion) -> ConversionOut:
        return cls(
            id=conversion.id,
            status="succeeded",
            quote_id=conversion.quote_id,
            sell=MoneyOut.of(conversion.sell),
            buy=MoneyOut.of(conversion.buy),
            rate=conversion.rate,
            created_at=conversion.created_at,
        )


@router.get("/fx/rates")
def list_rates(actor: CurrentUser, rt: RuntimeDep) -> RatesOut:
    return RatesOut(rates=[RateOut.of(rate) for rate in fx_rates.rates_now(rt)])


@router.put("/admin/fx/rates/{base}/{quote}")
def set_rate(
    base: str, quote: str, body: RateIn, actor: FxManager, rt: RuntimeDep, ctx: Context
) -> RateChangeOut:
    rate = fx_rates.set_rate(
        rt,
        Actor.staff(actor.user.id, ctx.ip),
        base=base,
        quote=quote,
        mid=body.mid,
        spread_bps=body.spread_bps,
        effective_at=body.effective_at,
    )
    return RateChangeOut.of(rate)


@router.get("/admin/fx/rates/{base}/{quote}/history")
def rate_history(
    base: str,
    quote: str,
    actor: FxManager,
    rt: RuntimeDep,
    limit: int = Query(default=50, ge=1, le=fx_rates.HISTORY_MAX),
) -> RateHistoryOut:
    changes = fx_rates.rate_history(rt, base, quote, limit=limit)
    return RateHistoryOut(changes=[RateChangeOut.of(rate) for rate in changes])


@router.post("/fx/quotes", status_code=201)
def create_quote(body: QuoteIn, actor: CurrentUser, rt: RuntimeDep) -> QuoteOut:
    quote = fx.create_quote(
        rt,
        actor,
        sell_currency=body.sell_currency,
        buy_currency=body.buy_currency,
        sell_amount=body.sell_amount,
        buy_amount=body.buy_amount,
    )
    return QuoteOut.of(quote)


@router.post("/fx/conversions", status_code=201, response_model=ConversionOut)
def create_conversion(
    body: ConversionIn,
    request: Request,
    actor: CurrentUser,
    rt: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    locale = request_locale(request)
    return run_idempotent(
        rt,
        request,
        scope=actor.user.id,
        key=idempotency_key,
        body=body,
        operation=lambda record: fx.convert(
            rt, actor, quote_id=body.quote_id, locale=locale, record=record
        ),
        shape=ConversionOut.of,
    )
