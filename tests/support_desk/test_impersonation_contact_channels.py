"""Outbound staff contacts on every channel issue 5 names (call, SMS, chat, email, WeChat) are
registered from the official channel they will come from, to the address we hold, and their
codes verify in-app as that channel. A channel the customer gave us no address for is refused
before anyone reaches out from a number we could not vouch for."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.runtime import Runtime
from walletdesk.support.contacts import link_identity
from walletdesk.support.models import Assurance, IdentityKind

OPENID = "oLiNa_8uMuAJO_M2pxb1Q9zN"


def case_of(client: TestClient, customer: dict[str, str]) -> str:
    started = start_chat(client, customer, "我想确认一下退款进度")
    hand_off(client, customer, started["conversation_id"])
    case_id: str = started["case"]["id"]
    return case_id


def register(client: TestClient, agent: Staff, case_id: str, channel: str) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/contacts",
        headers=agent.headers,
        json={"channel": channel, "purpose": "case_follow_up"},
    )
    body: dict = response.json()
    return response.status_code, body


def verify(client: TestClient, value: str) -> dict:
    response = client.post("/api/v1/verify-contact", json={"value": value})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


@pytest.mark.parametrize(
    ("label", "channel", "source"),
    [
        ("an agent's call", "call", "400-000-8888"),
        ("a text message", "sms", "106900008888"),
        ("an email", "email", "support@walletdesk.example"),
        ("an in-app chat", "chat", "walletdesk app"),
    ],
)
def test_a_contact_comes_from_the_official_source_of_its_channel_and_its_code_says_so(
    client: TestClient, rt: Runtime, label: str, channel: str, source: str
) -> None:
    li = sign_up_and_in(client, LI_NA)  # Li Na gave both a phone number and an email
    agent = staff_member(client, rt, "Wang", "agent")
    status, registered = register(client, agent, case_of(client, li), channel)
    assert status == 201, (label, registered)
    assert (registered["channel"], registered["source"]) == (channel, source), label
    answer = verify(client, registered["code"])
    assert (answer["genuine"], answer["channel"], answer["who"]) == (True, channel, "Wang")
    pending = client.get("/api/v1/me/pending-contacts", headers=li).json()
    assert [(p["channel"], p["source"], p["code"]) for p in pending] == [
        (channel, source, registered["code"])
    ]


def test_an_email_contact_is_refused_for_a_customer_without_an_email_address(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)  # signed up with a phone number only
    agent = staff_member(client, rt, "Wang", "agent")
    status, body = register(client, agent, case_of(client, zhang), "email")
    assert status == 422 and body["error"]["code"] == "no_destination"
    assert client.get("/api/v1/me/pending-contacts", headers=zhang).json() == []


def test_a_wechat_contact_needs_the_customers_openid_and_then_comes_from_the_official_account(
    client: TestClient, rt: Runtime
) -> None:
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = case_of(client, li)
    status, body = register(client, agent, case_id, "wechat")
    assert status == 422 and body["error"]["code"] == "no_destination"

    user_id = client.get("/api/v1/me", headers=li).json()["id"]
    with rt.db.uow() as uow:
        contact = uow.support.contacts.get_by_user(user_id)
        assert contact is not None
        link_identity(
            rt,
            uow,
            contact,
            IdentityKind.WECHAT_OPENID,
            OPENID,
            assurance=Assurance.ANONYMOUS,
            now=rt.clock.now(),
        )
        uow.commit()

    status, registered = register(client, agent, case_id, "wechat")
    assert status == 201, registered
    assert registered["source"] == "walletdesk_cs"
    assert verify(client, registered["code"])["channel"] == "wechat"
    assert verify(client, "walletdesk_kefu01")["genuine"] is False, "a personal WeChat is not us"
