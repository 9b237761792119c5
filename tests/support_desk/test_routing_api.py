"""Routing through the API: a handed-off chat reaches an online agent who speaks the customer's
language, agents set their status and accept offers, admins set skills and capacity,
supervisors run the queue board, change queues and reassign (audited where it is admin work).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime


def go(client: TestClient, who: Staff, status: str) -> dict:
    response = client.post("/api/v1/staff/status", headers=who.headers, json={"status": status})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def handed_off(client: TestClient, headers: dict[str, str], text: str, **extra: object) -> str:
    started = start_chat(client, headers, text, **extra)
    hand_off(client, headers, started["conversation_id"])
    case_id: str = started["case"]["id"]
    return case_id


def detail(client: TestClient, who: Staff, case_id: str) -> dict:
    response = client.get(f"/api/v1/staff/cases/{case_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def board(client: TestClient, who: Staff) -> dict[str, dict]:
    response = client.get("/api/v1/staff/queues", headers=who.headers)
    assert response.status_code == 200, response.text
    return {q["id"]: q for q in response.json()["items"]}


def test_a_handed_off_chat_is_offered_to_the_online_agent_who_speaks_the_language(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    admin = staff_member(client, rt, "Admin", "admin")
    wang = staff_member(client, rt, "Wang", "agent")
    smith = staff_member(client, rt, "Smith", "agent")
    skills = client.put(
        f"/api/v1/admin/agents/{smith.user_id}/skills",
        headers=admin.headers,
        json={"languages": ["en"], "topics": []},
    )
    assert skills.status_code == 200 and skills.json()["languages"] == ["en"]
    go(client, smith, "online")
    assert go(client, wang, "online")["channels"]["chat"] == {"capacity": 3, "load": 0}

    with_bot = start_chat(client, zhang, "提现三天没到账")
    case_id = with_bot["case"]["id"]
    assert detail(client, wang, case_id)["assignee_id"] is None, "the bot has it"
    hand_off(client, zhang, with_bot["conversation_id"])
    case = detail(client, wang, case_id)
    assert case["assignee_id"] == wang.user_id
    routed = [e for e in case["history"] if e["kind"] in ("case.queued", "case.assigned")]
    assert [(e["kind"], e["after"].get("queue_id") or e["after"]["reason"]) for e in routed] == [
        ("case.queued", "general_zh"),
        ("case.assigned", "routed"),
    ]
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert "case.queued" not in str(mine) and "case.assigned" not in str(mine)

    accepted = client.post(f"/api/v1/staff/cases/{case_id}/accept", headers=wang.headers)
    assert accepted.status_code == 200 and accepted.json()["status"]["category"] == "open"
    not_mine = client.post(f"/api/v1/staff/cases/{case_id}/accept", headers=smith.headers)
    assert not_mine.status_code == 409 and not_mine.json()["error"]["code"] == "not_offered"


def test_only_supervisors_reassign_and_the_load_follows_the_case(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    wang = staff_member(client, rt, "Wang", "agent")
    liu = staff_member(client, rt, "Liu", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    go(client, wang, "online")
    case_id = handed_off(client, zhang, "账户被冻结了")
    assert detail(client, wang, case_id)["assignee_id"] == wang.user_id

    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/reassign",
        headers=wang.headers,
        json={"agent_id": liu.user_id},
    )
    assert refused.status_code == 403
    moved = client.post(
        f"/api/v1/staff/cases/{case_id}/reassign",
        headers=boss.headers,
        json={"agent_id": liu.user_id},
    )
    assert moved.status_code == 200 and moved.json()["assignee_id"] == liu.user_id
    history = detail(client, boss, case_id)["history"]
    assert [e["kind"] for e in history[-2:]] == ["case.assigned", "status.changed"]
    last = history[-2]
    assert last["after"]["reason"] == "supervisor"
    assert last["before"]["assignee_id"] == wang.user_id
    team = client.get("/api/v1/staff/agents", headers=boss.headers).json()["items"]
    loads = {a["user_id"]: a["channels"]["chat"]["load"] for a in team}
    assert (loads[wang.user_id], loads[liu.user_id]) == (0, 1)
    assert client.get("/api/v1/staff/agents", headers=wang.headers).status_code == 403


def test_the_queue_board_shows_sizes_and_the_oldest_wait_to_supervisors(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    boss = staff_member(client, rt, "Chen", "supervisor")
    wang = staff_member(client, rt, "Wang", "agent")
    handed_off(client, zhang, "我的余额不对")
    clock.advance(timedelta(minutes=5))
    handed_off(client, li, "我要投诉商户", type="complaint")
    clock.advance(timedelta(minutes=2))

    queues = board(client, boss)
    assert list(queues) == [
        "urgent_risk",
        "verification",
        "disputes",
        "complaints",
        "general_en",
        "general_zh",
    ]
    assert (queues["general_zh"]["waiting"], queues["general_zh"]["oldest_waiting_seconds"]) == (
        1,
        420,
    )
    assert (queues["complaints"]["waiting"], queues["complaints"]["oldest_waiting_seconds"]) == (
        1,
        120,
    )
    assert queues["general_zh"]["name"] == "中文综合"
    english = client.get("/api/v1/staff/queues", headers=boss.headers | {"Accept-Language": "en"})
    assert english.json()["items"][-1]["name"] == "Chinese general"
    assert client.get("/api/v1/staff/queues", headers=wang.headers).status_code == 403


def test_supervisors_define_queues_and_every_change_is_audited(
    client: TestClient, rt: Runtime
) -> None:
    boss = staff_member(client, rt, "Chen", "supervisor")
    admin = staff_member(client, rt, "Admin", "admin")
    wang = staff_member(client, rt, "Wang", "agent")
    vip = {
        "id": "vip_urgent",
        "name_zh": "大额紧急",
        "name_en": "Urgent large amounts",
        "position": 5,
        "priorities": ["urgent"],
        "risk_flags": ["large_transfer_pending"],
        "skill_topic": "large_amounts",
    }
    assert client.post("/api/v1/staff/queues", headers=wang.headers, json=vip).status_code == 403
    created = client.post("/api/v1/staff/queues", headers=boss.headers, json=vip)
    assert created.status_code == 201 and created.json()["skill_topic"] == "large_amounts"
    again = client.post("/api/v1/staff/queues", headers=boss.headers, json=vip)
    assert again.status_code == 409 and again.json()["error"]["code"] == "queue_exists"
    bad = client.post(
        "/api/v1/staff/queues", headers=boss.headers, json=vip | {"id": "x", "locales": ["fr"]}
    )
    assert bad.status_code == 422

    changed = client.patch(
        "/api/v1/staff/queues/vip_urgent", headers=boss.headers, json={"active": False}
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["name_en"] == "Urgent large amounts", "a patch keeps the rest"
    for queue_id in ("urgent_risk", "verification", "disputes", "complaints", "general_en"):
        client.patch(
            f"/api/v1/staff/queues/{queue_id}", headers=boss.headers, json={"active": False}
        )
    last = client.patch(
        "/api/v1/staff/queues/general_zh", headers=boss.headers, json={"active": False}
    )
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_active_queue"
    missing = client.patch("/api/v1/staff/queues/nowhere", headers=boss.headers, json={})
    assert missing.status_code == 404

    audit = client.get("/api/v1/admin/audit?subject_id=vip_urgent", headers=admin.headers).json()
    assert [e["action"] for e in audit] == ["routing.queue_updated", "routing.queue_created"]


def test_admins_set_skills_and_capacity_agents_only_their_status(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    wang = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    capacity = client.put(
        f"/api/v1/admin/agents/{wang.user_id}/capacity",
        headers=admin.headers,
        json={"capacity": {"chat": 6, "email": 25}},
    )
    assert capacity.status_code == 200
    channels = capacity.json()["channels"]
    assert (channels["chat"]["capacity"], channels["email"]["capacity"]) == (6, 25)
    assert channels["call"]["capacity"] == 1, "the default stays"
    assert capacity.json()["status"] == "offline"
    too_many = client.put(
        f"/api/v1/admin/agents/{wang.user_id}/capacity",
        headers=admin.headers,
        json={"capacity": {"chat": 500}},
    )
    assert too_many.status_code == 422
    for who in (wang, boss):
        refused = client.put(
            f"/api/v1/admin/agents/{wang.user_id}/skills",
            headers=who.headers,
            json={"languages": ["zh-CN", "en"], "topics": ["disputes"]},
        )
        assert refused.status_code == 403
    customer = sign_up_and_in(client, ZHANG_MING)
    me = client.get("/api/v1/me", headers=customer).json()
    not_staff = client.put(
        f"/api/v1/admin/agents/{me['id']}/skills",
        headers=admin.headers,
        json={"languages": ["zh-CN"], "topics": []},
    )
    assert not_staff.status_code == 422 and not_staff.json()["error"]["code"] == "not_an_agent"
    assert (
        client.post("/api/v1/staff/status", headers=customer, json={"status": "online"}).status_code
        == 403
    )

    assert go(client, wang, "away")["status"] == "away"
    audit = client.get(f"/api/v1/admin/audit?subject_id={wang.user_id}", headers=admin.headers)
    assert "routing.agent_capacity_set" in [e["action"] for e in audit.json()]
