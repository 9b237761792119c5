"""Limits are in CNY and count every currency: a payment in another currency counts its CNY
equivalent at the admin rate table's mid rate, rounded up to the fen."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import pay, shop_headers
from tests.support import LI_NA, ZHANG_MING, remember, sign_up_and_in
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.ledger.limits import (
    BEIJING,
    LimitRateUnavailable,
    cny_equivalent,
    consume_limits,
    give_back_limits,
    limit_for,
)
from walletdesk.ledger.money import Money
from walletdesk.merchants.registry import create_merchant
from walletdesk.runtime import Runtime

USD_MID = "7.2"  # ¥7.20 for one US dollar, spread aside: limits use the mid rate


@pytest.fixture
def usd_rate(rt: Runtime) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid=USD_MID, spread_bps=50)


def zhang_at_tier_one(client: TestClient, rt: Runtime) -> dict[str, str]:
    """张明, real name verified (KYC tier 1: ¥5,000 a payment, ¥10,000 a day)."""
    headers = sign_up_and_in(client, ZHANG_MING)
    with rt.db.uow() as uow:
        user = uow.users.get(user_id_of(rt, "张明"), for_update=True)
        assert user is not None
        user.kyc_tier = 1
        uow.users.save(user)
        uow.commit()
    return headers


def send(
    client: TestClient, headers: dict[str, str], key: str, amount: str, currency: str
) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/transfers",
        json={"to": LI_NA.phone, "amount": amount, "currency": currency},
        headers=headers | {"Idempotency-Key": key, "Accept-Language": "en"},
    )
    return response.status_code, response.json()


def day_left(client: TestClient, headers: dict[str, str]) -> str:
    limits = client.get("/api/v1/wallets", headers=headers).json()["limits_left"]
    assert limits["day"]["currency"] == "CNY"
    return str(limits["day"]["amount"])


@pytest.mark.usefixtures("usd_rate")
def test_a_usd_transfer_counts_its_cny_equivalent_at_the_mid_rate(
    client: TestClient, rt: Runtime
) -> None:
    zhang = zhang_at_tier_one(client, rt)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "1000.00", "USD")
    assert send(client, zhang, "usd-1", "100.00", "USD")[0] == 201
    assert day_left(client, zhang) == "9280.00"  # ¥10,000 − 100 × 7.2
    status, body = send(client, zhang, "usd-2", "694.45", "USD")  # ¥5,000.04: over one payment
    assert status == 409 and body["error"]["code"] == "limit_exceeded"
    assert body["error"]["message"] == (
        "This is over your single-payment limit of CN¥5,000.00. You can still send CN¥5,000.00."
    )
    assert day_left(client, zhang) == "9280.00"  # a refused payment counts nothing


@pytest.mark.usefixtures("usd_rate")
def test_the_daily_limit_is_reached_by_cny_and_usd_together_exactly_at_the_cap(
    client: TestClient, rt: Runtime
) -> None:
    zhang = zhang_at_tier_one(client, rt)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "20000.00")
    fund(rt, user_id_of(rt, "张明"), "2000.00", "USD")
    assert send(client, zhang, "cny-1", "2800.00", "CNY")[0] == 201
    assert send(client, zhang, "cny-2", "2800.00", "CNY")[0] == 201
    # $611.12 is ¥4,400.064, counted as ¥4,400.07: seven fen over what is left.
    status, body = send(client, zhang, "usd-over", "611.12", "USD")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"
    message = body["error"]["message"]
    assert "daily limit of CN¥10,000.00. You can still send CN¥4,400.00." in message
    # $611.11 is ¥4,399.992, counted as ¥4,400.00: exactly the cap.
    assert send(client, zhang, "usd-at-cap", "611.11", "USD")[0] == 201
    assert day_left(client, zhang) == "0.00"
    status, body = send(client, zhang, "one-fen-over", "0.01", "CNY")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"
    assert "You can still send CN¥0.00." in body["error"]["message"]


@pytest.mark.usefixtures("usd_rate")
def test_paying_a_usd_merchant_counts_the_payments_cny_equivalent(
    client: TestClient, rt: Runtime
) -> None:
    shop = create_merchant(rt, name="Blue Bottle Coffee", webhook_url=None, currency="USD")
    remember(shop.api_key, shop.webhook_secret)
    zhang = zhang_at_tier_one(client, rt)
    fund(rt, user_id_of(rt, "张明"), "100.00", "USD")
    order = client.post(
        "/api/v1/merchant/payments",
        headers=shop_headers(shop, "usd-order"),
        json={
            "amount": "12.50",
            "currency": "USD",
            "description": "pour-over ×2",
            "merchant_order_id": "BB-1",
        },
    )
    assert order.status_code == 201, order.text
    status, paid = pay(client, zhang, order.json()["id"], "pay-usd")
    assert status == 201, paid
    assert day_left(client, zhang) == "9910.00"  # ¥10,000 − 12.50 × 7.2


def test_a_currency_without_a_rate_cannot_be_counted_so_the_payment_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    zhang = zhang_at_tier_one(client, rt)
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "50.00", "USD")
    status, body = send(client, zhang, "no-rate", "10.00", "USD")
    assert status == 409 and body["error"]["code"] == "limit_rate_unavailable"
    assert "Payments in USD are paused" in body["error"]["message"]
    wallets = client.get("/api/v1/wallets", headers=zhang).json()["wallets"]
    assert {w["currency"]: w["available"] for w in wallets}["USD"] == "50.00"


@pytest.mark.parametrize(
    ("label", "amount", "mid", "counted"),
    [
        ("CNY counts as itself", Money(123_45, "CNY"), None, 123_45),
        ("whole fen", Money(100_00, "USD"), "7.2", 720_00),
        ("a fraction of a fen rounds up", Money(611_11, "USD"), "7.2", 4_400_00),
        ("yen have no minor unit", Money(3, "JPY"), "0.04735", 15),  # ¥0.14205
    ],
)
def test_the_cny_equivalent_is_rounded_up_to_the_fen(
    rt: Runtime, label: str, amount: Money, mid: str | None, counted: int
) -> None:
    if mid is not None:
        set_rate(rt, Actor.system(), base=amount.currency, quote="CNY", mid=mid, spread_bps=0)
    with rt.db.uow(read_only=True) as uow:
        assert cny_equivalent(uow, amount, rt.clock.now()) == counted, label


def test_a_rate_set_for_later_is_not_used_before_it_takes_effect(
    rt: Runtime, clock: FrozenClock
) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=0)
    later = clock.now() + timedelta(hours=1)
    set_rate(
        rt, Actor.system(), base="USD", quote="CNY", mid="7.5", spread_bps=0, effective_at=later
    )
    with rt.db.uow(read_only=True) as uow:
        assert cny_equivalent(uow, Money(1_00, "USD"), later - timedelta(seconds=1)) == 7_20
        assert cny_equivalent(uow, Money(1_00, "USD"), later) == 7_50
    with rt.db.uow(read_only=True) as uow, pytest.raises(LimitRateUnavailable):
        cny_equivalent(uow, Money(1, "JPY"), later)


def test_giving_back_returns_exactly_what_was_counted_even_after_the_rate_moved(
    rt: Runtime, clock: FrozenClock
) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=0)
    zhang = "usr_limits_subject"
    used_at = clock.now()
    with rt.db.uow() as uow:
        counted = consume_limits(
            uow,
            subject_id=zhang,
            amount=Money(100_00, "USD"),
            limit=limit_for(1),
            at=used_at,
            locale="en",
        )
        uow.commit()
    assert counted == 720_00
    clock.advance(timedelta(minutes=5))
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.5", spread_bps=0)
    with rt.db.uow() as uow:
        give_back_limits(
            uow, subject_id=zhang, amount=Money(60_00, "USD"), used_at=used_at, counted=432_00
        )
        # Without `counted` the equivalent is worked out at the rate of the time it was used.
        give_back_limits(uow, subject_id=zhang, amount=Money(40_00, "USD"), used_at=used_at)
        uow.commit()
    with rt.db.uow(read_only=True) as uow:
        day = used_at.astimezone(BEIJING).strftime("%Y-%m-%d")
        assert uow.limits.used(zhang, "day", day) == 0
        assert uow.limits.used(zhang, "year", day[:4]) == 0
