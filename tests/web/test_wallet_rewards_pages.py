"""Coupons and points (`/wallet/rewards`): the points a payment earned, the coupons still to
use, the used and expired ones, and what a new user is told to do (issue 7 audit G3)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.ledger.funding import fund
from tests.merchants.helpers import new_order, open_shop
from tests.merchants.test_coupons_and_points import admin_headers, give_coupon
from tests.web.test_wallet_pages import submit, wallet_user
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def section(page: str, title_id: str) -> str:
    """The text of the `<section>` labelled by `title_id`."""
    start = page.index(f'aria-labelledby="{title_id}"')
    return page[start : page.index("</section>", start)]


def test_the_rewards_page_shows_points_earned_and_the_used_and_expired_coupons(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    shop = open_shop(rt)
    order = new_order(client, shop, amount="128.00")
    zhang = wallet_user(client, rt)
    fund(rt, zhang, "200.00")
    admin = admin_headers(client, rt)
    ten_off = give_coupon(client, rt, admin)
    give_coupon(
        client, rt, admin, name="周末5元券", amount_off="5.00", min_spend="20.00",
        expires_at="2026-11-24T23:59:59+08:00",
    )  # fmt: skip
    before = client.get("/wallet/rewards").text
    assert "减 ¥10.00" in section(before, "coupons-title")
    assert "减 ¥5.00" in section(before, "coupons-title")
    assert "已使用和已过期" not in before
    page = client.get(f"/pay/{order['id']}")
    review = submit(client, page, f"/pay/{order['id']}/review", {"coupon_id": ten_off})
    submit(client, review, f"/pay/{order['id']}/confirm")
    clock.advance(timedelta(days=2))  # the ¥5 coupon's last day passes unused

    rewards = html.unescape(client.get("/wallet/rewards").text)
    earned = 118 * rt.merchant_policy.points_per_yuan  # ¥128 less the ¥10 coupon
    points = section(rewards, "points-title")
    assert f'<p class="big-money">{earned}</p>' in points
    assert "还没有积分" not in points
    assert "目前没有优惠券" in section(rewards, "coupons-title")
    past = section(rewards, "past-title")
    assert "已使用和已过期" in past
    assert re.search(r"减 ¥10\.00 · <span class=\"tag\">已使用</span>", past)
    assert re.search(r"减 ¥5\.00 · <span class=\"tag\">已过期</span>", past)


def test_a_new_user_is_told_how_to_earn_points_and_where_coupons_appear(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    rewards = html.unescape(client.get("/wallet/rewards").text)
    assert '<p class="big-money">0</p>' in section(rewards, "points-title")
    assert "还没有积分。用钱包余额或已绑定的银行卡向商户付款即可获得积分。" in rewards
    assert "目前没有优惠券。商户的优惠会显示在这里，付款时可以选用。" in rewards
    assert "已使用和已过期" not in rewards
    english = html.unescape(client.get("/wallet/rewards?lang=en").text)
    assert "No points yet." in english and "No coupons right now." in english
