"""Satisfaction ratings: asked once after a case is solved, in its conversation and in-app; one
rating per case; a low score reopens the case or escalates it, as the supervisors' policy says."""

from datetime import timedelta

import httpx2
from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.notify.inbox import list_inbox
from walletdesk.runtime import Runtime
from walletdesk.support.csat import ask_solved_cases
from walletdesk.support.sweeper import sweep_once


def solved_case(client: TestClient, zhang: dict[str, str], agent: Staff, text: str) -> str:
    started = start_chat(client, zhang, text)
    hand_off(client, zhang, started["conversation_id"])
    case_id: str = started["case"]["id"]
    for path, body in (
        ("assign", {"assignee_id": agent.user_id}),
        ("messages", {"text": "已为您处理好了。"}),
        ("status", {"status": "solved"}),
    ):
        response = client.post(
            f"/api/v1/staff/cases/{case_id}/{path}", headers=agent.headers, json=body
        )
        assert response.status_code in (200, 201), response.text
    return case_id


def rate(
    client: TestClient, headers: dict[str, str], case_id: str, score: int, **extra: str
) -> httpx2.Response:
    return client.post(
        f"/api/v1/cases/{case_id}/rating", headers=headers, json={"score": score} | extra
    )


def kinds(client: TestClient, agent: Staff, case_id: str) -> list[str]:
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()["history"]
    return [e["kind"] for e in history]


def test_a_solved_case_is_asked_for_a_rating_once_in_its_conversation_and_in_app(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = solved_case(client, zhang, wang, "怎么查看月账单")
    assert client.get(f"/api/v1/cases/{case_id}/rating", headers=zhang).json()["asked"] is False
    sweep_once(rt)
    rating = client.get(f"/api/v1/cases/{case_id}/rating", headers=zhang).json()
    assert (rating["asked"], rating["can_rate"]) == (True, True)
    messages = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["messages"]
    assert messages[-1]["author"]["kind"] == "system"
    assert messages[-1]["text"].startswith("您的问题已解决。您对本次服务满意吗？")
    notice = list_inbox(rt, rating_user(client, zhang))[0]
    assert notice.title == "请评价我们的服务" and "怎么查看月账单" in notice.body
    assert ask_solved_cases(rt) == 0, "asked once"
    assert len(client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["messages"]) == len(
        messages
    )


def rating_user(client: TestClient, headers: dict[str, str]) -> str:
    user_id: str = client.get("/api/v1/me", headers=headers).json()["id"]
    return user_id


def test_the_customer_rates_once_and_a_second_rating_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = solved_case(client, zhang, wang, "转账备注怎么改")
    early = rate(client, zhang, case_id, 5)
    assert early.status_code == 409 and early.json()["error"]["code"] == "rating_not_open"
    ask_solved_cases(rt)
    assert rate(client, li, case_id, 1).status_code == 404, "not Li Na's case"
    out_of_range = rate(client, zhang, case_id, 6)
    assert out_of_range.status_code == 422
    assert out_of_range.json()["error"]["code"] == "invalid_score"
    first = rate(client, zhang, case_id, 5, comment="回复很快，谢谢")
    assert first.status_code == 200, first.text
    assert (first.json()["score"], first.json()["comment"]) == (5, "回复很快，谢谢")
    second = rate(client, zhang, case_id, 1)
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_rated"
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "solved"
    )
    assert "csat.low_score" not in kinds(client, wang, case_id)


def test_a_score_of_two_reopens_the_case_and_alerts_the_handler_and_the_supervisors(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    case_id = solved_case(client, zhang, wang, "提现三天没到账")
    ask_solved_cases(rt)
    response = rate(client, zhang, case_id, 2, comment="问题根本没解决")
    assert response.status_code == 200, response.text
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == "open"
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=sun.headers).json()["history"]
    assert [e["kind"] for e in history][-3:] == ["csat.rated", "case.reopened", "csat.low_score"]
    low = history[-1]["after"]
    assert low["outcome"] == "reopened"
    assert low["recipients"] == [wang.user_id, sun.user_id]


def test_a_score_of_three_is_not_low(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = solved_case(client, zhang, wang, "积分怎么用")
    ask_solved_cases(rt)
    assert rate(client, zhang, case_id, 3).status_code == 200
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "solved"
    )


def test_with_the_escalate_policy_a_low_score_leaves_the_case_solved_and_alerts_supervisors(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    policy = {"low_score_max": 3, "action": "escalate"}
    assert (
        client.put("/api/v1/staff/csat-policy", headers=wang.headers, json=policy).status_code
        == 403
    )
    stored = client.put("/api/v1/staff/csat-policy", headers=sun.headers, json=policy)
    assert stored.status_code == 200 and stored.json() == policy
    case_id = solved_case(client, zhang, wang, "优惠券过期了")
    ask_solved_cases(rt)
    assert rate(client, zhang, case_id, 3).status_code == 200
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "solved"
    )
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=sun.headers).json()["history"]
    assert history[-1]["kind"] == "csat.low_score"
    assert history[-1]["after"]["outcome"] == "escalated"


def test_a_low_score_on_a_closed_case_escalates_because_closed_is_final(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = solved_case(client, zhang, wang, "换汇汇率不对")
    ask_solved_cases(rt)
    clock.advance(timedelta(days=8))
    sweep_once(rt)  # closes the case: the reopen window has passed
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "closed"
    )
    assert rate(client, zhang, case_id, 1).status_code == 200
    assert kinds(client, wang, case_id)[-1] == "csat.low_score"
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "closed"
    )


def test_a_case_solved_before_the_reopen_window_is_not_asked_late(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    case_id = solved_case(client, zhang, wang, "发票怎么开")
    clock.advance(timedelta(days=7, seconds=1))
    assert ask_solved_cases(rt) == 0
    assert client.get(f"/api/v1/cases/{case_id}/rating", headers=zhang).json()["asked"] is False
