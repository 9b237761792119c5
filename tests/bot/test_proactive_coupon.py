"""Proactive help, the coupon: one of the customer's own coupons that fits a merchant they keep
paying, from their own history only, one suggestion at a time, and dismissed for good."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import top_up
from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay
from tests.merchants.test_coupons_and_points import CAMPAIGN, admin_headers
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.bot import proactive
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.merchants.registry import NewMerchant
from walletdesk.runtime import Runtime


def give_coupon(client: TestClient, admin: dict[str, str], user_id: str, **terms: object) -> str:
    campaign = client.post("/api/v1/admin/coupon-campaigns", headers=admin, json=CAMPAIGN | terms)
    assert campaign.status_code == 201, campaign.text
    issued = client.post(
        f"/api/v1/admin/coupon-campaigns/{campaign.json()['id']}/coupons",
        headers=admin,
        json={"user_id": user_id},
    )
    assert issued.status_code == 201, issued.text
    return str(issued.json()["id"])


def tea_habit(
    client: TestClient, headers: dict[str, str], shop: NewMerchant, visit: str, *amounts: str
) -> None:
    """The customer pays the tea shop once per amount, from their balance."""
    for number, amount in enumerate(amounts, start=1):
        order = new_order(client, shop, amount=amount, order_no=f"HT-{visit}-{number}")
        status, body = pay(client, headers, order["id"], f"pay-{visit}-{number}")
        assert status == 201, body


def zhang_ming_at_the_tea_shop(
    client: TestClient, rt: Runtime, *amounts: str
) -> tuple[dict[str, str], str, NewMerchant]:
    """Zhang Ming signed in with ¥500, having paid the tea shop once per amount: his
    headers, his user id and the shop."""
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    zhang_id = user_id_of(rt, "张明")
    fund(rt, zhang_id, "500.00")
    tea_habit(client, zhang, shop, "a", *amounts)
    return zhang, zhang_id, shop


def suggestion(
    client: TestClient, headers: dict[str, str], locale: str = "en"
) -> dict[str, Any] | None:
    response = client.get("/api/v1/bot/suggestion", headers=headers | {"Accept-Language": locale})
    assert response.status_code == 200, response.text
    found: dict[str, Any] | None = response.json()["suggestion"]
    return found


def dismiss(client: TestClient, headers: dict[str, str], key: str) -> int:
    response = client.post("/api/v1/bot/suggestion/dismiss", headers=headers, json={"key": key})
    return response.status_code


def test_a_coupon_that_fits_the_customers_usual_tea_shop_is_suggested_in_both_languages(
    client: TestClient, rt: Runtime
) -> None:
    zhang, zhang_id, _ = zhang_ming_at_the_tea_shop(client, rt, "120.00", "118.00")
    coupon_id = give_coupon(client, admin_headers(client, rt), zhang_id)
    found = suggestion(client, zhang)
    assert found is not None
    assert found["kind"] == "coupon" and found["key"] == f"coupon:{coupon_id}"
    assert "CN¥10.00 off a payment of CN¥100.00" in found["text"]
    assert "喜茶 HEYTEA" in found["text"]
    chinese = suggestion(client, zhang, "zh-CN")
    assert chinese is not None
    assert "满¥100.00减¥10.00" in chinese["text"] and "喜茶 HEYTEA" in chinese["text"]


def test_no_coupon_is_suggested_without_a_habit_or_when_the_usual_spend_is_too_small(
    client: TestClient, rt: Runtime
) -> None:
    zhang, zhang_id, shop = zhang_ming_at_the_tea_shop(client, rt, "120.00")
    give_coupon(client, admin_headers(client, rt), zhang_id)
    assert suggestion(client, zhang) is None  # one visit is not a habit
    tea_habit(client, zhang, shop, "small", "30.00", "25.00")
    # Three visits now, but the typical one (¥30) is under the coupon's ¥100 minimum.
    assert suggestion(client, zhang) is None


def test_the_coupon_suggestion_never_comes_from_another_users_data(
    client: TestClient, rt: Runtime
) -> None:
    zhang, zhang_id, _ = zhang_ming_at_the_tea_shop(client, rt, "120.00", "130.00")
    admin = admin_headers(client, rt)
    give_coupon(client, admin, zhang_id)
    li = sign_up_and_in(client, LI_NA)
    li_id = user_id_of(rt, "李娜")
    # Li Na holds the same kind of coupon but has never paid the tea shop: Zhang Ming's habit
    # is not hers, and his coupon is not hers either.
    give_coupon(client, admin, li_id)
    assert suggestion(client, li) is None
    key = suggestion(client, zhang)["key"]  # type: ignore[index]
    assert dismiss(client, li, key) == 404
    assert suggestion(client, zhang)["key"] == key  # type: ignore[index]


def test_a_dismissed_coupon_suggestion_stays_dismissed_and_only_one_shows_at_a_time(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, zhang_id, shop = zhang_ming_at_the_tea_shop(client, rt, "120.00", "150.00")
    give_coupon(client, admin_headers(client, rt), zhang_id)
    card = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    clock.advance(timedelta(hours=1))  # the failed top-up is the newest, after the funding
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_EXPIRED])
    assert top_up(client, zhang, card, "120.00", "t-1")[1]["status"] == "failed"

    both = proactive.suggestions(rt, zhang_id, "en")
    assert [s.kind for s in both] == ["topup_failed", "coupon"]
    first = suggestion(client, zhang)
    assert first is not None and first["kind"] == "topup_failed"  # one at a time, the fix first
    assert dismiss(client, zhang, first["key"]) == 204
    coupon = suggestion(client, zhang)
    assert coupon is not None and coupon["kind"] == "coupon"
    assert dismiss(client, zhang, coupon["key"]) == 204
    tea_habit(client, zhang, shop, "b", "140.00")  # another visit does not bring it back
    assert suggestion(client, zhang) is None
