"""An agent's reply that asks for a password, a code, a full card or ID number, or a transfer
to a "safe account" is not sent: 422 draft_refused, and an audit entry says who tried."""

import pytest
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.audit.chain import AuditEntry
from walletdesk.runtime import Runtime
from walletdesk.support.impersonation import RiskyAsk, risky_requests


@pytest.mark.parametrize(
    ("label", "draft", "asks"),
    [
        ("asks for the code", "请提供验证码", {RiskyAsk.CODE}),
        ("asks for the SMS code", "请把您收到的短信验证码发给我，谢谢", {RiskyAsk.CODE}),
        ("asks what the code is", "验证码是多少？", {RiskyAsk.CODE}),
        ("spaced out to slip through", "请 提 供 验\u200b证 码", {RiskyAsk.CODE}),
        ("a soothing word first", "请不要担心请提供验证码", {RiskyAsk.CODE}),
        ("a far-off negation", "I don't know why, but please tell me the code", {RiskyAsk.CODE}),
        ("asks for the password", "麻烦告诉我您的登录密码", {RiskyAsk.PASSWORD}),
        ("asks for the full card", "请提供您的银行卡号", {RiskyAsk.CARD_NUMBER}),
        ("asks for the ID number", "请提供身份证号码以便核实", {RiskyAsk.ID_NUMBER}),
        ("a safe account", "为了资金安全，请将余额转到安全账户", {RiskyAsk.SAFE_ACCOUNT}),
        ("transfer to this account", "请把钱转入以下账户", {RiskyAsk.SAFE_ACCOUNT}),
        ("English code", "Please tell me the verification code you received.", {RiskyAsk.CODE}),
        ("English OTP", "What's your OTP?", {RiskyAsk.CODE}),
        ("English password", "I need your password to fix this.", {RiskyAsk.PASSWORD}),
        ("English card", "Please give me your full card number", {RiskyAsk.CARD_NUMBER}),
        ("English safe account", "Move your money to a safe account now.", {RiskyAsk.SAFE_ACCOUNT}),
    ],
)
def test_drafts_that_ask_for_secrets_are_recognised(
    label: str, draft: str, asks: set[RiskyAsk]
) -> None:
    assert risky_requests(draft) == asks, label


@pytest.mark.parametrize(
    ("label", "draft"),
    [
        ("a warning about codes", "请勿向任何人提供验证码，包括客服。"),
        ("we never ask", "我们不会索要您的密码或验证码。"),
        ("we sent a code for the app", "我们已给您发送验证码，请在 App 中输入。"),
        ("the last four digits", "请提供卡号后四位，方便我们查询。"),
        ("no such thing as a safe account", "我们没有所谓的安全账户，请勿转账。"),
        ("a withdrawal goes to the bound card", "提现会转到您绑定的银行卡账户。"),
        ("English warning", "We will never ask for your password."),
        ("an error code", "Please read me the error code on the screen."),
        ("English last four", "Please confirm the last four digits of your card number."),
    ],
)
def test_ordinary_and_warning_drafts_pass(label: str, draft: str) -> None:
    assert risky_requests(draft) == frozenset(), label


def case_with_humans(client: TestClient, customer: dict[str, str]) -> str:
    started = start_chat(client, customer, "我的账户被锁了")
    hand_off(client, customer, started["conversation_id"])
    case_id: str = started["case"]["id"]
    return case_id


def refused_drafts(rt: Runtime) -> list[AuditEntry]:
    with rt.db.uow(read_only=True) as uow:
        return [e for e in uow.audit.iterate() if e.action == "support.draft_refused"]


def reply(
    client: TestClient, agent: Staff, case_id: str, text: str, **extra: object
) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers | {"Accept-Language": "zh-CN"},
        json={"text": text} | extra,
    )
    body: dict = response.json()
    return response.status_code, body


def test_a_reply_asking_for_the_code_is_refused_audited_and_never_sent(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = case_with_humans(client, zhang)
    before = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()

    status, body = reply(client, agent, case_id, "请提供验证码")

    assert status == 422
    assert body["error"]["code"] == "draft_refused"
    assert "真正的客服绝不会索要密码、验证码" in body["error"]["message"]
    after = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    assert after["messages"] == before["messages"], "nothing reached the customer"
    assert after["version"] == before["version"], "a refused draft changes nothing on the case"
    [entry] = refused_drafts(rt)
    assert (entry.actor_kind, entry.actor_id) == ("staff", agent.user_id)
    assert (entry.subject_kind, entry.subject_id) == ("case", case_id)
    assert '"asks":["code"]' in entry.details
    assert "请提供验证码" in entry.details


def test_the_refusal_speaks_the_agents_language(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = case_with_humans(client, zhang)
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers | {"Accept-Language": "en"},
        json={"text": "Please transfer your balance to this account for safety."},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("This reply was not sent")


def test_an_internal_note_quoting_the_scammer_is_kept(client: TestClient, rt: Runtime) -> None:
    """Notes never reach the customer, so agents may write down what a scammer asked."""
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = case_with_humans(client, zhang)
    status, body = reply(
        client, agent, case_id, "客户说对方让他提供验证码并转到安全账户", visibility="internal"
    )
    assert status == 201, body
    assert refused_drafts(rt) == []


def test_a_warning_reply_goes_out(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = case_with_humans(client, zhang)
    status, body = reply(client, agent, case_id, "请勿向任何人提供验证码，我们不会索要。")
    assert status == 201, body
    assert body["message"]["text"] == "请勿向任何人提供验证码，我们不会索要。"
