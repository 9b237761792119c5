"""The signed-in side of the help centre: a complaint filed on the page and followed through
its timeline (result, one appeal, acceptance), suggestions, the banner of a call an agent
announced, and the hints on the wallet and security pages, which must lead to real articles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING
from tests.web.test_wallet_pages import submit, wallet_user
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.identity.context import RequestContext
from walletdesk.identity.permissions import Role
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime
from walletdesk.support import complaints_views
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.complaints_handling import give_result
from walletdesk.support.kb_seed import seed_kb
from walletdesk.support.verification import open_verification, schedule_call
from walletdesk.support.verification_models import Reason

REFERENCE = re.compile(r"/help/complaints/(TS-\d{8}-\d{4})")


def agent(rt: Runtime, name: str) -> SupportActor:
    created = create_staff(
        rt,
        login_text=f"{name.lower()}@walletdesk.example",
        password="harbour lantern quiet 19",
        display_name=name,
        roles=[Role.AGENT.value],
        actor=Actor.system(),
        request=RequestContext(),
    )
    return SupportActor(ActorKind.AGENT, created.user_id, roles=frozenset({Role.AGENT.value}))


def file_complaint(client: TestClient, text: str = "提现手续费和页面上写的不一样") -> str:
    filed = submit(
        client, "/help/complaints", "/help/complaints", {"category": "fees", "text": text}
    )
    assert filed.status_code == 200, filed.text
    found = REFERENCE.search(str(filed.url))
    assert found, filed.url
    return found.group(1)


def answer(rt: Runtime, handler: SupportActor, text: str) -> None:
    """The handler gives the result of the one complaint waiting for it."""
    (waiting,) = complaints_views.staff_complaints(rt, handler, awaiting_result=True)
    give_result(rt, handler, waiting.case.id, text=text)


# Complaints ----------------------------------------------------------------------------------


def test_signed_out_visitors_are_asked_to_sign_in_first(client: TestClient) -> None:
    response = client.get("/help/complaints", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fhelp%2Fcomplaints"


def test_a_complaint_gets_a_reference_and_a_timeline_at_once(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    empty = client.get("/help/complaints")
    assert "您还没有投诉记录" in empty.text, "the empty list says what to do"
    reference = file_complaint(client)
    page = client.get(f"/help/complaints/{reference}")
    assert "投诉已受理" in page.text and f"投诉 {reference}" in page.text
    assert "费用" in page.text and "答复期限" in page.text
    assert 'aria-current="step"' in page.text
    assert f"/help/complaints/{reference}/appeal" not in page.text, "no result to appeal yet"
    assert f"/help/complaints/{reference}/confirm" not in page.text
    listed = client.get("/help/complaints")
    assert f'href="/help/complaints/{reference}"' in listed.text


@pytest.mark.parametrize(
    ("label", "typed", "field", "message"),
    [
        ("no category", {"category": "", "text": "扣了两次手续费"}, "category", "请选择投诉事项"),
        ("made-up category", {"category": "ufo", "text": "扣了两次手续费"}, "category", "请选择"),
        ("nothing written", {"category": "fees", "text": "  "}, "text", "请写下发生了什么"),
        ("too long", {"category": "fees", "text": "长" * 4001}, "text", "请不要超过 4000 个字"),
    ],
)
def test_a_complaint_form_that_cannot_be_sent_keeps_what_was_typed(
    client: TestClient,
    rt: Runtime,
    label: str,
    typed: dict[str, str],
    field: str,
    message: str,
) -> None:
    wallet_user(client, rt)
    refused = submit(client, "/help/complaints", "/help/complaints", typed)
    assert refused.status_code == 422, label
    assert f'id="{field}-error"' in refused.text and message in refused.text
    if typed["text"].strip():
        assert typed["text"] in refused.text, "the text stays in the box"
    if typed["category"] == "fees":
        assert '<option value="fees" selected>' in refused.text
    assert "TS-" not in refused.text, "nothing was filed"


def test_the_customer_follows_the_result_appeals_once_and_accepts(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    reference = file_complaint(client)
    first, second = agent(rt, "Wang"), agent(rt, "Zhao")
    answer(rt, first, "已核实多收 2 元手续费，已退回到您的钱包。")
    page = client.get(f"/help/complaints/{reference}")
    assert "已给出处理结果" in page.text and "已核实多收 2 元手续费" in page.text
    assert "接受处理结果" in page.text and "不满意？可以申诉一次" in page.text

    empty = submit(client, page, f"/help/complaints/{reference}/appeal", {"reason": " "})
    assert empty.status_code == 422 and "请说明处理结果为什么没有解决您的问题" in empty.text

    appealed = submit(
        client, page, f"/help/complaints/{reference}/appeal", {"reason": "还有一笔也多收了"}
    )
    assert appealed.url.path == f"/help/complaints/{reference}"
    assert "申诉已受理" in appealed.text
    assert "还有一笔也多收了" in appealed.text and "正由未参与首次处理的同事复核" in appealed.text
    assert "不满意？可以申诉一次" not in appealed.text, "an appeal is offered once"

    again = submit(client, page, f"/help/complaints/{reference}/appeal", {"reason": "再申诉"})
    assert again.status_code == 409 and "只能申诉一次" in again.text

    answer(rt, second, "复核后确认两笔均已退回。")
    reviewed = client.get(f"/help/complaints/{reference}")
    assert "复核结果" in reviewed.text and "复核后确认两笔均已退回" in reviewed.text
    accepted = submit(client, reviewed, f"/help/complaints/{reference}/confirm")
    assert "谢谢，您已接受处理结果" in accepted.text
    assert "本次投诉已结束" in accepted.text
    assert f"/help/complaints/{reference}/confirm" not in accepted.text


def test_a_result_cannot_be_accepted_before_there_is_one(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    reference = file_complaint(client)
    page = client.get(f"/help/complaints/{reference}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    early = client.post(
        f"/help/complaints/{reference}/confirm", data={"csrf_token": token.group(1)}
    )
    assert early.status_code == 409 and "还没有处理结果" in early.text


def test_someone_elses_complaint_looks_missing(client: TestClient, rt: Runtime) -> None:
    wallet_user(client, rt)
    reference = file_complaint(client)
    client.cookies.clear()
    wallet_user(client, rt, LI_NA)
    assert client.get(f"/help/complaints/{reference}").status_code == 404
    assert client.get("/help/complaints/TS-20000101-0001").status_code == 404


# Suggestions ---------------------------------------------------------------------------------


def test_a_suggestion_is_sent_and_followed_by_its_reference(
    client: TestClient, rt: Runtime
) -> None:
    wallet_user(client, rt)
    assert "还没有建议" in client.get("/help/suggestions").text
    sent = submit(
        client,
        "/help/suggestions",
        "/help/suggestions",
        {"topic": "fees", "text": "希望账单可以按标签筛选"},
    )
    assert re.fullmatch(r"/help/suggestions/JY-\d{8}-\d{4}", sent.url.path)
    assert "感谢您的建议" in sent.text and "已收到" in sent.text and "费用" in sent.text
    reference = sent.url.path.rsplit("/", 1)[1]
    assert f'href="/help/suggestions/{reference}"' in client.get("/help/suggestions").text
    client.cookies.clear()
    wallet_user(client, rt, LI_NA)
    assert client.get(f"/help/suggestions/{reference}").status_code == 404


@pytest.mark.parametrize(
    ("label", "typed", "field", "message"),
    [
        ("no topic", {"topic": "", "text": "希望支持夜间模式"}, "topic", "请选择建议的主题"),
        ("nothing written", {"topic": "app", "text": ""}, "text", "请先写下您的建议"),
    ],
)
def test_a_suggestion_form_that_cannot_be_sent_keeps_what_was_typed(
    client: TestClient,
    rt: Runtime,
    label: str,
    typed: dict[str, str],
    field: str,
    message: str,
) -> None:
    wallet_user(client, rt)
    refused = submit(client, "/help/suggestions", "/help/suggestions", typed)
    assert refused.status_code == 422, label
    assert f'id="{field}-error"' in refused.text and message in refused.text
    assert typed["text"] in refused.text
    assert "JY-" not in refused.text


# The announced call ---------------------------------------------------------------------------


def test_a_call_an_agent_announced_shows_its_number_and_code_until_its_window_ends(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = wallet_user(client, rt)
    assert "我们即将联系您" not in client.get("/help").text
    wang = agent(rt, "Wang")
    verification = open_verification(rt, wang, user_id=zhang, reason=Reason.LARGE_TRANSACTION)
    call = schedule_call(rt, wang, verification.id, minutes=10)
    for path in ("/help", "/help/verify", "/wallet", "/wallet/transactions"):
        page = client.get(path)
        assert "我们即将联系您" in page.text, path
        assert "walletdesk 将从 400-000-8888 给您打电话" in page.text, path
        assert f"<strong>{call.code}</strong>" in page.text, path
    english = client.get("/help?lang=en")
    assert "walletdesk will call you from 400-000-8888" in english.text
    client.get("/help?lang=zh-CN")

    genuine = submit(client, "/help/verify", "/help/verify", {"value": call.code})
    assert "是的，这是 walletdesk" in genuine.text and "Wang" in genuine.text

    clock.advance(timedelta(minutes=11))
    assert "我们即将联系您" not in client.get("/wallet").text


def test_another_user_neither_sees_the_banner_nor_can_confirm_the_code(
    client: TestClient, rt: Runtime
) -> None:
    zhang = wallet_user(client, rt)
    wang = agent(rt, "Wang")
    verification = open_verification(rt, wang, user_id=zhang, reason=Reason.ACCOUNT_ABNORMALITY)
    call = schedule_call(rt, wang, verification.id)
    client.cookies.clear()
    wallet_user(client, rt, LI_NA)
    assert "我们即将联系您" not in client.get("/wallet").text
    checked = submit(client, "/help/verify", "/help/verify", {"value": call.code})
    assert "这不是 walletdesk" in checked.text


# Guidance in place ---------------------------------------------------------------------------


def test_every_help_hint_on_the_wallet_and_security_pages_leads_to_an_article(
    client: TestClient, rt: Runtime
) -> None:
    seed_kb(rt)
    wallet_user(client, rt, ZHANG_MING)
    hinted = {}
    for path in (
        "/wallet",
        "/wallet/topup",
        "/wallet/withdraw",
        "/wallet/transfer",
        "/wallet/convert",
        "/security",
    ):
        for slug in re.findall(r'href="/help/articles/([a-z0-9-]+)"', client.get(path).text):
            hinted[slug] = path
    expected = {"topup-failed", "withdrawal-pending", "transfer-limits"}
    expected |= {"international-payments-fx", "freeze-unfreeze", "security-tips"}
    assert expected <= set(hinted), hinted
    for slug, path in hinted.items():
        assert client.get(f"/help/articles/{slug}").status_code == 200, (slug, path)
