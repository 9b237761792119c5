"""FX prices: admin-set mid rates, the spread, and the arithmetic of a conversion.

Every pair is one foreign currency against CNY (``USD/CNY 7.185`` = CNY per one US dollar);
a cross rate such as USD→JPY goes through CNY: the customer sells USD for CNY at the USD
sell rate and buys JPY with that CNY at the JPY buy rate. No float is involved anywhere: rates
are exact decimals, prices are exact fractions, and amounts are rounded once, to the minor
unit of their currency, in the house's favour (the customer receives the amount rounded down
and pays the amount rounded up).

`spread_bps` is the house's margin on each side of the mid rate, in basis points:
a customer buying the foreign currency pays ``mid × (1 + spread)``, one selling it receives
``mid × (1 − spread)``, so the buy–sell width is twice the spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, localcontext
from fractions import Fraction

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.money import MAX_MINOR, SUPPORTED_CURRENCIES, Money, exponent

PIVOT = "CNY"
FOREIGN = tuple(c for c in SUPPORTED_CURRENCIES if c != PIVOT)
BASIS_POINTS = 10_000
MAX_SPREAD_BPS = 1_000
"""10 %: far above any sensible margin; a typo such as 3000 is refused rather than applied."""
RATE_PLACES = 10
"""Decimal places shown for a customer rate (rounded against the customer, like amounts)."""


@dataclass(frozen=True)
class FxRate:
    """One admin-set rate: `mid` CNY for one unit of `base`, from `effective_at` on."""

    id: int | None
    base: str
    quote: str
    mid: str
    spread_bps: int
    set_by: str | None
    effective_at: datetime
    created_at: datetime

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"

    def customer_buys_at(self) -> Decimal:
        """CNY the customer pays for one unit of `base` (the house's selling price)."""
        return Decimal(self.mid) * (BASIS_POINTS + self.spread_bps) / BASIS_POINTS

    def customer_sells_at(self) -> Decimal:
        """CNY the customer receives for one unit of `base` (the house's buying price)."""
        return Decimal(self.mid) * (BASIS_POINTS - self.spread_bps) / BASIS_POINTS


def exact_text(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``7.2065775``, ``21``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def unsupported_pair() -> ValidationFailed:
    return ValidationFailed(
        "unsupported_fx_pair",
        N_("Rates are set for one foreign currency against CNY, such as USD/CNY: one of {pairs}."),
        pairs=", ".join(f"{c}/{PIVOT}" for c in FOREIGN),
    )


@dataclass(frozen=True)
class Price:
    """Units of `buy_currency` the customer gets for one unit of `sell_currency`, exactly."""

    sell_currency: str
    buy_currency: str
    per_unit: Fraction
    rates: tuple[FxRate, ...]

    def rate_text(self) -> str:
        """The customer rate for display, cut (never rounded up) to RATE_PLACES decimals."""
        with localcontext() as context:
            context.prec = 40
            exact = Decimal(self.per_unit.numerator) / Decimal(self.per_unit.denominator)
            return exact_text(exact.quantize(Decimal(1).scaleb(-RATE_PLACES), ROUND_DOWN))

    def _scale(self) -> Fraction:
        """Buy minor units per sell minor unit."""
        shift = exponent(self.buy_currency) - exponent(self.sell_currency)
        return self.per_unit * Fraction(10) ** shift

    def buy_for(self, sell: Money) -> Money:
        """What the customer receives for `sell`: rounded down to the buy currency's unit."""
        assert sell.currency == self.sell_currency
        return _checked(math.floor(sell.minor * self._scale()), self.buy_currency, "sell_amount")

    def sell_for(self, buy: Money) -> Money:
        """What the customer pays to receive `buy`: rounded up to the sell currency's unit."""
        assert buy.currency == self.buy_currency
        return _checked(math.ceil(buy.minor / self._scale()), self.sell_currency, "buy_amount")


def _checked(minor: int, currency: str, field: str) -> Money:
    if minor <= 0:
        raise ValidationFailed(
            "fx_amount_too_small",
            N_("This amount is too small to exchange. Enter a larger amount."),
            field=field,
        )
    if minor > MAX_MINOR:
        raise ValidationFailed("amount_too_large", N_("This amount is too large."), field=field)
    return Money(minor, currency)


def rate_unavailable(sell: str, buy: str) -> Conflict:
    return Conflict(
        "fx_rate_unavailable",
        N_("Exchange from {sell} to {buy} is not available right now. Please try again later."),
        sell=sell,
        buy=buy,
    )


def price(sell: str, buy: str, rates: dict[str, FxRate]) -> Price:
    """The customer's price from `sell` to `buy`; `rates` maps each foreign currency to its
    current rate against CNY. Cross rates go through CNY, with the spread on both legs."""
    if sell == buy:
        raise ValidationFailed(
            "fx_same_currency",
            N_("Choose two different currencies to exchange."),
            field="buy_currency",
        )
    used = tuple(rates[c] for c in (sell, buy) if c != PIVOT and c in rates)
    if len(used) != sum(1 for c in (sell, buy) if c != PIVOT):
        raise rate_unavailable(sell, buy)
    cny_per_sell = Fraction(1) if sell == PIVOT else Fraction(rates[sell].customer_sells_at())
    cny_per_buy = Fraction(1) if buy == PIVOT else Fraction(rates[buy].customer_buys_at())
    return Price(sell, buy, cny_per_sell / cny_per_buy, used)
