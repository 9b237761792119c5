"""The chat widget on the wallet and help pages: the partial in both languages, and its
same-origin routes (/chat-widget/...) driven the way its script drives them — with the page's
session cookie and CSRF token — through the real assistant, hand-off, offers and rating."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.bot.conftest import assistant, brain, catalogue, saved_model_dir  # noqa: F401
from tests.support import LI_NA, TOM, ZHANG_MING, Person, remember, sign_up_and_in
from tests.support_desk.chat_sockets import inbox_socket, next_of, watch
from tests.support_desk.helpers import staff_member
from tests.web.pages import signed_up_and_in
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.csat import ask_solved_cases

NOTICE = {
    "zh-CN": "真正的客服绝不会向您索要密码或验证码。",
    "en": "A real agent never asks for your password or code.",
}
LAUNCHER = {"zh-CN": "在线咨询", "en": "Chat with us"}


def widget_of(html_text: str) -> str:
    found = re.search(r"<div class=\"chat-widget\".*?</section>\n</div>", html_text, re.S)
    assert found, "the page has no chat widget"
    return found.group(0)


def page_token(client: TestClient, page: str = "/wallet") -> str:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    found = re.search(r'data-csrf="([^"]+)"', shown.text)
    assert found, "the widget carries the CSRF token"
    assert found.group(1) == client.cookies.get("wd_csrf")
    remember(found.group(1))
    return found.group(1)


class Widget:
    """What widget.js does, from the test client: form posts with the page's CSRF token."""

    def __init__(self, client: TestClient, page: str = "/wallet") -> None:
        self.client = client
        self.token = page_token(client, page)
        self.view: dict[str, Any] = {}

    def post(self, path: str, fields: dict[str, str] | None = None) -> httpx2.Response:
        return self.client.post(path, data={"csrf_token": self.token, **(fields or {})})

    def _took(self, response: httpx2.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        self.view = body
        return body

    @property
    def base(self) -> str:
        return f"/chat-widget/conversations/{self.view['conversation_id']}"

    def start(self, text: str) -> dict[str, Any]:
        return self._took(self.post("/chat-widget/conversations", {"text": text}), 201)

    def say(self, text: str) -> dict[str, Any]:
        return self._took(self.post(f"{self.base}/messages", {"text": text, "after": "0"}))

    def hand_off(self) -> dict[str, Any]:
        return self._took(self.post(f"{self.base}/handoff"))

    def confirm(self, tool: str) -> httpx2.Response:
        return self.post(f"{self.base}/confirm", {"tool": tool})

    def show(self) -> dict[str, Any]:
        return self._took(self.client.get(self.base))

    def replies(self) -> list[str]:
        return [m["text"] for m in self.show()["messages"] if m["author"]["kind"] == "bot"]


def signed_in(client: TestClient, person: Person, locale: str = "zh-CN") -> Widget:
    signed_up_and_in(client, person)
    client.get(f"/wallet?lang={locale}")
    return Widget(client)


# -- the partial ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/notifications",
        "/security",
        "/wallet",
        "/wallet/transactions",
        "/help",
        "/help/verify",
    ],
)
def test_the_widget_is_on_wallet_and_help_pages_in_the_page_language(
    client: TestClient, page: str, locale: str
) -> None:
    signed_up_and_in(client, ZHANG_MING)
    shown = client.get(f"{page}?lang={locale}")
    assert shown.status_code == 200, shown.text
    widget = widget_of(shown.text)
    assert NOTICE[locale] in widget
    assert LAUNCHER[locale] in widget
    assert 'data-signed-in="1"' in widget
    assert 'aria-controls="chat-panel"' in widget and 'aria-labelledby="chat-title"' in widget
    assert '<script src="/static/widget.js" defer></script>' in shown.text
    # No inline script or style: the page stays within a strict CSP.
    assert re.search(r"<script(?![^>]*\bsrc=)", widget) is None
    assert " style=" not in widget
    words = dict(re.findall(r'data-t-([a-z-]+)="([^"]*)"', widget))
    assert all(words.values()), words
    assert words["read"] == ("已读" if locale == "zh-CN" else "Read")


def test_a_signed_out_visitor_sees_the_notice_and_a_sign_in_link(client: TestClient) -> None:
    shown = client.get("/help?lang=en")
    widget = widget_of(shown.text)
    assert NOTICE["en"] in widget
    assert 'data-signed-in="0"' in widget
    assert "/login?next=/help" in widget
    assert "data-chat-form" not in widget


def test_the_widget_files_are_served(client: TestClient) -> None:
    script = client.get("/static/widget.js")
    assert script.status_code == 200 and "data-chat-widget" in script.text
    assert client.get("/static/widget.css").status_code == 200


def test_the_agents_hours_are_public(client: TestClient) -> None:
    hours = client.get("/chat-widget/hours", headers={"Accept-Language": "en"}).json()
    # START is Monday 17:00 in Beijing: on duty.
    assert hours == {"humans_online": True, "text": "Our agents are online now."}


# -- refusals ------------------------------------------------------------------------------


def test_the_routes_refuse_a_visitor_without_a_session(client: TestClient) -> None:
    token = page_token(client, "/help")
    started = client.post("/chat-widget/conversations", data={"csrf_token": token, "text": "hi"})
    assert started.status_code == 401
    assert started.json()["error"]["code"] == "authentication_failed"
    assert client.get("/chat-widget/conversations/c-1").status_code == 401


def test_the_routes_refuse_a_post_without_the_csrf_token(client: TestClient) -> None:
    signed_up_and_in(client, ZHANG_MING)
    refused = client.post("/chat-widget/conversations", data={"text": "你好"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = client.post("/chat-widget/conversations", data={"text": "你好", "csrf_token": "x"})
    assert wrong.status_code == 403


def test_an_api_token_in_the_cookie_is_not_a_page_session(client: TestClient) -> None:
    headers = sign_up_and_in(client, TOM)
    token = headers["Authorization"].split(" ", 1)[1]
    widget = Widget(client, "/help")
    client.cookies.set("wd_session", token)
    assert widget.post("/chat-widget/conversations", {"text": "hi"}).status_code == 401


def test_nobody_reads_or_writes_someone_elses_conversation(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    zhang = signed_in(client, ZHANG_MING)
    conversation = zhang.start("你好")["conversation_id"]
    client.cookies.clear()
    li = signed_in(client, LI_NA)
    assert client.get(f"/chat-widget/conversations/{conversation}").status_code == 404
    posted = li.post(f"/chat-widget/conversations/{conversation}/messages", {"text": "hi"})
    assert posted.status_code == 404
    confirmed = li.post(f"/chat-widget/conversations/{conversation}/confirm", {"tool": "x"})
    assert confirmed.status_code == 404
    # A ticket is Li's; Zhang's socket still refuses it (no such conversation for her).
    ticket = li.post(f"/chat-widget/conversations/{conversation}/ticket").json()
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(f"{ticket['path']}?ticket={ticket['ticket']}"):
            pass
    assert refused.value.code == 4404


def test_invalid_input_is_a_json_error_in_the_page_language(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    widget = signed_in(client, TOM, "en")
    widget.start("hello")
    too_long = widget.post(f"{widget.base}/messages", {"text": "x" * 4001})
    assert too_long.status_code == 422
    assert too_long.json()["error"]["message"] == (
        "Some of the information you entered is not valid."
    )


# -- the conversation ----------------------------------------------------------------------


def test_a_chat_starts_with_the_assistant_which_answers_with_thumbs(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    widget = signed_in(client, TOM, "en")
    view = widget.start("How can I tell if a caller is really walletdesk?")
    authors = [m["author"]["kind"] for m in view["messages"]]
    assert authors == ["contact", "bot"]
    assert view["handoff"]["state"] == "bot"
    assert view["hours"]["text"] == "Our agents are online now."
    answer = view["messages"][-1]["id"]
    assert view["rateable"] == [answer]
    url = f"{widget.base}/answers/{answer}/feedback"
    assert widget.post(url, {"helpful": "true"}).json() == {"message_id": answer, "helpful": True}
    question = view["messages"][0]["id"]
    wrong = widget.post(f"{widget.base}/answers/{question}/feedback", {"helpful": "false"})
    assert wrong.status_code == 404
    # Later messages come after the cursor, with the assistant's answer.
    later = widget.post(f"{widget.base}/messages", {"text": "thanks", "after": str(answer)}).json()
    assert [m["author"]["kind"] for m in later["messages"]] == ["contact", "bot"]
    assert all(m["id"] > answer for m in later["messages"])


def test_typing_转人工_hands_off_to_the_agents_with_the_expected_answer_time(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    widget = signed_in(client, ZHANG_MING)
    widget.start("你好")
    view = widget.say("转人工")
    assert view["handoff"]["state"] == "human"
    assert view["handoff"]["text"].startswith("已为您转接人工客服。")
    assert view["handoff"]["reply_by"] is not None
    assert "前回复您" in view["handoff"]["text"]


def test_the_hand_off_button_outside_the_agents_hours_says_when_a_person_takes_over(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
    clock: FrozenClock,
) -> None:
    clock.advance(timedelta(hours=2))  # Monday 19:00 in Beijing: off duty
    widget = signed_in(client, TOM, "en")
    widget.start("How do I top up?")
    view = widget.hand_off()
    assert view["handoff"]["state"] == "later"
    assert view["handoff"]["text"].startswith("A person will take over this chat from")
    assert view["hours"]["humans_online"] is False
    assert "Our agents are offline now" in view["hours"]["text"]


def test_the_assistants_freeze_offer_is_a_button_that_freezes_once(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    widget = signed_in(client, ZHANG_MING)
    widget.start("你好")
    view = widget.say("有个自称客服的人打电话，让我开屏幕共享，把钱转到安全账户")
    assert view["offer"] == {"tool": "freeze_wallet", "label": "立即冻结钱包"}
    assert 'class="banner frozen"' not in client.get("/wallet").text
    tapped = widget.confirm("freeze_wallet")
    assert tapped.status_code == 200, tapped.text
    assert tapped.json()["offer"] is None
    assert 'class="banner frozen"' in client.get("/wallet").text
    again = widget.confirm("freeze_wallet")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "nothing_to_confirm"


def test_a_solved_case_asks_for_a_rating_once(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    agent = staff_member(client, assistant, "Wang", "agent")
    widget = signed_in(client, ZHANG_MING)
    widget.start("转人工")
    case_id = widget.view["case_id"]
    assert widget.view["rating"] == {"asked": False, "can_rate": False, "score": None}
    for path, body in (
        ("assign", {"assignee_id": agent.user_id}),
        ("messages", {"text": "已为您处理好了。"}),
        ("status", {"status": "solved"}),
    ):
        done = client.post(
            f"/api/v1/staff/cases/{case_id}/{path}", headers=agent.headers, json=body
        )
        assert done.status_code in (200, 201), done.text
    ask_solved_cases(assistant)
    view = widget.show()
    assert view["solved"] is True
    assert view["rating"] == {"asked": True, "can_rate": True, "score": None}
    assert "已为您处理好了。" in [m["text"] for m in view["messages"]]
    out_of_range = widget.post(f"/chat-widget/cases/{case_id}/rating", {"score": "6"})
    assert out_of_range.status_code == 422
    rated = widget.post(f"/chat-widget/cases/{case_id}/rating", {"score": "5", "comment": "快"})
    assert rated.json() == {"case_id": case_id, "score": 5}
    assert widget.show()["rating"] == {"asked": True, "can_rate": False, "score": 5}
    twice = widget.post(f"/chat-widget/cases/{case_id}/rating", {"score": "4"})
    assert twice.status_code == 409


# -- the socket ----------------------------------------------------------------------------


def test_a_page_session_opens_the_conversation_socket_and_sees_typing_and_read_receipts(
    client: TestClient,
    assistant: Runtime,  # noqa: F811
) -> None:
    agent = staff_member(client, assistant, "Wang", "agent")
    widget = signed_in(client, ZHANG_MING)
    widget.start("转人工")
    conversation, case_id = widget.view["conversation_id"], widget.view["case_id"]
    asked = widget.view["messages"][0]["id"]
    ticket = widget.post(f"{widget.base}/ticket").json()
    assert ticket["path"] == f"/api/v1/conversations/{conversation}/ws"
    url = f"{ticket['path']}?ticket={ticket['ticket']}"
    with inbox_socket(client, agent.headers) as inbox:
        next_of(inbox, "ready")
        watch(inbox, case_id)
        with client.websocket_connect(url, subprotocols=["walletdesk.chat.v1"]) as chat:
            ready = next_of(chat, "ready")
            assert ready["conversation_id"] == conversation
            assert ready["hours"]["humans_online"] is True
            inbox.send_json({"type": "typing", "conversation_id": conversation, "typing": True})
            assert next_of(chat, "typing")["by"] == {"kind": "agent", "name": "Wang"}
            inbox.send_json({"type": "read", "conversation_id": conversation, "up_to": asked})
            read = next_of(chat, "read")
            assert (read["reader"]["kind"], read["up_to"]) == ("agent", asked)
            reply = client.post(
                f"/api/v1/staff/cases/{case_id}/messages",
                headers=agent.headers,
                json={"text": "您好，我是客服小王。"},
            )
            assert reply.status_code == 201, reply.text
            pushed = next_of(chat, "message")
            assert pushed["message"]["text"] == "您好，我是客服小王。"
            assert pushed["message"]["author"] == {"kind": "agent", "name": "Wang"}
    # The receipts are in the widget's state too (for a panel opened later).
    assert {"reader": {"kind": "agent"}, "up_to": asked} in widget.show()["read"]
    # The ticket worked once.
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(url):
        pass
