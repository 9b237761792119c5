"""What agents do to cases through the API: statuses and team labels, reopening and
follow-ups on the customer's reply, assignment rules, priority."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.audit.services import Actor
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.casework import close_solved_cases, define_status_label
from walletdesk.support.statuses import Category

SECOND = timedelta(seconds=1)


def handed_off_case(client: TestClient, headers: dict[str, str], text: str) -> dict:
    started = start_chat(client, headers, text)
    hand_off(client, headers, started["conversation_id"])
    return started


def set_status(client: TestClient, agent: Staff, case_id: str, status: str) -> dict:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/status", headers=agent.headers, json={"status": status}
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def say(client: TestClient, headers: dict[str, str], conversation: str, text: str) -> dict:
    response = client.post(
        f"/api/v1/conversations/{conversation}/messages", headers=headers, json={"text": text}
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def test_a_reply_on_the_last_second_of_the_window_reopens_the_solved_case(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = handed_off_case(client, zhang, "银行卡解绑失败")
    case_id, conversation = started["case"]["id"], started["conversation_id"]
    set_status(client, agent, case_id, "solved")
    clock.advance(timedelta(days=7))
    posted = say(client, zhang, conversation, "还是不行")
    assert posted["follow_up"] is False and posted["case_id"] == case_id
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["status"]["code"] == "open"
    assert mine["timeline"][-1]["kind"] == "case.reopened"


def test_a_reply_a_second_after_the_window_opens_a_linked_follow_up_case(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = handed_off_case(client, zhang, "银行卡解绑失败")
    case_id, conversation = started["case"]["id"], started["conversation_id"]
    set_status(client, agent, case_id, "solved")
    clock.advance(timedelta(days=7) + SECOND)
    posted = say(client, zhang, conversation, "又出现了")
    assert posted["follow_up"] is True and posted["case_id"] != case_id
    earlier = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert earlier["status"]["code"] == "closed"
    assert earlier["follow_up_case_id"] == posted["case_id"]
    follow_up = client.get(f"/api/v1/cases/{posted['case_id']}", headers=zhang).json()
    assert follow_up["follow_up_of"] == case_id
    assert follow_up["expected"]["waiting_for"] == "support", "goes straight to agents"
    assert [m["text"] for m in follow_up["messages"]] == ["又出现了"]
    # The customer keeps writing in the new conversation.
    again = say(client, zhang, posted["conversation_id"], "补充截图")
    assert again["case_id"] == posted["case_id"] and again["follow_up"] is False


def test_closed_is_final_for_agents_and_a_reply_starts_a_follow_up(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    started = handed_off_case(client, zhang, "积分没到账")
    case_id = started["case"]["id"]
    set_status(client, agent, case_id, "solved")
    set_status(client, agent, case_id, "closed")
    reopen = client.post(
        f"/api/v1/staff/cases/{case_id}/status", headers=agent.headers, json={"status": "open"}
    )
    assert reopen.status_code == 409 and reopen.json()["error"]["code"] == "case_closed"
    answer = client.post(
        f"/api/v1/staff/cases/{case_id}/messages", headers=agent.headers, json={"text": "您好"}
    )
    assert answer.status_code == 409
    assert say(client, zhang, started["conversation_id"], "还在吗")["follow_up"] is True


def test_a_refused_move_names_both_statuses_in_the_callers_language(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = handed_off_case(client, zhang, "余额不对")["case"]["id"]
    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=agent.headers | {"Accept-Language": "zh-CN"},
        json={"status": "closed"},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "工单不能从 新 变为 已关闭。"


def test_solved_cases_close_once_they_can_no_longer_reopen(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = handed_off_case(client, zhang, "优惠券怎么用")["case"]["id"]
    set_status(client, agent, case_id, "solved")
    clock.advance(timedelta(days=7))
    assert close_solved_cases(rt) == 0
    clock.advance(SECOND)
    assert close_solved_cases(rt) == 1
    assert client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()["status"]["code"] == (
        "closed"
    )


def test_a_team_label_maps_onto_its_category_and_the_customer_sees_the_category(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    define_status_label(
        rt,
        Actor.staff(agent.user_id),
        key="waiting_bank",
        category=Category.ON_HOLD,
        name_zh="等待银行回复",
        name_en="Waiting for the bank",
    )
    case_id = handed_off_case(client, zhang, "提现被退回")["case"]["id"]
    staff_view = set_status(client, agent, case_id, "waiting_bank")
    assert staff_view["status"] == {
        "category": "on_hold",
        "label": "waiting_bank",
        "name": "等待银行回复",
    }
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["status"]["code"] == "on_hold" and "waiting_bank" not in str(mine)
    unknown = client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=agent.headers,
        json={"status": "waiting_moon"},
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_status"


def assign(client: TestClient, who: Staff, case_id: str, assignee: str | None) -> int:
    return client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=who.headers,
        json={"assignee_id": assignee},
    ).status_code


def test_agents_take_free_cases_and_only_supervisors_reassign(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    liu = staff_member(client, rt, "Liu", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    case_id = handed_off_case(client, zhang, "账户被冻结了")["case"]["id"]
    assert assign(client, wang, case_id, wang.user_id) == 200
    taken = client.get(f"/api/v1/staff/cases/{case_id}", headers=wang.headers).json()
    assert taken["assignee_id"] == wang.user_id and taken["status"]["category"] == "open"
    assert assign(client, liu, case_id, liu.user_id) == 403, "already Wang's"
    assert assign(client, wang, case_id, liu.user_id) == 403, "agents do not reassign"
    assert assign(client, boss, case_id, liu.user_id) == 200
    mine = client.get("/api/v1/staff/cases?assignee=me", headers=liu.headers).json()["items"]
    assert [c["id"] for c in mine] == [case_id]
    with rt.db.uow(read_only=True) as uow:
        contact = uow.support.contacts.get(taken["contact_id"])
        assert contact is not None and contact.user_id is not None
        customer_id = contact.user_id
    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/assign",
        headers=boss.headers,
        json={"assignee_id": customer_id},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_an_agent"
    assert assign(client, liu, case_id, None) == 200, "Liu gives it back"
    free = client.get("/api/v1/staff/cases?assignee=none", headers=liu.headers).json()
    assert [c["id"] for c in free["items"]] == [case_id]


def test_the_staff_list_filters_and_pages(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    ids = [handed_off_case(client, zhang, f"问题 {n}")["case"]["id"] for n in range(3)]
    set_status(client, agent, ids[0], "pending_customer")
    first = client.get("/api/v1/staff/cases?limit=2", headers=agent.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(
        f"/api/v1/staff/cases?limit=2&cursor={first['next_cursor']}", headers=agent.headers
    ).json()
    paged = [c["id"] for c in first["items"] + rest["items"]]
    assert sorted(paged) == sorted(ids) and len(set(paged)) == 3
    pending = client.get(
        "/api/v1/staff/cases?status=pending_customer", headers=agent.headers
    ).json()
    assert [c["id"] for c in pending["items"]] == [ids[0]]
    bad = client.get("/api/v1/staff/cases?cursor=not-a-cursor", headers=agent.headers)
    assert bad.status_code == 422


def test_raising_the_priority_brings_the_tighter_policy(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    case_id = handed_off_case(client, zhang, "有人盗刷我的钱包")["case"]["id"]
    urgent = client.post(
        f"/api/v1/staff/cases/{case_id}/priority",
        headers=agent.headers,
        json={"priority": "urgent"},
    ).json()
    assert urgent["priority"] == "urgent" and urgent["sla_policy_id"] == "default_urgent"
    # 15 minutes around the clock from Monday 17:00 Beijing (09:00 UTC).
    assert urgent["expected"]["next_reply_by"] == "2026-11-23T09:15:00Z"
    history = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    change = history["history"][-1]
    assert change["kind"] == "case.priority_changed"
    assert change["before"]["priority"] == "normal" and change["after"]["priority"] == "urgent"
