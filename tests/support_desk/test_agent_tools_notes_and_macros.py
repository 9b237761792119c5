"""Internal notes with @mentions, macros expanded from /shortcut in Chinese and English, the
macros' administration, and inserting a knowledge-base article into a draft."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import TOM, ZHANG_MING, bearer, login, register
from tests.support_desk.agent_tools_helpers import customer_case, signed_up_with_case, staff
from walletdesk.runtime import Runtime
from walletdesk.support.kb_seed import seed_kb
from walletdesk.support.notes import find_mentions

COLLEAGUES = [("usr_zhou", "老周"), ("usr_wl", "Wang Lei"), ("usr_wx", "Wang Xu"), ("usr_li", "Li")]


@pytest.mark.parametrize(
    ("label", "text", "mentioned", "unresolved"),
    [
        ("cjk name runs into the sentence", "@老周请看一下", ["usr_zhou"], []),
        ("full name without its space", "ping @WangLei", ["usr_wl"], []),
        ("a shared word names nobody", "@Wang 看看", [], ["Wang"]),
        ("a longer ascii word is not the name", "@Lili", [], ["Lili"]),
        ("an email is no mention", "mail li.na@example.com", [], []),
        ("twice is once", "@老周 @老周 @Li", ["usr_zhou", "usr_li"], []),
    ],
)
def test_mentions_are_found_by_name(
    label: str, text: str, mentioned: list[str], unresolved: list[str]
) -> None:
    found, missing = find_mentions(text, COLLEAGUES)
    assert [m.user_id for m in found] == mentioned, label
    assert missing == unresolved, label


def mentions_of(client: TestClient, headers: dict[str, str], case_id: str) -> list[tuple]:
    response = client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return [(n["title"], n["body"]) for n in response.json() if case_id in n["body"]]


def test_a_note_mentioning_a_colleague_notifies_them_in_app_and_stays_hidden_from_the_customer(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "退款还没到账")
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    staff(client, rt, "liu", "刘审", "risk_reviewer")  # cannot see cases: never mentioned

    note = client.post(
        f"/api/v1/staff/cases/{case_id}/notes",
        headers=wang.headers,
        json={"text": "@老周 客户说退款没到账，麻烦看一下 @刘审 @nobody"},
    )
    assert note.status_code == 201, note.text
    body = note.json()
    assert body["mentions"] == [{"user_id": zhou.user_id, "name": "老周"}]
    assert body["unresolved"] == ["刘审", "nobody"]
    assert body["message"]["visibility"] == "internal"

    assert mentions_of(client, zhou.headers, case_id) == [
        ("有同事在工单备注中提到了您", f"小王 在工单 {case_id} 的内部备注中提到了您。")
    ]
    assert mentions_of(client, wang.headers, case_id) == []

    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()
    mentioned = detail["history"][-1]
    assert mentioned["kind"] == "note.mentioned" and mentioned["public"] is False
    assert mentioned["after"]["mentioned"] == [zhou.user_id]
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert all("老周" not in m["text"] for m in mine["messages"])
    assert "note.mentioned" not in [e["kind"] for e in mine["timeline"]]


def test_a_macro_expands_in_the_cases_chinese_with_the_name_masked_and_the_case_ref(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "充值失败了")
    wang = staff(client, rt, "wang", "小王", "agent")
    expanded = client.post(
        f"/api/v1/staff/cases/{case_id}/macros/expand",
        headers=wang.headers,
        json={"text": "/greet\n/topup_failed /nosuch"},
    )
    assert expanded.status_code == 200, expanded.text
    body = expanded.json()
    assert body["locale"] == "zh-CN" and body["used"] == ["greet", "topup_failed"]
    assert body["unknown"] == ["nosuch"]
    greet, rest = body["text"].split("\n")
    assert greet == "您好，*明，我是 walletdesk 客服 小王，很高兴为您服务。请问有什么可以帮您？"
    assert rest.startswith("*明您好，充值失败时银行卡通常不会被扣款")
    assert rest.endswith(f"工单号：{case_id}。 /nosuch")
    assert "张明" not in body["text"]


def test_a_macro_expands_in_english_for_an_english_case_or_when_asked(
    client: TestClient, rt: Runtime
) -> None:
    register(client, TOM, locale="en")
    tom = bearer(login(client, TOM))
    tom_case = customer_case(client, tom, "My top-up failed")
    _zhang, zhang_case = signed_up_with_case(client, ZHANG_MING, "充值失败了")
    wang = staff(client, rt, "wang", "Wang", "agent")

    def expand(case_id: str, **body: str) -> dict:
        response = client.post(
            f"/api/v1/staff/cases/{case_id}/macros/expand", headers=wang.headers, json=body
        )
        assert response.status_code == 200, response.text
        expanded: dict = response.json()
        return expanded

    english = expand(tom_case, text="/greet")
    assert english["locale"] == "en"
    assert english["text"] == (
        "Hello **r, this is Wang from walletdesk support. How can I help you today?"
    )
    asked = expand(zhang_case, text="/closing", locale="en")
    assert asked["text"].startswith("Is there anything else I can help with?")
    assert f"this case ({zhang_case})" in asked["text"]


def test_a_supervisor_adds_changes_and_retires_macros_and_every_change_is_audited(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "银行卡解绑")
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    card = {
        "title_zh": "解绑银行卡",
        "title_en": "Unbind a card",
        "body_zh": "{customer_name}您好，请在“我的-银行卡”中选择该卡并点击“解绑”。"
        "工单号：{case_ref}",
        "body_en": "Hello {customer_name}, open Me → Bank cards, pick the card and tap Unbind.",
    }
    refused = client.put("/api/v1/admin/macros/card_unbind", headers=wang.headers, json=card)
    assert refused.status_code == 403
    bad = client.put(
        "/api/v1/admin/macros/card_unbind",
        headers=sun.headers,
        json=card | {"body_en": "Your code is {otp}"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_placeholder"
    saved = client.put("/api/v1/admin/macros/card_unbind", headers=sun.headers, json=card)
    assert saved.status_code == 200 and saved.json()["shipped"] is False

    used = client.post(
        f"/api/v1/staff/cases/{case_id}/macros/expand",
        headers=wang.headers,
        json={"text": "/card_unbind"},
    ).json()
    assert used["text"] == f"*明您好，请在“我的-银行卡”中选择该卡并点击“解绑”。工单号：{case_id}"

    retired = client.delete("/api/v1/admin/macros/greet", headers=sun.headers)
    assert retired.status_code == 204
    shortcuts = [
        m["shortcut"] for m in client.get("/api/v1/staff/macros", headers=wang.headers).json()
    ]
    assert "greet" not in shortcuts and "card_unbind" in shortcuts and "never_ask" in shortcuts
    left = client.post(
        f"/api/v1/staff/cases/{case_id}/macros/expand",
        headers=wang.headers,
        json={"text": "/greet"},
    ).json()
    assert left["text"] == "/greet" and left["unknown"] == ["greet"]

    audit = client.get("/api/v1/admin/audit", headers=sun.headers).json()
    actions = [(e["action"], e["subject_id"]) for e in audit]
    assert ("support.macro_saved", "card_unbind") in actions
    assert ("support.macro_retired", "greet") in actions


def test_an_article_is_inserted_as_text_and_link_from_what_the_agent_picked(
    client: TestClient, rt: Runtime
) -> None:
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "怎么识别假客服")
    wang = staff(client, rt, "wang", "小王", "agent")
    inserted = client.post(
        f"/api/v1/staff/cases/{case_id}/articles",
        headers=wang.headers,
        json={
            "article_id": "kb_fake_support",
            "title": "如何识别假冒客服",
            "text": "walletdesk 客服绝不会索要验证码。",
            "url": "/help/articles/kb_fake_support",
        },
    )
    assert inserted.status_code == 200, inserted.text
    assert inserted.json()["snippet"] == (
        "walletdesk 客服绝不会索要验证码。\n/help/articles/kb_fake_support"
    )
    risky = client.post(
        f"/api/v1/staff/cases/{case_id}/articles",
        headers=wang.headers,
        json={"article_id": "x", "text": "点这里", "url": "javascript:alert(1)"},
    )
    assert risky.status_code == 422 and risky.json()["error"]["code"] == "invalid_article_link"
    unknown = client.post(
        f"/api/v1/staff/cases/{case_id}/articles", headers=wang.headers, json={"article_id": "x"}
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "article_not_found"


def test_a_published_knowledge_base_article_is_inserted_from_the_knowledge_base(
    client: TestClient, rt: Runtime
) -> None:
    seed_kb(rt)
    _zhang, case_id = signed_up_with_case(client, ZHANG_MING, "有人说是客服让我转账")
    wang = staff(client, rt, "wang", "小王", "agent")
    inserted = client.post(
        f"/api/v1/staff/cases/{case_id}/articles",
        headers=wang.headers,
        json={"article_id": "fake-customer-service", "url": "https://ignored.example"},
    )
    assert inserted.status_code == 200, inserted.text
    body = inserted.json()
    assert body["source"] == "kb" and body["title"] == "如何识别假客服"
    assert body["text"].startswith("骗子常冒充“walletdesk 客服”")
    assert "/help/articles/" in body["url"] and body["snippet"].endswith(body["url"])
    english = client.post(
        f"/api/v1/staff/cases/{case_id}/articles",
        headers=wang.headers,
        json={"article_id": "fake-customer-service", "locale": "en"},
    ).json()
    assert english["title"] != body["title"] and "locale=en" in english["url"]
