"""A complaint from filing to confirmation: its reference number, its statutory deadline and the
escalation ladder on the injected clock (at the edges), the customer's timeline, one appeal
reviewed by someone else, and complaints that came in through the bot."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, beijing, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.notify.inbox import list_inbox
from walletdesk.runtime import Runtime
from walletdesk.support.complaints_sweep import check_complaint_deadlines, record_unrecorded
from walletdesk.support.sweeper import sweep_once

SECOND = timedelta(seconds=1)


def file_complaint(client: TestClient, headers: dict[str, str], text: str, **extra: str) -> dict:
    body = {"category": "fees", "text": text} | extra
    response = client.post("/api/v1/complaints", headers=headers, json=body)
    assert response.status_code == 201, response.text
    found: dict = response.json()
    return found


def staff_view(client: TestClient, staff: Staff, case_id: str) -> dict:
    response = client.get(f"/api/v1/staff/complaints/{case_id}", headers=staff.headers)
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def mine(client: TestClient, headers: dict[str, str], reference: str) -> dict:
    response = client.get(f"/api/v1/complaints/{reference}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def escalations(client: TestClient, staff: Staff, case_id: str) -> list[dict]:
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=staff.headers).json()["history"]
    return [e["after"] for e in history if e["kind"] == "complaint.escalated"]


def done_steps(complaint: dict) -> list[str]:
    return [s["step"] for s in complaint["timeline"] if s["done"]]


def test_a_complaint_gets_a_reference_and_a_deadline_fifteen_days_after_the_day_it_came_in(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    complaint = file_complaint(client, zhang, "第三次提现被收了手续费，页面写的是免费")
    assert complaint["reference"] == "TS-20261123-0001"
    assert complaint["category_name"] == "费用"
    # Received Monday 23 Nov 17:00 Beijing: due by the end of Tuesday 8 Dec, Beijing time.
    assert complaint["due_at"] == "2026-12-08T15:59:59Z"
    assert complaint["step"] == "received" and complaint["overdue"] is False
    assert [s["step"] for s in complaint["timeline"]] == [
        "received",
        "assigned",
        "investigating",
        "result",
        "confirmed",
    ]
    assert done_steps(complaint) == ["received"]
    assert complaint["timeline"][0]["name"] == "投诉已受理"
    assert (complaint["can_appeal"], complaint["can_confirm"]) == (False, False)
    # The complaint is a case with people from the start, and the customer's text is in it.
    case = client.get(f"/api/v1/cases/{complaint['case_id']}", headers=zhang).json()
    assert case["type"] == "complaint" and case["expected"]["waiting_for"] == "support"
    assert case["messages"][0]["text"] == "第三次提现被收了手续费，页面写的是免费"
    assert [c["reference"] for c in client.get("/api/v1/complaints", headers=zhang).json()] == [
        "TS-20261123-0001"
    ]


def test_reference_numbers_count_per_beijing_day_and_start_again_at_beijing_midnight(
    client: TestClient, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    clock.set(beijing("2026-11-23 23:59:58"))
    assert file_complaint(client, zhang, "一")["reference"] == "TS-20261123-0001"
    clock.advance(SECOND)
    assert file_complaint(client, zhang, "二")["reference"] == "TS-20261123-0002"
    clock.advance(SECOND)  # 00:00:00 on the 24th in Beijing (16:00 UTC on the 23rd)
    assert file_complaint(client, zhang, "三")["reference"] == "TS-20261124-0001"


def test_a_deadline_that_ends_in_the_national_day_holiday_moves_to_the_next_working_day(
    client: TestClient, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-09-16 10:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    complaint = file_complaint(client, zhang, "转账到账很慢", category="transfer")
    # 16 Sep + 15 days is 1 Oct, the first day of 国庆 (1-7 Oct): due at the end of 8 Oct.
    assert complaint["due_at"] == "2026-10-08T15:59:59Z"


def test_the_ladder_alerts_the_handler_the_seniors_and_the_supervisors_at_50_80_and_100_percent(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    zhou = staff_member(client, rt, "Zhou", "senior_agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    complaint = file_complaint(client, zhang, "客服挂我电话", category="service_attitude")
    case_id = complaint["case_id"]
    taken = client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=wang.headers,
        json={"assignee_id": wang.user_id},
    )
    assert taken.status_code == 200, taken.text
    assert done_steps(mine(client, zhang, complaint["reference"])) == ["received", "assigned"]
    # From 23 Nov 09:00Z to 8 Dec 15:59:59Z is 1,321,199 s: 50 % is 660,600 s (rounded up).
    assert staff_view(client, sun, case_id)["next_escalation_at"] == "2026-12-01T00:30:00Z"

    clock.set(beijing("2026-12-01 08:29:59"))
    assert check_complaint_deadlines(rt) == 0
    clock.advance(SECOND)
    assert check_complaint_deadlines(rt) == 1
    first = escalations(client, sun, case_id)
    assert [(e["percent"], e["recipients"]) for e in first] == [(50, [wang.user_id])]
    alert = list_inbox(rt, wang.user_id)[0]
    assert "TS-20261123-0001" in alert.body and "50%" in alert.body

    clock.set(beijing("2026-12-05 22:35:59"))  # 80 %: 1,056,960 s after receipt
    assert check_complaint_deadlines(rt) == 0
    clock.advance(SECOND)
    assert check_complaint_deadlines(rt) == 1
    assert escalations(client, sun, case_id)[-1]["recipients"] == [zhou.user_id]

    clock.set(beijing("2026-12-08 23:59:58"))
    assert check_complaint_deadlines(rt) == 0
    clock.advance(SECOND)  # the deadline itself: still on time, but the supervisors hear of it
    assert check_complaint_deadlines(rt) == 1
    assert escalations(client, sun, case_id)[-1] == {
        "level": 3,
        "percent": 100,
        "action": "notify_supervisor",
        "due_at": "2026-12-08T15:59:59+00:00",
        "recipients": [sun.user_id],
    }
    assert mine(client, zhang, complaint["reference"])["overdue"] is False
    clock.advance(SECOND)
    assert mine(client, zhang, complaint["reference"])["overdue"] is True
    assert check_complaint_deadlines(rt) == 0, "the ladder has no step left"
    assert staff_view(client, sun, case_id)["escalation_level"] == 3


def test_a_result_stops_the_ladder_and_the_customer_appeals_once_to_another_reviewer(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    zhou = staff_member(client, rt, "Zhou", "senior_agent")
    complaint = file_complaint(client, zhang, "同一笔提现扣了两次手续费")
    case_id, reference = complaint["case_id"], complaint["reference"]
    investigating = client.post(
        f"/api/v1/staff/complaints/{case_id}/investigating",
        headers=wang.headers,
        json={"note": "我们正在和银行核对这笔提现。"},
    )
    assert investigating.status_code == 200, investigating.text
    clock.advance(timedelta(days=2))
    result = client.post(
        f"/api/v1/staff/complaints/{case_id}/result",
        headers=wang.headers,
        json={"text": "经核实第二笔手续费系重复收取，已退回您的钱包。"},
    )
    assert result.status_code == 200, result.text
    assert result.json()["next_escalation_at"] is None
    seen = mine(client, zhang, reference)
    assert seen["step"] == "result" and seen["result"].startswith("经核实")
    assert done_steps(seen) == ["received", "assigned", "investigating", "result"]
    assert (seen["can_appeal"], seen["can_confirm"]) == (True, True)
    case = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert case["status"]["code"] == "solved"
    assert [m["text"] for m in case["messages"]][-2:] == [
        "我们正在和银行核对这笔提现。",
        "经核实第二笔手续费系重复收取，已退回您的钱包。",
    ]

    clock.advance(timedelta(days=1))
    appealed = client.post(
        f"/api/v1/complaints/{reference}/appeal",
        headers=zhang,
        json={"reason": "退回的金额少了 0.10 元"},
    )
    assert appealed.status_code == 200, appealed.text
    body = appealed.json()
    assert body["step"] == "appealed" and body["can_appeal"] is False
    # Appealed Thursday 26 Nov 17:00 Beijing: the review is due by the end of 11 Dec.
    assert body["appeal"]["due_at"] == "2026-12-11T15:59:59Z"
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == "open"

    again = client.post(
        f"/api/v1/complaints/{reference}/appeal", headers=zhang, json={"reason": "还是不对"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "appeal_used"

    same_person = client.post(
        f"/api/v1/staff/complaints/{case_id}/result",
        headers=wang.headers,
        json={"text": "维持原处理结果。"},
    )
    assert same_person.status_code == 403
    assert same_person.json()["error"]["code"] == "appeal_needs_another_reviewer"
    reviewed = client.post(
        f"/api/v1/staff/complaints/{case_id}/result",
        headers=zhou.headers,
        json={"text": "复核后补退 0.10 元。"},
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["appeal_result_by"] == zhou.user_id

    confirmed = client.post(f"/api/v1/complaints/{reference}/confirm", headers=zhang)
    assert confirmed.status_code == 200, confirmed.text
    final = confirmed.json()
    assert final["step"] == "confirmed"
    assert done_steps(final) == [
        "received",
        "assigned",
        "investigating",
        "result",
        "appealed",
        "appeal_result",
        "confirmed",
    ]
    assert (final["can_appeal"], final["can_confirm"]) == (False, False)
    late = client.post(
        f"/api/v1/complaints/{reference}/appeal", headers=zhang, json={"reason": "再申诉"}
    )
    assert late.status_code == 409


def test_nothing_can_be_appealed_or_confirmed_before_a_result(client: TestClient) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    reference = file_complaint(client, zhang, "银行卡绑不上")["reference"]
    for action, body in (("appeal", {"reason": "太慢"}), ("confirm", None)):
        response = client.post(f"/api/v1/complaints/{reference}/{action}", headers=zhang, json=body)
        assert response.status_code == 409 and response.json()["error"]["code"] == "no_result_yet"


def test_another_customer_cannot_see_or_appeal_a_complaint_by_its_number(
    client: TestClient,
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    reference = file_complaint(client, zhang, "转账备注被别人看到了")["reference"]
    for response in (
        client.get(f"/api/v1/complaints/{reference}", headers=li),
        client.post(f"/api/v1/complaints/{reference}/appeal", headers=li, json={"reason": "x"}),
        client.get("/api/v1/complaints/TS-20261123-9999", headers=zhang),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "complaint_not_found"


def test_a_complaint_chat_with_the_bot_is_registered_by_the_sweep_and_staff_set_its_category(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我要投诉你们的风控乱冻结", type="complaint")
    case_id = started["case"]["id"]
    sweep_once(rt)
    registered = staff_view(client, wang, case_id)
    assert registered["reference"] == "TS-20261123-0001"
    assert registered["category"] == "other"
    assert record_unrecorded(rt) == 0, "a case is registered once"
    changed = client.post(
        f"/api/v1/staff/cases/{case_id}/complaint",
        headers=wang.headers,
        json={"category": "account_security"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["category"] == "account_security"
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()["history"]
    assert [e["kind"] for e in history if e["kind"].startswith("complaint.")] == [
        "complaint.received",
        "complaint.categorised",
    ]
    # The customer's case view still reads fine with the complaint's events in it.
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).status_code == 200


def test_only_complaint_cases_can_be_registered_as_complaints(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = start_chat(client, zhang, "怎么修改昵称")["case"]["id"]
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/complaint",
        headers=wang.headers,
        json={"category": "other"},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_a_complaint"


def test_a_supervisor_switches_deadlines_to_business_days_for_new_complaints(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    policy = {
        "deadline_days": 10,
        "basis": "business",
        "appeal_days": 10,
        "ladder": [{"percent": 75, "action": "notify_supervisor"}],
    }
    refused = client.put("/api/v1/staff/complaint-policy", headers=wang.headers, json=policy)
    assert refused.status_code == 403
    bad = client.put(
        "/api/v1/staff/complaint-policy",
        headers=sun.headers,
        json=policy
        | {
            "ladder": [
                {"percent": 80, "action": "notify_assignee"},
                {"percent": 50, "action": "notify_senior"},
            ]
        },
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_complaint_policy"
    stored = client.put("/api/v1/staff/complaint-policy", headers=sun.headers, json=policy)
    assert stored.status_code == 200, stored.text
    assert client.get("/api/v1/staff/complaint-policy", headers=wang.headers).json() == policy
    # Monday 23 Nov: ten working days later is Monday 7 Dec.
    assert file_complaint(client, zhang, "按工作日算")["due_at"] == "2026-12-07T15:59:59Z"
