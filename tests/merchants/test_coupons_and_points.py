from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.api.test_staff import make_staff, staff_login
from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay, refund, shop_headers
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.ledger.models import AccountKind
from walletdesk.runtime import Runtime

CAMPAIGN = {
    "name": "双十二满100减10",
    "currency": "CNY",
    "amount_off": "10.00",
    "min_spend": "100.00",
    "expires_at": "2026-12-12T23:59:59+08:00",
    "quantity": 2,
}


def admin_headers(client: TestClient, rt: Runtime) -> dict[str, str]:
    admin = make_staff(rt, "admin@walletdesk.example", "admin")
    return staff_login(client, rt, "admin@walletdesk.example", admin.totp_secret)


def give_coupon(client: TestClient, rt: Runtime, admin: dict[str, str], **terms: object) -> str:
    campaign = client.post("/api/v1/admin/coupon-campaigns", headers=admin, json=CAMPAIGN | terms)
    assert campaign.status_code == 201, campaign.text
    issued = client.post(
        f"/api/v1/admin/coupon-campaigns/{campaign.json()['id']}/coupons",
        headers=admin,
        json={"user_id": user_id_of(rt, "张明")},
    )
    assert issued.status_code == 201, issued.text
    return str(issued.json()["id"])


def platform_total(rt: Runtime, kind: AccountKind) -> int:
    with rt.db.uow(read_only=True) as uow:
        return sum(a.posted for a in uow.accounts.all() if a.kind == kind)


def wallet(client: TestClient, headers: dict[str, str]) -> str:
    return client.get("/api/v1/wallets", headers=headers).json()["wallets"][0]["available"]


def test_a_coupon_lowers_what_the_user_pays_while_the_merchant_gets_the_full_amount(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    coupon_id = give_coupon(client, rt, admin_headers(client, rt))
    [mine] = client.get("/api/v1/coupons", headers=zhang).json()["coupons"]
    assert mine["status"] == "available" and mine["amount_off"]["amount"] == "10.00"
    order = new_order(client, shop, amount="120.00")
    status, paid = pay(client, zhang, order["id"], "pay-1", coupon_id=coupon_id)
    assert status == 201, paid
    assert paid["paid_from_wallet"]["amount"] == "110.00"
    assert paid["coupon_discount"]["amount"] == "10.00"
    assert wallet(client, zhang) == "390.00"
    balance = client.get("/api/v1/merchant/balance", headers=shop_headers(shop)).json()
    assert balance["available"]["amount"] == "120.00"
    assert platform_total(rt, AccountKind.COUPON_EXPENSE) == -1000
    assert client.get("/api/v1/coupons", headers=zhang).json()["coupons"][0]["status"] == "used"
    # A full refund gives the payer back what they paid and the coupon's part to the platform.
    assert refund(client, shop, order["id"], "120.00", "RF-1")[0] == 201
    assert wallet(client, zhang) == "500.00"
    assert platform_total(rt, AccountKind.COUPON_EXPENSE) == 0


def test_a_coupon_is_used_once_only(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    coupon_id = give_coupon(client, rt, admin_headers(client, rt))
    first = new_order(client, shop, order_no="A-1")
    second = new_order(client, shop, order_no="A-2")
    assert pay(client, zhang, first["id"], "p1", coupon_id=coupon_id)[0] == 201
    status, body = pay(client, zhang, second["id"], "p2", coupon_id=coupon_id)
    assert status == 409 and body["error"]["code"] == "coupon_already_used"
    assert body["error"]["message"] == "这张优惠券已经用过了。"
    assert client.get(f"/api/v1/payments/{second['id']}", headers=zhang).json()["status"] == (
        "pending"
    )


@pytest.mark.parametrize(
    ("label", "amount", "days_later", "code", "words"),
    [
        ("below the minimum spend", "99.99", 0, "coupon_min_spend_not_met", "需满 ¥100.00"),
        ("after it expired", "100.00", 20, "coupon_expired", "已于 2026年12月12日 23:59 过期"),
    ],
)
def test_a_coupon_is_refused_with_a_clear_reason(
    client: TestClient,
    rt: Runtime,
    clock: FrozenClock,
    label: str,
    amount: str,
    days_later: int,
    code: str,
    words: str,
) -> None:
    rt.merchant_policy.order_ttl_minutes = 60 * 24 * 60
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    coupon_id = give_coupon(client, rt, admin_headers(client, rt))
    order = new_order(client, shop, amount=amount)
    clock.advance(timedelta(days=days_later))
    status, body = pay(client, zhang, order["id"], "p1", coupon_id=coupon_id)
    assert status == 409 and body["error"]["code"] == code, label
    assert words in body["error"]["message"], body
    assert wallet(client, zhang) == "500.00"


def test_someone_elses_coupon_looks_missing(client: TestClient, rt: Runtime) -> None:
    shop = open_shop(rt)
    sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "李娜"), "500.00")
    coupon_id = give_coupon(client, rt, admin_headers(client, rt))
    order = new_order(client, shop)
    status, body = pay(client, li, order["id"], "p1", coupon_id=coupon_id)
    assert status == 404 and body["error"]["code"] == "coupon_not_found"


def test_campaigns_are_for_admins_and_issue_no_more_than_their_quantity(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    refused = client.post("/api/v1/admin/coupon-campaigns", headers=zhang, json=CAMPAIGN)
    assert refused.status_code == 403
    admin = admin_headers(client, rt)
    bad = client.post(
        "/api/v1/admin/coupon-campaigns", headers=admin, json=CAMPAIGN | {"min_spend": "10.00"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "coupon_terms_invalid"
    campaign = client.post("/api/v1/admin/coupon-campaigns", headers=admin, json=CAMPAIGN).json()
    issue = f"/api/v1/admin/coupon-campaigns/{campaign['id']}/coupons"
    body = {"user_id": user_id_of(rt, "张明")}
    assert client.post(issue, headers=admin, json=body).status_code == 201
    assert client.post(issue, headers=admin, json=body).status_code == 201
    exhausted = client.post(issue, headers=admin, json=body)
    assert (
        exhausted.status_code == 409 and exhausted.json()["error"]["code"] == "campaign_exhausted"
    )
    assert len(client.get("/api/v1/coupons", headers=zhang).json()["coupons"]) == 2


def test_payments_earn_points_at_the_configured_rate_on_their_own_ledger(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    assert client.get("/api/v1/points", headers=zhang).json()["balance"] == "0"
    first = new_order(client, shop, amount="36.80", order_no="P-1")
    status, paid = pay(client, zhang, first["id"], "p1")
    assert status == 201 and paid["points_earned"] == 36  # whole yuan only
    rt.merchant_policy.points_per_yuan = 2
    second = new_order(client, shop, amount="10.00", order_no="P-2")
    assert pay(client, zhang, second["id"], "p2")[1]["points_earned"] == 20
    points = client.get("/api/v1/points", headers=zhang).json()
    assert points == {"balance": "56", "currency": "PTS", "points_per_yuan": 2}
    with rt.db.uow(read_only=True) as uow:
        totals = uow.accounts.totals_by_currency()
        assert uow.journal.unbalanced_entries() == []
    assert totals["PTS"] == 0 and totals["CNY"] == 0
    # Points are not money: the wallet list shows CNY only.
    listed = client.get("/api/v1/wallets", headers=zhang).json()["wallets"]
    assert [w["currency"] for w in listed] == ["CNY"]


def test_refunds_take_back_the_points_earned_on_the_refunded_share(
    client: TestClient, rt: Runtime
) -> None:
    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop, amount="100.00", order_no="R-1")
    assert pay(client, zhang, order["id"], "p1")[1]["points_earned"] == 100

    def points() -> str:
        return str(client.get("/api/v1/points", headers=zhang).json()["balance"])

    assert refund(client, shop, order["id"], "33.33", "r1")[0] == 201
    assert points() == "67"  # 100 × 33.33/100 = 33.33 → 33 taken back
    assert refund(client, shop, order["id"], "33.33", "r2")[0] == 201
    assert points() == "34"  # cumulative: 66.66 → 66 in all, never drifting
    assert refund(client, shop, order["id"], "33.34", "r3")[0] == 201
    assert points() == "0"  # fully refunded: every point earned is gone
    with rt.db.uow(read_only=True) as uow:
        assert uow.accounts.totals_by_currency()["PTS"] == 0
        assert uow.journal.unbalanced_entries() == []


def test_a_refund_never_takes_back_points_already_spent(client: TestClient, rt: Runtime) -> None:
    from walletdesk.ledger.accounts import platform_account
    from walletdesk.ledger.models import EntryKind, Leg
    from walletdesk.ledger.money import POINTS
    from walletdesk.ledger.posting import post_entry
    from walletdesk.merchants.accounts import points_account

    shop = open_shop(rt)
    zhang = sign_up_and_in(client, ZHANG_MING)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    order = new_order(client, shop, amount="100.00", order_no="S-1")
    pay(client, zhang, order["id"], "p1")
    with rt.db.uow() as uow:  # the user spends 90 of the 100 points elsewhere
        mine = points_account(rt, uow, user_id_of(rt, "张明"))
        liability = platform_account(rt, uow, AccountKind.POINTS_LIABILITY, POINTS, "s0")
        post_entry(
            rt,
            uow,
            kind=EntryKind.ADJUSTMENT,
            description="points redeemed",
            legs=[Leg(mine.id, -90, POINTS), Leg(liability.id, 90, POINTS)],
        )
        uow.commit()
    status, _ = refund(client, shop, order["id"], "100.00", "r1")
    assert status == 201  # the money goes back even though most points are gone
    assert client.get("/api/v1/points", headers=zhang).json()["balance"] == "0"
    assert client.get("/api/v1/wallets", headers=zhang).json()["wallets"][0]["available"] == (
        "500.00"
    )
