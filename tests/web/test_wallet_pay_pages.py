"""Paying a merchant's order from its page (`/pay/{order_id}`): the merchant and amount, a
coupon, balance or card, the CNY it takes for an order in another currency, a confirmation
step, and one payment however often the confirmation is sent."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank
from tests.ledger.funding import fund
from tests.merchants.helpers import new_order, open_shop
from tests.merchants.test_coupons_and_points import admin_headers, give_coupon
from tests.support import LI_NA, ZHANG_MING
from tests.web.test_wallet_money_pages import available
from tests.web.test_wallet_pages import bind_card_via_pages, submit, wallet_user
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.ledger.fx_rates import set_rate
from walletdesk.runtime import Runtime


def test_an_order_is_paid_from_the_balance_with_a_coupon_once(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="128.00")
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "200.00")
    give_coupon(client, rt, admin_headers(client, rt))
    page = client.get(f"/pay/{order['id']}")
    assert "向喜茶 HEYTEA付款" in page.text
    assert "多肉葡萄 ×2" in page.text and "¥128.00" in page.text
    assert "满 ¥100.00 减 ¥10.00" in page.text
    coupon_id = re.search(r'name="coupon_id" value="(cpn_\w+)"', page.text)
    assert coupon_id
    review = submit(client, page, f"/pay/{order['id']}/review", {"coupon_id": coupon_id.group(1)})
    assert "确认付款" in review.text and "-¥10.00" in review.text and "钱包余额" in review.text
    assert available(rt, zhang) == "200.00"
    first = submit(client, review, f"/pay/{order['id']}/confirm", follow=False)
    again = submit(client, review, f"/pay/{order['id']}/confirm", follow=False)
    assert first.headers["location"] == again.headers["location"] == f"/pay/{order['id']}"
    paid = client.get(f"/pay/{order['id']}")
    assert "已支付" in paid.text and "¥118.00" in paid.text and "余额支付" in paid.text
    assert "获得积分" in paid.text
    assert available(rt, zhang) == "82.00"
    assert 'action="/pay/' not in paid.text, "a paid order offers no second payment"


def test_an_order_is_paid_with_a_bound_card(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="45.00")
    zhang = wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING, ICBC_DEBIT)
    page = client.get(f"/pay/{order['id']}")
    card_id = re.search(r'name="method" value="(card_\w+)"', page.text)
    assert card_id and "尾号 " + ICBC_DEBIT[-4:] in page.text
    review = submit(client, page, f"/pay/{order['id']}/review", {"method": card_id.group(1)})
    assert "尾号 " + ICBC_DEBIT[-4:] in review.text
    paid = submit(client, review, f"/pay/{order['id']}/confirm")
    assert "已支付" in paid.text and "银行卡支付" in paid.text
    assert available(rt, zhang) == "0.00"


def test_change_or_cancel_on_the_review_keeps_the_card_and_coupon_chosen(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="128.00")
    zhang = wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING, ICBC_DEBIT)
    give_coupon(client, rt, admin_headers(client, rt))
    page = client.get(f"/pay/{order['id']}")
    card = re.search(r'name="method" value="(card_\w+)"', page.text)
    coupon = re.search(r'name="coupon_id" value="(cpn_\w+)"', page.text)
    assert card and coupon
    chosen = {"method": card.group(1), "coupon_id": coupon.group(1)}
    review = submit(client, page, f"/pay/{order['id']}/review", chosen)
    back = re.search(r'href="(/pay/[^"]+)">修改或取消', review.text)
    assert back, review.text
    again = client.get(back.group(1).replace("&amp;", "&"))
    assert f'name="method" value="{card.group(1)}" checked' in again.text
    assert f'name="coupon_id" value="{coupon.group(1)}" checked' in again.text
    assert available(rt, zhang) == "0.00", "nothing was paid"


def test_a_card_payment_the_bank_is_still_working_on_is_followed_until_paid(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="45.00")
    wallet_user(client, rt)
    bind_card_via_pages(client, rt, ZHANG_MING, ICBC_DEBIT)
    bank(rt).latency = timedelta(seconds=15)
    page = client.get(f"/pay/{order['id']}")
    card_id = re.search(r'name="method" value="(card_\w+)"', page.text)
    assert card_id
    review = submit(client, page, f"/pay/{order['id']}/review", {"method": card_id.group(1)})
    paying = submit(client, review, f"/pay/{order['id']}/confirm")
    assert "支付中" in paying.text and "正在等待银行处理" in paying.text
    assert f'data-poll="/pay/{order["id"]}/status"' in paying.text
    assert client.get(f"/pay/{order['id']}/status").json() == {"status": "paying"}
    clock.advance(timedelta(seconds=16))
    assert client.get(f"/pay/{order['id']}/status").json() == {"status": "paid"}
    assert "银行卡支付" in client.get(f"/pay/{order['id']}").text


def test_a_foreign_order_shows_the_yuan_it_takes_and_stops_if_the_rate_moved(
    client: TestClient, rt: Runtime
) -> None:
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.2", spread_bps=50)
    shop = open_shop(rt, name="Blue Bottle Coffee", currency="USD")
    order = new_order(client, shop, amount="20.00", currency="USD", description="Cold brew")
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "500.00")
    page = client.get(f"/pay/{order['id']}")
    assert "此订单以 USD 计价" in page.text
    assert "1 USD = 7.236 人民币" in page.text
    assert "¥144.72" in page.text and 'name="max_cny" value="144.72"' in page.text
    assert 'href="/help/articles/international-payments-fx"' in page.text
    review = submit(client, page, f"/pay/{order['id']}/review")
    assert "最多支付人民币" in review.text and "¥144.72" in review.text
    set_rate(rt, Actor.system(), base="USD", quote="CNY", mid="7.3", spread_bps=50)
    refused = submit(client, review, f"/pay/{order['id']}/confirm")
    assert refused.status_code == 409
    assert "汇率已变动" in refused.text
    assert available(rt, zhang) == "500.00"
    fresh = submit(client, refused, f"/pay/{order['id']}/review")
    paid = submit(client, fresh, f"/pay/{order['id']}/confirm")
    assert "已支付" in paid.text and "已换汇" in paid.text
    assert available(rt, zhang) == "353.27"


def test_the_home_page_box_opens_an_order_from_its_number_or_link(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop)
    wallet_user(client, rt)
    typed = client.get("/pay", params={"order": f"https://pay.example/pay/{order['id']}/"})
    assert typed.url.path == f"/pay/{order['id']}"
    assert client.get("/pay", params={"order": " "}).url.path == "/wallet"


def test_someone_elses_paid_order_looks_missing(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="10.00")
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "10.00")
    review = submit(client, f"/pay/{order['id']}", f"/pay/{order['id']}/review")
    submit(client, review, f"/pay/{order['id']}/confirm")
    client.cookies.clear()
    wallet_user(client, rt, LI_NA)
    assert client.get(f"/pay/{order['id']}").status_code == 404
    assert client.get("/pay/pay_doesnotexist0000").status_code == 404
