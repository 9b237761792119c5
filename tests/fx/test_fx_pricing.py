"""The arithmetic of a conversion, on round illustrative rates:
USD/CNY mid 7.2 with 50 bps (customers buy at 7.236, sell at 7.164), JPY/CNY mid 0.05 with
100 bps (buy 0.0505, sell 0.0495), HKD/CNY mid 0.9 with no spread."""

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.ledger.fx_pricing import FxRate, price
from walletdesk.ledger.money import Money

SET_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def rate(base: str, mid: str, spread_bps: int) -> FxRate:
    return FxRate(None, base, "CNY", mid, spread_bps, None, SET_AT, SET_AT)


RATES = {
    "USD": rate("USD", "7.2", 50),
    "JPY": rate("JPY", "0.05", 100),
    "HKD": rate("HKD", "0.9", 0),
}


def test_the_spread_is_taken_on_each_side_of_the_mid_rate() -> None:
    assert RATES["USD"].customer_buys_at() == Decimal("7.236")
    assert RATES["USD"].customer_sells_at() == Decimal("7.164")
    assert RATES["JPY"].customer_buys_at() == Decimal("0.0505")
    assert RATES["HKD"].customer_sells_at() == RATES["HKD"].customer_buys_at() == Decimal("0.9")


@pytest.mark.parametrize(
    ("label", "sell_currency", "buy_currency", "given", "expected"),
    [
        ("cny for usd comes out even", "CNY", "USD", Money(72360, "CNY"), Money(10000, "USD")),
        ("cny for usd rounds dollars down", "CNY", "USD", Money(10000, "CNY"), Money(1381, "USD")),
        ("usd for cny at the sell rate", "USD", "CNY", Money(1000, "USD"), Money(7164, "CNY")),
        ("usd for cny rounds yuan down", "USD", "CNY", Money(7, "USD"), Money(50, "CNY")),
        ("hkd with no spread is the mid", "HKD", "CNY", Money(10000, "HKD"), Money(9000, "CNY")),
        (
            "cny for jpy: yen have no decimals",
            "CNY",
            "JPY",
            Money(10000, "CNY"),
            Money(1980, "JPY"),
        ),
        ("jpy for cny", "JPY", "CNY", Money(1000, "JPY"), Money(4950, "CNY")),
        (
            "cross usd for jpy goes through cny",
            "USD",
            "JPY",
            Money(1000, "USD"),
            Money(1418, "JPY"),
        ),
    ],
)
def test_selling_an_amount_rounds_what_the_customer_gets_down(
    label: str, sell_currency: str, buy_currency: str, given: Money, expected: Money
) -> None:
    assert price(sell_currency, buy_currency, RATES).buy_for(given) == expected


@pytest.mark.parametrize(
    ("label", "sell_currency", "buy_currency", "wanted", "expected"),
    [
        ("exact usd costs yuan rounded up", "CNY", "USD", Money(1382, "USD"), Money(10001, "CNY")),
        ("exact jpy that comes out even", "CNY", "JPY", Money(1000, "JPY"), Money(5050, "CNY")),
        ("exact jpy needing a round up", "CNY", "JPY", Money(1001, "JPY"), Money(5056, "CNY")),
        ("exact cny paid in yen rounds up", "JPY", "CNY", Money(100, "CNY"), Money(21, "JPY")),
        ("cross: exact jpy paid in usd", "USD", "JPY", Money(1418, "JPY"), Money(1000, "USD")),
    ],
)
def test_buying_an_exact_amount_rounds_what_the_customer_pays_up(
    label: str, sell_currency: str, buy_currency: str, wanted: Money, expected: Money
) -> None:
    assert price(sell_currency, buy_currency, RATES).sell_for(wanted) == expected


@pytest.mark.parametrize(
    ("sell_currency", "buy_currency", "shown"),
    [
        ("USD", "CNY", "7.164"),
        ("CNY", "USD", "0.1381978993"),  # 1/7.236, cut at 10 places
        ("USD", "JPY", "141.8613861386"),  # 7.164 / 0.0505
        ("CNY", "JPY", "19.801980198"),
    ],
)
def test_the_customer_rate_is_shown_cut_never_rounded_up(
    sell_currency: str, buy_currency: str, shown: str
) -> None:
    assert price(sell_currency, buy_currency, RATES).rate_text() == shown


def test_an_amount_worth_less_than_one_unit_cannot_be_exchanged() -> None:
    with pytest.raises(ValidationFailed) as refused:
        price("JPY", "USD", RATES).buy_for(Money(1, "JPY"))  # $0.0068: not a whole cent
    assert refused.value.code == "fx_amount_too_small"


def test_the_same_currency_on_both_sides_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        price("USD", "USD", RATES)
    assert refused.value.code == "fx_same_currency"


def test_a_currency_without_a_rate_cannot_be_priced() -> None:
    with pytest.raises(Conflict) as refused:
        price("EUR", "JPY", RATES)
    assert refused.value.code == "fx_rate_unavailable"


@given(
    pair=st.sampled_from(
        [
            ("CNY", "USD"),
            ("USD", "CNY"),
            ("CNY", "JPY"),
            ("JPY", "CNY"),
            ("USD", "JPY"),
            ("JPY", "USD"),
        ]
    ),
    minor=st.integers(min_value=1, max_value=10**12),
)
def test_rounding_always_favours_the_house(pair: tuple[str, str], minor: int) -> None:
    quoted = price(pair[0], pair[1], RATES)
    sold = Money(minor, pair[0])
    try:
        bought = quoted.buy_for(sold)
    except ValidationFailed:
        return  # worth less than one unit of the buy currency
    exact = Fraction(minor) * quoted._scale()
    assert exact - 1 < bought.minor <= exact  # the customer never gets more than the price
    assert quoted.sell_for(bought).minor <= minor  # buying it back never costs more
