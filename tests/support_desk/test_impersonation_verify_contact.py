"""Checking "Is this really walletdesk?" without signing in: official channels and registered staff
contacts are genuine, everything else gets the scam warning, and no answer tells anything
about another customer."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime

SECOND = timedelta(seconds=1)
ZH = {"Accept-Language": "zh-CN"}


def check(client: TestClient, value: str, headers: dict[str, str] | None = None) -> dict:
    response = client.post("/api/v1/verify-contact", json={"value": value}, headers=headers or ZH)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def contact_on_new_case(
    client: TestClient, agent: Staff, customer: dict[str, str], channel: str, purpose: str
) -> dict:
    started = start_chat(client, customer, "我想确认一下退款")
    hand_off(client, customer, started["conversation_id"])
    response = client.post(
        f"/api/v1/staff/cases/{started['case']['id']}/contacts",
        headers=agent.headers,
        json={"channel": channel, "purpose": purpose},
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def test_an_unregistered_number_is_not_us_and_gets_the_scam_warning(client: TestClient) -> None:
    answer = check(client, "+86 170 1234 5678")
    assert answer["genuine"] is False
    assert answer["kind"] == "phone"
    assert "可能是诈骗" in answer["warning"] and "400-000-8888" in answer["warning"]
    assert answer["who"] is None and answer["why"] is None


@pytest.mark.parametrize("typed", ["400-000-8888", "+86 400 000 8888", "4000008888"])
def test_the_official_hotline_is_genuine_however_it_is_written(
    client: TestClient, typed: str
) -> None:
    answer = check(client, typed)
    assert answer["genuine"] is True
    assert answer["who"] == "walletdesk 官方客服热线"
    assert answer["why"].startswith("walletdesk 官方渠道：")
    assert answer["channel"] == "call"
    assert answer["warning"] is None


@pytest.mark.parametrize(
    ("label", "value", "genuine"),
    [
        ("our website", "https://help.walletdesk.example/articles/1", True),
        ("our domain without a scheme", "walletdesk.example", True),
        ("our domain as a subdomain of another", "https://walletdesk.example.pay-now.test", False),
        (
            "our name as a user before another host",
            "https://walletdesk.example@pay-now.test",
            False,
        ),
        ("a look-alike letter", "https://wаlletdesk.example", False),
        ("our support address", "support@walletdesk.example", True),
        ("a free-mail look-alike", "walletdesk.support@mail.test", False),
        ("our WeChat official account", "walletdesk_cs", True),
        ("a personal WeChat", "walletdesk_kefu01", False),
    ],
)
def test_web_email_and_wechat_answers(
    client: TestClient, label: str, value: str, genuine: bool
) -> None:
    assert check(client, value)["genuine"] is genuine, label


def test_a_registered_contact_code_is_genuine_and_says_only_who_and_why(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    registered = contact_on_new_case(client, agent, zhang, "sms", "case_follow_up")
    assert registered["source"] == "106900008888"

    answer = check(client, registered["code"])

    assert answer == {
        "genuine": True,
        "kind": "contact_code",
        "who": "Wang",
        "why": "walletdesk 的 Wang 正在联系您，事由：跟进您的求助。",
        "channel": "sms",
        "warning": None,
    }, "no customer name, phone or case"


def test_a_contact_code_stops_being_genuine_at_the_end_of_its_window(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    registered = contact_on_new_case(client, agent, zhang, "call", "case_follow_up")
    assert registered["source"] == "400-000-8888"
    code = registered["code"]

    clock.advance(timedelta(minutes=10) - SECOND)
    assert check(client, code)["genuine"] is True
    clock.advance(SECOND)
    assert check(client, code)["genuine"] is False
    clock.advance(SECOND)
    expired = check(client, code)
    assert expired["genuine"] is False and "可能是诈骗" in expired["warning"]


def test_a_signed_in_customer_is_told_not_us_for_a_code_meant_for_someone_else(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    code = contact_on_new_case(client, agent, zhang, "call", "case_follow_up")["code"]

    assert check(client, code, zhang | ZH)["genuine"] is True
    assert check(client, code, li | ZH)["genuine"] is False
    assert check(client, code, {"Authorization": "Bearer not-a-token"})["genuine"] is True


def test_checks_are_rate_limited_per_address(client: TestClient) -> None:
    for _ in range(30):
        check(client, "0000")
    response = client.post("/api/v1/verify-contact", json={"value": "0001"})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
