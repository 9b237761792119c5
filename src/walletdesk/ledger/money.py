"""Money as integer minor units plus an ISO 4217 currency. The one place for parsing,
rounding and formatting amounts; currency precision comes from Babel's CLDR data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_

SUPPORTED_CURRENCIES = ("CNY", "USD", "HKD", "EUR", "JPY")
DEFAULT_CURRENCY = "CNY"
# Parsed once: Babel would otherwise parse the locale on every call.
_ZH = Locale.parse("zh_CN")
_EN = Locale.parse("en")
POINTS = "PTS"
"""Loyalty points: a pseudo-currency on its own ledger, never convertible to money."""
_PLAIN_DECIMAL = re.compile(r"^\d{1,16}(\.\d{1,8})?$")
MAX_MINOR = 10**15  # far above any wallet amount; keeps sums inside 64-bit integers


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point (CNY 2, JPY 0)."""
    if currency == POINTS:
        return 0
    return int(get_currency_precision(currency))


def check_currency(raw: str) -> str:
    code = raw.strip().upper()
    if code not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            "unsupported_currency",
            N_("This currency is not supported. Use one of: {currencies}."),
            field="currency",
            currencies=", ".join(SUPPORTED_CURRENCIES),
        )
    return code


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def parse(cls, amount: str, currency: str, *, field: str = "amount") -> Money:
        """Read a positive decimal string ("12.30") exactly; never through float."""
        code = check_currency(currency)
        text = amount.strip() if isinstance(amount, str) else ""
        places = exponent(code)
        value = Decimal(text) if _PLAIN_DECIMAL.match(text) else Decimal(0)
        if value <= 0 or -int(value.as_tuple().exponent) > places:
            raise ValidationFailed(
                "invalid_amount",
                N_("Enter an amount above zero with at most {places} decimal places."),
                field=field,
                places=places,
            )
        minor = int(value.scaleb(places))
        if minor > MAX_MINOR:
            raise ValidationFailed("amount_too_large", N_("This amount is too large."), field=field)
        return cls(minor, code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def to_string(self) -> str:
        """The API form: "12.30", "1200" for JPY."""
        places = exponent(self.currency)
        return f"{self.decimal():.{places}f}"

    def format(self, locale: str) -> str:
        """For people: ¥12.30 in zh-CN, CN¥12.30 in en."""
        babel_locale = _ZH if locale.lower().startswith("zh") else _EN
        return str(format_currency(self.decimal(), self.currency, locale=babel_locale))

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")


def percent_of(amount: Money, basis_points: int) -> Money:
    """`basis_points`/10000 of `amount`, rounded half-even to the minor unit."""
    share = (Decimal(amount.minor) * basis_points / Decimal(10_000)).quantize(
        Decimal(1), rounding=ROUND_HALF_EVEN
    )
    return Money(int(share), amount.currency)
