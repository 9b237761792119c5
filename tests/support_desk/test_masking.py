"""Customers' codes, passwords, card and ID numbers are masked before a message is stored,
and the customer is told that a real agent never asks for them."""

import pytest
from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import hand_off, staff_member, start_chat
from walletdesk.banking.bins import luhn_ok
from walletdesk.runtime import Runtime
from walletdesk.support.masking import Secret, mask_sensitive

NOTICE_ZH = "真正的客服绝不会向您索要密码或验证码"


def luhn_completed(prefix: str) -> str:
    """`prefix` plus the one check digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


CARD = luhn_completed("622202123456789")  # 16 digits, ICBC-like
CARD_19 = luhn_completed("621700123456789012")  # 19 digits
NOT_A_CARD = next(
    n for n in (f"12345678123456{x:02d}" for x in range(100)) if not luhn_ok(n)
)  # 16 digits that fail the Luhn check
RESIDENT_ID = "110101199003074573"  # valid GB 11643 check digit


@pytest.mark.parametrize(
    ("label", "text", "stored", "found"),
    [
        ("code after 验证码", "验证码是123456", "验证码是******", {Secret.CODE}),
        ("code before 验证码", "654321是我的验证码", "******是我的验证码", {Secret.CODE}),
        ("English OTP", "my OTP: 9081", "my OTP: ****", {Secret.CODE}),
        ("password 是", "我的密码是abc12345，谢谢", "我的密码是******，谢谢", {Secret.PASSWORD}),
        ("password is", "my password is Hunter2!", "my password is ******", {Secret.PASSWORD}),
        ("a card", f"卡号{CARD}", f"卡号************{CARD[-4:]}", {Secret.CARD_NUMBER}),
        (
            "a grouped card",
            f"卡号 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}",
            f"卡号 **** **** **** {CARD[12:]}",
            {Secret.CARD_NUMBER},
        ),
        ("a 19-digit card", CARD_19, "*" * 15 + CARD_19[-4:], {Secret.CARD_NUMBER}),
        ("an ID number", f"身份证{RESIDENT_ID}", "身份证1101**********4573", {Secret.ID_NUMBER}),
    ],
)
def test_secrets_in_a_message_are_masked(
    label: str, text: str, stored: str, found: set[Secret]
) -> None:
    masked = mask_sensitive(text)
    assert masked.text == stored, label
    assert masked.found == found, label


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("a 16-digit order number that fails Luhn", f"订单号{NOT_A_CARD}"),
        ("an ID number with a wrong check digit", "身份证110101199003074571"),
        ("an amount next to the word code", "转账1000元，验证码还没收到"),
        ("a phone number", "请打我电话13812345678"),
        ("a complaint about the password", "my password is wrong"),
        ("an amount after typing the password", "我输入密码后转了5000元"),
    ],
)
def test_ordinary_numbers_and_words_are_left_alone(label: str, text: str) -> None:
    masked = mask_sensitive(text)
    assert masked.text == text, label
    assert not masked.changed


def test_a_card_number_next_to_an_amount_is_masked_without_the_amount() -> None:
    assert mask_sensitive(f"扣了 100 {CARD}").text == f"扣了 100 ************{CARD[-4:]}"


def stored_bodies(rt: Runtime, case_id: str) -> list[str]:
    with rt.db.uow(read_only=True) as uow:
        return [m.body for m in uow.support.messages.for_case(case_id)]


def test_a_code_in_the_first_message_is_stored_masked_and_the_customer_is_warned(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    started = start_chat(client, zhang, "验证码是123456")
    case_id = started["case"]["id"]
    assert started["message"]["text"] == "验证码是******"
    assert started["case"]["subject"] == "验证码是******"
    bodies = stored_bodies(rt, case_id)
    assert bodies[0] == "验证码是******"
    assert NOTICE_ZH in bodies[1]
    assert not any("123456" in body for body in bodies)
    page = client.get(
        f"/api/v1/conversations/{started['conversation_id']}/messages", headers=zhang
    ).json()["items"]
    assert [m["author"]["kind"] for m in page] == ["contact", "system"]
    assert NOTICE_ZH in page[1]["text"]


def test_card_and_id_numbers_are_masked_but_an_order_number_is_not(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "提现没到账")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    hand_off(client, zhang, conversation)
    said = client.post(
        f"/api/v1/conversations/{conversation}/messages",
        headers=zhang,
        json={"text": f"卡号{CARD}，身份证{RESIDENT_ID}"},
    )
    assert said.status_code == 201, said.text
    assert said.json()["message"]["text"] == (
        f"卡号************{CARD[-4:]}，身份证1101**********4573"
    )
    plain = client.post(
        f"/api/v1/conversations/{conversation}/messages",
        headers=zhang,
        json={"text": f"订单号{NOT_A_CARD}"},
    )
    assert plain.json()["message"]["text"] == f"订单号{NOT_A_CARD}"
    staff_view = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    texts = [m["text"] for m in staff_view["messages"]]
    assert not any(CARD in t or RESIDENT_ID in t for t in texts)
    assert texts[-1] == f"订单号{NOT_A_CARD}", "no warning after a harmless message"
    assert sum(NOTICE_ZH in t for t in texts) == 1


def test_an_agent_may_write_numbers_the_customer_would_have_masked(
    client: TestClient, rt: Runtime
) -> None:
    """Masking is for what customers write; an agent's reference number stays readable."""
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "退款进度")
    hand_off(client, zhang, started["conversation_id"])
    reply = client.post(
        f"/api/v1/staff/cases/{started['case']['id']}/messages",
        headers=agent.headers,
        json={"text": f"退款流水号 {NOT_A_CARD}"},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["message"]["text"] == f"退款流水号 {NOT_A_CARD}"
