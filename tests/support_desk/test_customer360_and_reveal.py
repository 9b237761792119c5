"""The customer-360 panel beside a case, masked by default, and revealing one field with a
reason: time-boxed on the injected clock and read-audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import withdraw
from tests.ledger.funding import fund, user_id_of
from tests.support import LI_NA, ZHANG_MING
from tests.support_desk.agent_tools_helpers import (
    propose,
    signed_up_with_case,
    staff,
)
from walletdesk.channels.bank_simulator import Outcome
from walletdesk.clock import FrozenClock
from walletdesk.risk.models import Action, Decision, MovementKind, RuleHit
from walletdesk.runtime import Runtime
from walletdesk.support import customer360
from walletdesk.support.customer360 import ReviewCaseSummary
from walletdesk.support.reveal import REVEAL_FOR

SECOND = timedelta(seconds=1)


def panel(client: TestClient, headers: dict[str, str], case_id: str) -> dict:
    response = client.get(f"/api/v1/staff/cases/{case_id}/customer", headers=headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def audit_of(client: TestClient, headers: dict[str, str], user_id: str) -> list[dict]:
    response = client.get(f"/api/v1/admin/audit?subject_id={user_id}", headers=headers)
    assert response.status_code == 200, response.text
    entries: list[dict] = response.json()
    return entries


def test_the_panel_shows_money_failures_devices_and_security_events_all_masked(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    li, case_id = signed_up_with_case(client, LI_NA, "提现失败了，钱去哪了")
    li_id = user_id_of(rt, "李娜")
    card_id = bind(client, rt, li, LI_NA, ICBC_DEBIT)
    fund(rt, li_id, "900.00")
    clock.advance(timedelta(minutes=5))
    bank(rt).script(bank(rt).token_for(ICBC_DEBIT), [Outcome.CARD_FROZEN])
    status, failed = withdraw(client, li, card_id, "300.00", "frozen-card")
    assert status == 201 and failed["status"] == "failed"
    other_device = client.post(
        "/api/v1/auth/login",
        headers={"X-Device-Id": "li-new-iphone", "User-Agent": "walletdesk-iOS/3.2"},
        json={"login": LI_NA.login, "password": LI_NA.password},
    )
    assert other_device.status_code == 200
    wang = staff(client, rt, "wang", "小王", "agent")
    propose(client, wang, case_id, kind="freeze", reason="客户怀疑账户被盗")

    seen = panel(client, wang.headers | {"Accept-Language": "en"}, case_id)

    assert seen["customer"]["id"] == li_id and seen["customer"]["frozen"] is True
    assert seen["fields"]["phone"] == {
        "value": "139****4321",
        "revealed": False,
        "revealed_until": None,
    }
    assert seen["fields"]["email"]["value"] == "l***@example.com"
    assert seen["balances"][0] == {
        "currency": "CNY",
        "available": "900.00",
        "held": "0.00",
        "total": "900.00",
    }
    latest = seen["transactions"][0]
    assert latest["kind"] == "withdrawal" and latest["status"] == "failed"
    assert latest["failure_reason"]["message"] == "Your bank has frozen this card."
    assert seen["transactions"][1]["amount"] == {"amount": "900.00", "currency": "CNY"}
    assert seen["limits"]["per_transaction"]["amount"] == "500.00"
    [hold] = seen["holds"]
    assert (hold["purpose"], hold["status"]) == ("withdrawal", "released")
    assert hold["amount"]["amount"] == "300.00"
    assert [d["name"] for d in seen["devices"]][0] == "walletdesk-iOS/3.2"
    assert {d["last_ip"] for d in seen["devices"]} == {"*"}, "the test client has no real IP"
    events = [(e["action"], e["details"].get("by")) for e in seen["security_events"]]
    assert events[0] == ("wallet.frozen", "support")
    assert ("login.succeeded", None) in events, "the new device"
    assert seen["review_cases"] == []
    assert LI_NA.phone not in json.dumps(seen) and "li.na@example.com" not in json.dumps(seen)


def test_a_revealed_phone_is_read_audited_and_masked_again_when_its_time_is_up(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    _li, case_id = signed_up_with_case(client, LI_NA, "手机号换了收不到验证码")
    li_id = user_id_of(rt, "李娜")
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    reason = "客户来电核对绑定手机号，用于本工单"

    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/customer/reveal",
        headers=wang.headers,
        json={"field": "phone", "reason": reason},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "reveal_forbidden"
    for field, why, code in [
        ("password", reason, "field_not_revealable"),
        ("totp_secret", reason, "field_not_revealable"),
        ("phone", "看看", "reveal_reason_required"),
    ]:
        bad = client.post(
            f"/api/v1/staff/cases/{case_id}/customer/reveal",
            headers=zhou.headers,
            json={"field": field, "reason": why},
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == code, field

    shown = client.post(
        f"/api/v1/staff/cases/{case_id}/customer/reveal",
        headers=zhou.headers,
        json={"field": "phone", "reason": reason},
    )
    assert shown.status_code == 200, shown.text
    revealed = shown.json()
    assert revealed["value"].endswith("13987654321")
    expires = clock.now() + REVEAL_FOR
    assert revealed["expires_at"] == expires.isoformat().replace("+00:00", "Z")

    [entry] = [
        e for e in audit_of(client, sun.headers, li_id) if e["action"] == "customer.field_revealed"
    ]
    details = json.loads(entry["details"])
    assert entry["actor_id"] == zhou.user_id
    assert details["field"] == "phone" and details["case_id"] == case_id
    assert details["reason"] == reason and "13987654321" not in entry["details"]

    assert panel(client, zhou.headers, case_id)["fields"]["phone"]["value"].endswith("13987654321")
    assert panel(client, wang.headers, case_id)["fields"]["phone"]["value"] == "139****4321"
    reads = [
        e for e in audit_of(client, sun.headers, li_id) if e["action"] == "customer.field_read"
    ]
    assert len(reads) == 1 and json.loads(reads[0]["details"])["fields"] == ["phone"]

    clock.advance(REVEAL_FOR - SECOND)
    assert panel(client, zhou.headers, case_id)["fields"]["phone"]["revealed"] is True
    clock.advance(SECOND)
    phone = panel(client, zhou.headers, case_id)["fields"]["phone"]
    assert phone == {"value": "139****4321", "revealed": False, "revealed_until": None}


def test_a_reveal_counts_only_on_the_case_it_was_given_for(client: TestClient, rt: Runtime) -> None:
    li, first_case = signed_up_with_case(client, LI_NA, "改手机号")
    second = client.post("/api/v1/conversations", headers=li, json={"text": "另一个问题"})
    second_case = second.json()["case"]["id"]
    client.post(f"/api/v1/conversations/{second.json()['conversation_id']}/handoff", headers=li)
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    client.post(
        f"/api/v1/staff/cases/{first_case}/customer/reveal",
        headers=zhou.headers,
        json={"field": "email", "reason": "核对邮箱以发送对账单"},
    )
    assert panel(client, zhou.headers, first_case)["fields"]["email"]["revealed"] is True
    assert (
        panel(client, zhou.headers, second_case)["fields"]["email"]["value"] == "l***@example.com"
    )


def test_a_field_the_customer_never_gave_cannot_be_revealed(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "实名认证")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    missing = client.post(
        f"/api/v1/staff/cases/{case_id}/customer/reveal",
        headers=zhou.headers,
        json={"field": "id_number", "reason": "核对实名信息"},
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "field_empty"


def test_risk_decisions_and_review_cases_show_with_their_reasons_in_the_agents_language(
    client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _li, case_id = signed_up_with_case(client, LI_NA, "转账被拦截了")
    li_id = user_id_of(rt, "李娜")
    hit = RuleHit(
        "new_payee_large", 3, 60, Action.HOLD, "首次收款人且金额较大", "Large amount to a new payee"
    )
    with rt.db.uow() as uow:
        uow.risk.add_decision(
            Decision(
                id="rsk_testdecision0001",
                movement_id="ent_heldtransfer0001",
                movement_kind=MovementKind.TRANSFER,
                user_id=li_id,
                counterparty_id=None,
                amount_minor=8_000_00,
                currency="CNY",
                amount_cny_minor=8_000_00,
                action=Action.HOLD,
                score=60,
                hits=(hit,),
                rule_set_version=3,
                elapsed_us=420,
                created_at=rt.clock.now(),
            )
        )
        uow.commit()
    review = ReviewCaseSummary(
        "rvw_1", "open", rt.clock.now(), "ent_heldtransfer0001", "Held transfer"
    )
    monkeypatch.setattr(
        customer360,
        "REVIEW_CASE_READERS",
        [lambda _rt, _auth, user_id: [review] if user_id == li_id else []],
    )
    wang = staff(client, rt, "wang", "小王", "agent")

    seen = panel(client, wang.headers | {"Accept-Language": "en"}, case_id)

    [decision] = seen["risk_decisions"]
    assert decision["action"] == "hold" and decision["amount"]["amount"] == "8000.00"
    assert decision["reasons"] == ["Large amount to a new payee"]
    assert panel(client, wang.headers, case_id)["risk_decisions"][0]["reasons"] == [
        "首次收款人且金额较大"
    ]
    assert [r["id"] for r in seen["review_cases"]] == ["rvw_1"]


def test_nothing_is_revealed_on_a_closed_case(client: TestClient, rt: Runtime) -> None:
    _li, case_id = signed_up_with_case(client, LI_NA, "改手机号")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    for status in ("solved", "closed"):
        moved = client.post(
            f"/api/v1/staff/cases/{case_id}/status", headers=zhou.headers, json={"status": status}
        )
        assert moved.status_code == 200, moved.text
    closed = client.post(
        f"/api/v1/staff/cases/{case_id}/customer/reveal",
        headers=zhou.headers,
        json={"field": "phone", "reason": "核对绑定手机号"},
    )
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "case_closed"
