from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.api.test_staff import make_staff, staff_login
from tests.support import ZHANG_MING, sign_up_and_in
from walletdesk.audit.services import recent_entries
from walletdesk.clock import FrozenClock
from walletdesk.ledger.fx_rates import DEMO_RATES, seed_demo_rates
from walletdesk.runtime import Runtime

ADMIN = "admin@walletdesk.example"
AGENT = "agent@walletdesk.example"


def admin_headers(client: TestClient, rt: Runtime) -> dict[str, str]:
    admin = make_staff(rt, ADMIN, "admin")
    return staff_login(client, rt, ADMIN, admin.totp_secret)


def put_rate(
    client: TestClient, headers: dict[str, str], pair: str = "USD/CNY", **body: object
) -> tuple[int, dict]:
    response = client.put(
        f"/api/v1/admin/fx/rates/{pair}",
        headers=headers,
        json={"mid": "7.1850", "spread_bps": 30} | body,
    )
    return response.status_code, response.json()


def test_an_admin_sets_a_rate_and_customers_see_what_they_buy_and_sell_at(
    client: TestClient, rt: Runtime
) -> None:
    admin = admin_headers(client, rt)
    status, body = put_rate(client, admin)
    assert status == 200, body
    assert body["mid"] == "7.185" and body["spread_bps"] == 30
    zhang = sign_up_and_in(client, ZHANG_MING)
    rates = client.get("/api/v1/fx/rates", headers=zhang).json()["rates"]
    assert rates == [
        {
            "base": "USD",
            "quote": "CNY",
            "mid": "7.185",
            "spread_bps": 30,
            "buy_rate": "7.206555",  # 7.185 × 1.003
            "sell_rate": "7.163445",  # 7.185 × 0.997
            "effective_at": body["effective_at"],
        }
    ]
    assert client.get("/api/v1/fx/rates").status_code == 401


def test_agents_and_customers_cannot_change_rates(client: TestClient, rt: Runtime) -> None:
    agent = make_staff(rt, AGENT, "agent")
    agent_headers = staff_login(client, rt, AGENT, agent.totp_secret)
    status, body = put_rate(client, agent_headers)
    assert status == 403 and body["error"]["code"] == "forbidden"
    zhang = sign_up_and_in(client, ZHANG_MING)
    assert put_rate(client, zhang)[0] == 403
    history = client.get("/api/v1/admin/fx/rates/USD/CNY/history", headers=agent_headers)
    assert history.status_code == 403


def test_every_change_is_kept_with_who_and_when_and_audited(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    admin = admin_headers(client, rt)
    put_rate(client, admin, mid="7.1850")
    clock.advance(timedelta(hours=2))
    put_rate(client, admin, mid="7.2010", spread_bps=25)
    changes = client.get("/api/v1/admin/fx/rates/USD/CNY/history", headers=admin).json()
    assert [(c["mid"], c["spread_bps"]) for c in changes["changes"]] == [
        ("7.201", 25),
        ("7.185", 30),
    ]
    assert changes["changes"][0]["set_by"] == changes["changes"][1]["set_by"] is not None
    entries = [e for e in recent_entries(rt.db, subject_id="USD/CNY") if e.action == "fx.rate_set"]
    assert len(entries) == 2 and entries[0].actor_kind == "staff"
    assert '"previous_mid":"7.185"' in entries[0].details


def test_a_rate_set_for_later_takes_effect_on_time(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    admin = admin_headers(client, rt)
    put_rate(client, admin, mid="7.1850")
    later = clock.now() + timedelta(hours=1)
    status, _ = put_rate(client, admin, mid="7.3000", effective_at=later.isoformat())
    assert status == 200
    zhang = sign_up_and_in(client, ZHANG_MING)
    assert client.get("/api/v1/fx/rates", headers=zhang).json()["rates"][0]["mid"] == "7.185"
    clock.advance(timedelta(hours=1))
    assert client.get("/api/v1/fx/rates", headers=zhang).json()["rates"][0]["mid"] == "7.3"


@pytest.mark.parametrize(
    ("label", "pair", "body", "code"),
    [
        ("words are not a rate", "USD/CNY", {"mid": "seven"}, "invalid_fx_rate"),
        ("a rate is above zero", "USD/CNY", {"mid": "0"}, "invalid_fx_rate"),
        ("at most ten decimals", "USD/CNY", {"mid": "7.12345678901"}, "invalid_fx_rate"),
        ("a float in disguise", "USD/CNY", {"mid": "7.2e0"}, "invalid_fx_rate"),
        ("spread above 10 %", "USD/CNY", {"spread_bps": 1500}, "invalid_fx_spread"),
        ("negative spread", "USD/CNY", {"spread_bps": -1}, "invalid_fx_spread"),
        ("pairs quote in cny", "CNY/USD", {}, "unsupported_fx_pair"),
        ("no foreign cross pairs", "EUR/USD", {}, "unsupported_fx_pair"),
        ("history is not rewritten", "USD/CNY", {"effective_at": "2020-01-01T00:00:00Z"},
         "fx_effective_in_past"),
    ],
)  # fmt: skip
def test_bad_rates_are_refused_with_a_translated_reason(
    client: TestClient, rt: Runtime, label: str, pair: str, body: dict, code: str
) -> None:
    admin = admin_headers(client, rt)
    status, refused = put_rate(client, admin, pair, **body)
    assert status == 422 and refused["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused["error"]["message"])  # zh-CN


def test_demo_rates_are_seeded_once_and_never_overwrite_a_set_rate(
    client: TestClient, rt: Runtime
) -> None:
    admin = admin_headers(client, rt)
    put_rate(client, admin, mid="7.0000")
    seeded = seed_demo_rates(rt)
    assert sorted(r.base for r in seeded) == ["EUR", "HKD", "JPY"]
    assert seed_demo_rates(rt) == []
    zhang = sign_up_and_in(client, ZHANG_MING)
    mids = {
        r["base"]: r["mid"] for r in client.get("/api/v1/fx/rates", headers=zhang).json()["rates"]
    }
    assert mids["USD"] == "7"
    assert mids["JPY"] == "0.04735" == DEMO_RATES["JPY"][0].rstrip("0")
