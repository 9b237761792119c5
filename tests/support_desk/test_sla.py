"""SLA clocks on the injected clock: due times across the Spring Festival 2026 and its make-up
Saturday, pauses while the customer owes an answer, breaches found by `check_sla` at their
edges, and the escalation ladder (notify, reassign to a senior, alert the supervisors)."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, beijing, hand_off, staff_member, start_chat
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.casework import set_sla_policy
from walletdesk.support.sla import SlaPolicy
from walletdesk.support.sla_clock import check_sla
from walletdesk.support.sweeper import SweepResult, sweep_once

SECOND = timedelta(seconds=1)


def open_problem(client: TestClient, headers: dict[str, str], text: str) -> dict:
    started = start_chat(client, headers, text, type="problem")
    hand_off(client, headers, started["conversation_id"])
    return started


def detail(client: TestClient, agent: Staff, case_id: str) -> dict:
    body: dict = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    return body


def target(case: dict, kind: str) -> dict:
    found: dict = next(t for t in case["sla"] if t["kind"] == kind)
    return found


def test_a_friday_evening_case_is_due_on_the_make_up_saturday_and_breaches_a_second_later(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-02-13 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = open_problem(client, zhang, "红包提现失败")["case"]["id"]
    first = target(detail(client, agent, case_id), "first_response")
    # 4 business hours: 17:00-18:00 on Friday, then 09:00-12:00 on Saturday 14 Feb (调休).
    assert first["due_at"] == "2026-02-14T04:00:00Z"

    clock.set(beijing("2026-02-14 12:00"))
    assert check_sla(rt).breached == 0
    clock.advance(SECOND)
    sweep = check_sla(rt)
    assert (sweep.breached, sweep.escalated) == (1, 1)
    case = detail(client, agent, case_id)
    assert target(case, "first_response")["state"] == "breached"
    assert target(case, "first_response")["breached_at"] == "2026-02-14T04:00:00Z"
    assert [e["kind"] for e in case["history"][-2:]] == ["sla.breached", "case.escalated"]
    assert case["history"][-1]["after"]["action"] == "notify"
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["expected"]["reply_overdue"] is True
    assert check_sla(rt).breached == 0, "a breach is recorded once"


def test_the_clock_pauses_for_the_customer_and_resumes_across_the_spring_festival(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-02-13 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = open_problem(client, zhang, "转账到账金额不对")
    case_id, conversation = started["case"]["id"], started["conversation_id"]
    client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=agent.headers,
        json={"text": "请提供转账截图"},
    )
    clock.set(beijing("2026-02-13 17:30"))
    client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=agent.headers,
        json={"status": "pending_customer"},
    )
    paused = target(detail(client, agent, case_id), "resolution")
    assert paused["paused"] is True and paused["due_at"] is None
    assert paused["used_seconds"] == 30 * 60

    clock.set(beijing("2026-02-18 10:00"))  # the customer answers in the middle of the holiday
    assert check_sla(rt).breached == 0
    reply = client.post(
        f"/api/v1/conversations/{conversation}/messages",
        headers=zhang,
        json={"text": "截图已上传"},
    )
    assert reply.status_code == 201
    expected = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["expected"]
    # Next answer: 8 business hours from the first working morning, Tue 24 Feb 09:00-17:00.
    assert expected["next_reply_by"] == "2026-02-24T09:00:00Z"
    # Resolution: 27 h budget, 30 min used; 9 h Tue + 9 h Wed + 8.5 h Thu → Thu 17:30.
    assert expected["resolution_by"] == "2026-02-26T09:30:00Z"
    assert expected["waiting_for"] == "support"

    clock.set(beijing("2026-02-24 17:00"))
    assert check_sla(rt).breached == 0
    clock.advance(SECOND)
    assert check_sla(rt).breached == 1
    assert target(detail(client, agent, case_id), "next_response")["state"] == "breached"


def test_an_unanswered_breach_climbs_the_ladder_at_its_edges(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-02-13 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    zhao = staff_member(client, rt, "Zhao", "senior_agent")
    chen = staff_member(client, rt, "Chen", "supervisor")
    case_id = open_problem(client, zhang, "账户被盗，钱被转走了")["case"]["id"]
    client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=wang.headers,
        json={"assignee_id": wang.user_id},
    )
    clock.set(beijing("2026-02-14 12:00:01"))
    check_sla(rt)
    notified = detail(client, wang, case_id)["history"][-1]
    assert notified["after"]["action"] == "notify"
    assert notified["after"]["recipients"] == [wang.user_id]

    clock.set(beijing("2026-02-14 12:29:59"))
    assert check_sla(rt).escalated == 0
    clock.set(beijing("2026-02-14 12:30"))
    assert check_sla(rt).escalated == 1
    case = detail(client, wang, case_id)
    assert case["assignee_id"] == zhao.user_id and case["escalation_level"] == 2
    assert case["history"][-2]["kind"] == "case.assigned"
    assert case["history"][-2]["after"]["reason"] == "sla_escalation"

    clock.set(beijing("2026-02-14 13:59:59"))
    assert check_sla(rt).escalated == 0
    clock.set(beijing("2026-02-14 14:00"))
    assert check_sla(rt).escalated == 1
    top = detail(client, wang, case_id)["history"][-1]
    assert top["after"]["action"] == "supervisor"
    assert top["after"]["recipients"] == [chen.user_id]
    clock.advance(timedelta(days=3))
    assert check_sla(rt).escalated == 0, "the ladder has three steps"


def test_an_answer_stops_the_ladder(client: TestClient, rt: Runtime, clock: FrozenClock) -> None:
    clock.set(beijing("2026-02-13 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    staff_member(client, rt, "Zhao", "senior_agent")
    case_id = open_problem(client, zhang, "提现卡住了")["case"]["id"]
    clock.set(beijing("2026-02-14 12:00:01"))
    check_sla(rt)
    clock.set(beijing("2026-02-14 12:10"))
    client.post(
        f"/api/v1/staff/cases/{case_id}/messages",
        headers=wang.headers,
        json={"text": "抱歉久等，马上处理"},
    )
    answered = target(detail(client, wang, case_id), "first_response")
    assert answered["state"] == "breached" and answered["fulfilled_at"] is not None
    clock.set(beijing("2026-02-14 12:30"))
    assert check_sla(rt).escalated == 0
    assert detail(client, wang, case_id)["assignee_id"] is None


def test_a_stored_policy_for_complaints_beats_the_default(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    set_sla_policy(
        rt,
        Actor.staff("usr_supervisor"),
        SlaPolicy("complaints", None, "complaint", 30, 60, 15 * 9 * 60, "business"),
    )
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = start_chat(client, zhang, "我要投诉：客服态度差", type="complaint")
    hand_off(client, zhang, started["conversation_id"])
    case = detail(client, agent, started["case"]["id"])
    assert case["sla_policy_id"] == "complaints"
    # Monday 17:00 Beijing + 30 business minutes.
    assert target(case, "first_response")["due_at"] == "2026-11-23T09:30:00Z"


def test_one_sweep_breaches_escalates_and_closes_old_solved_cases(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    solved = open_problem(client, zhang, "发票怎么开")["case"]["id"]
    client.post(
        f"/api/v1/staff/cases/{solved}/status", headers=agent.headers, json={"status": "solved"}
    )
    open_problem(client, zhang, "没人回我")
    clock.advance(timedelta(days=8))
    # Eight days on: the unanswered case breached both targets and every ladder step is due.
    assert sweep_once(rt) == SweepResult(breached=2, escalated=3, closed=1)
    assert sweep_once(rt) == SweepResult(breached=0, escalated=0, closed=0)


def test_the_ladder_waits_while_the_case_is_on_hold_and_goes_on_when_it_runs_again(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-02-13 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    zhao = staff_member(client, rt, "Zhao", "senior_agent")
    case_id = open_problem(client, zhang, "银行说退款已退回，但我没收到")["case"]["id"]
    clock.set(beijing("2026-02-14 12:00:01"))
    assert check_sla(rt).escalated == 1

    def status(name: str) -> None:
        client.post(
            f"/api/v1/staff/cases/{case_id}/status", headers=wang.headers, json={"status": name}
        )

    status("on_hold")  # waiting for the bank
    clock.set(beijing("2026-02-14 12:30"))
    assert check_sla(rt).escalated == 0
    status("open")
    assert check_sla(rt).escalated == 1
    assert detail(client, wang, case_id)["assignee_id"] == zhao.user_id
