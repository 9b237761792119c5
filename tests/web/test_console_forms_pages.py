"""The agent console's verification-call, complaint and freeze forms against a real database:
each one done, each one refused with a translated message that keeps what was typed, and each
one refused without the form's CSRF field (nothing changes then)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.ledger.funding import user_id_of
from tests.support import ZHANG_MING
from tests.support_desk.agent_tools_helpers import signed_up_with_case
from tests.web.console_helpers import console_staff
from tests.web.pages import sign_in_via_page, signed_up_and_in
from tests.web.test_help_complaint_pages import file_complaint
from tests.web.test_wallet_pages import submit
from walletdesk.identity.permissions import Role
from walletdesk.runtime import Runtime
from walletdesk.support import complaints_views
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.verification import open_verification, verification_view
from walletdesk.support.verification_models import Reason

CSRF_REFUSED = "此表单已过期或并非来自 walletdesk。请刷新页面后重试。"


def _agent(app: FastAPI, rt: Runtime) -> tuple[TestClient, SupportActor]:
    browser, user_id = console_staff(app, rt, "xiaochen", "小陈", Role.AGENT.value)
    return browser, SupportActor(ActorKind.AGENT, user_id, roles=frozenset({Role.AGENT.value}))


def _verification_case(
    app: FastAPI, rt: Runtime, client: TestClient
) -> tuple[TestClient, SupportActor, str, str]:
    """张明 signed up; the agent opened a verification (a large transfer) for him."""
    signed_up_and_in(client, ZHANG_MING)
    agent, actor = _agent(app, rt)
    opened = open_verification(
        rt, actor, user_id=user_id_of(rt, ZHANG_MING.display_name), reason=Reason.LARGE_TRANSACTION
    )
    return agent, actor, opened.id, opened.case_id


def _case(verification_id: str, case_id: str, step: str) -> tuple[str, str]:
    return (
        f"/console/cases/{case_id}",
        f"/console/cases/{case_id}/verification/{verification_id}/{step}",
    )


# Verification calls ----------------------------------------------------------------------


def test_an_agent_asks_for_the_in_app_check_calls_with_a_code_and_records_the_outcome(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, verification_id, case_id = _verification_case(app, rt, client)
    page, challenge = _case(verification_id, case_id, "challenge")
    shown = agent.get(page)
    assert shown.status_code == 200 and 'id="verification"' in shown.text

    asked = submit(agent, shown, challenge)
    assert asked.status_code == 200 and str(asked.url).endswith(page)
    assert "已请客户在应用内确认身份。" in asked.text

    _, call = _case(verification_id, case_id, "call")
    called = submit(agent, page, call, {"minutes": "15"})
    assert called.status_code == 200
    code = re.search(r"data-call-code>([^<]+)<", called.text)
    assert code, "the code to read out is shown once, on the answer to the scheduling post"
    assert "请立即用官方号码致电客户，并念出以下核验码：" in called.text
    assert code.group(1) not in agent.get(page).text, "and never again"
    # The customer's wallet shows the same code before the phone rings.
    assert code.group(1) in client.get("/wallet").text

    _, outcome = _case(verification_id, case_id, "outcome")
    recorded = submit(agent, page, outcome, {"outcome": "verified", "note": "本人确认转账"})
    assert recorded.status_code == 200
    assert "审核结果已记录。" in recorded.text
    assert f"/verification/{verification_id}/outcome" not in recorded.text  # decided: no form
    assert "本人确认转账" in recorded.text
    assert verification_view(rt, actor, verification_id).verification.outcome_note == (
        "本人确认转账"
    )


def test_a_call_window_out_of_range_or_an_unknown_outcome_comes_back_with_what_was_typed(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, verification_id, case_id = _verification_case(app, rt, client)
    page, call = _case(verification_id, case_id, "call")
    too_late = submit(agent, f"{page}?lang=en", call, {"minutes": "99"})
    assert too_late.status_code == 422
    assert "Call within 1 to 60 minutes." in too_late.text
    assert 'name="minutes" inputmode="numeric" maxlength="2" value="99"' in too_late.text
    assert "data-call-code" not in too_late.text

    _, outcome = _case(verification_id, case_id, "outcome")
    unknown = submit(agent, f"{page}?lang=zh-CN", outcome, {"outcome": "maybe", "note": "没接"})
    assert unknown.status_code == 422
    assert "请从列表中选择审核结果。" in unknown.text
    assert 'id="outcome-note" name="note" maxlength="500" value="没接"' in unknown.text
    view = verification_view(rt, actor, verification_id)
    assert view.verification.is_pending and not view.contacts


def test_verification_forms_without_the_csrf_field_change_nothing(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, verification_id, case_id = _verification_case(app, rt, client)
    page, call = _case(verification_id, case_id, "call")
    agent.get(page)
    refused = agent.post(call, data={"minutes": "10"})
    assert refused.status_code == 403 and CSRF_REFUSED in refused.text
    _, outcome = _case(verification_id, case_id, "outcome")
    forged = agent.post(outcome, data={"outcome": "verified", "csrf_token": "forged"})
    assert forged.status_code == 403
    view = verification_view(rt, actor, verification_id)
    assert view.verification.is_pending and not view.contacts


# Complaints ------------------------------------------------------------------------------


def _complaint_case(
    app: FastAPI, rt: Runtime, client: TestClient
) -> tuple[TestClient, SupportActor, str, str]:
    """张明 filed a complaint about a fee on the help centre's page."""
    signed_up_and_in(client, ZHANG_MING)
    reference = file_complaint(client, "提现手续费比页面上写的多收了5元")
    agent, actor = _agent(app, rt)
    (filed,) = complaints_views.staff_complaints(rt, actor, awaiting_result=True)
    assert filed.complaint.reference == reference
    return agent, actor, reference, filed.case.id


def test_an_agent_recategorises_investigates_and_answers_a_complaint(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, reference, case_id = _complaint_case(app, rt, client)
    page = f"/console/cases/{case_id}"
    shown = agent.get(page)
    assert 'id="complaint"' in shown.text and reference in shown.text

    changed = submit(agent, shown, f"{page}/complaint/category", {"category": "topup_withdrawal"})
    assert changed.status_code == 200 and "投诉已更新。" in changed.text
    assert '<option value="topup_withdrawal" selected>' in changed.text

    looking = submit(
        agent, page, f"{page}/complaint/investigate", {"note": "我们正在核对手续费，两天内答复。"}
    )
    assert "投诉已更新。" in looking.text
    assert "我们正在核对手续费，两天内答复。" in looking.text  # a public message on the case
    followed = client.get(f"/help/complaints/{reference}").text
    assert re.search(
        r'class="done"[^>]*>\s*<span class="dot"[^>]*></span>\s*'
        r'<span class="step-name">调查处理中</span>',
        followed,
    )

    answered = submit(
        agent, page, f"{page}/complaint/result", {"result": "多收的5元已退回您的钱包。"}
    )
    assert "投诉已更新。" in answered.text
    assert f"{page}/complaint/result" not in answered.text  # answered: the forms are gone
    (done,) = complaints_views.staff_complaints(rt, actor, awaiting_result=False)
    assert done.complaint.reference == reference and not done.complaint.awaiting_result
    assert "多收的5元已退回您的钱包。" in client.get(f"/help/complaints/{reference}").text


def test_an_unknown_category_or_an_empty_result_is_refused_and_nothing_changes(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, _, case_id = _complaint_case(app, rt, client)
    page = f"/console/cases/{case_id}"
    unknown = submit(agent, f"{page}?lang=en", f"{page}/complaint/category", {"category": "aliens"})
    assert unknown.status_code == 422
    assert "Choose a complaint category from the list." in unknown.text
    empty = submit(agent, f"{page}?lang=zh-CN", f"{page}/complaint/result", {"result": "   "})
    assert empty.status_code == 422
    assert 'role="alert"' in empty.text
    (still,) = complaints_views.staff_complaints(rt, actor, awaiting_result=True)
    assert still.complaint.category == "fees" and still.complaint.awaiting_result


def test_complaint_forms_without_the_csrf_field_change_nothing(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    agent, actor, _, case_id = _complaint_case(app, rt, client)
    page = f"/console/cases/{case_id}"
    agent.get(page)
    refused = agent.post(f"{page}/complaint/result", data={"result": "已处理"})
    assert refused.status_code == 403 and CSRF_REFUSED in refused.text
    forged = agent.post(
        f"{page}/complaint/category", data={"category": "card", "csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    (still,) = complaints_views.staff_complaints(rt, actor, awaiting_result=True)
    assert still.complaint.category == "fees"


# Freezing --------------------------------------------------------------------------------


def _wallet_is_frozen(client: TestClient) -> bool:
    return 'class="banner frozen"' in client.get("/security").text


def test_an_agent_freezes_the_customers_wallet_at_once_with_a_reason(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, "我的手机被偷了，快帮我冻结")
    sign_in_via_page(client, ZHANG_MING)  # signed up through the API; now the pages too
    assert not _wallet_is_frozen(client)
    agent, _ = _agent(app, rt)
    page = f"/console/cases/{case_id}"
    frozen = submit(agent, page, f"{page}/freeze", {"reason": "客户来电称手机被盗"})
    assert frozen.status_code == 200 and str(frozen.url).endswith(page)
    assert "操作已执行。" in frozen.text
    assert "客户来电称手机被盗" in frozen.text
    assert _wallet_is_frozen(client)


def test_a_freeze_without_a_reason_or_without_the_csrf_field_is_refused(
    app: FastAPI, rt: Runtime, client: TestClient
) -> None:
    _, case_id = signed_up_with_case(client, ZHANG_MING, "我的手机被偷了")
    sign_in_via_page(client, ZHANG_MING)
    agent, _ = _agent(app, rt)
    page = f"/console/cases/{case_id}"
    blank = submit(agent, f"{page}?lang=en", f"{page}/freeze", {"reason": " "})
    assert blank.status_code == 422
    assert "Explain the action in a few words" in blank.text
    assert '<details class="freeze" open>' in blank.text
    shown = agent.get(page)
    version = re.search(r'name="version" value="(\d+)"', shown.text)
    assert version
    forged = agent.post(f"{page}/freeze", data={"reason": "冒充的请求", "version": version[1]})
    assert forged.status_code == 403  # in English: the page was last shown in English
    assert "This form has expired or did not come from walletdesk." in forged.text
    assert "冒充的请求" not in agent.get(page).text
    assert not _wallet_is_frozen(client)
