"""Support metrics from the case history, on a small scripted day with known answers."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, TOM, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, beijing, hand_off, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.runtime import Runtime
from walletdesk.support.access import SupportActor
from walletdesk.support.casework import change_status
from walletdesk.support.csat import ask_solved_cases
from walletdesk.support.history import CaseEvent
from walletdesk.support.metrics import figures
from walletdesk.support.metrics_facts import CaseTrail, observations

DAY = {"from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"}


def staff_post(client: TestClient, staff: Staff, case_id: str, path: str, body: dict) -> None:
    response = client.post(
        f"/api/v1/staff/cases/{case_id}/{path}", headers=staff.headers, json=body
    )
    assert response.status_code in (200, 201), response.text


def queue_of(rt: Runtime, case_id: str) -> str:
    """The case's routing queue, else its type: what metrics report it under."""
    with rt.db.uow(read_only=True) as uow:
        case = uow.support.cases.get(case_id)
        assert case is not None
        return uow.complaints_kb.csat.routed_queue(case_id) or case.type


def by_key(groups: list[dict]) -> dict[str, dict]:
    return {g["key"]: g["figures"] for g in groups}


def test_a_scripted_day_gives_the_known_figures(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    clock.set(beijing("2026-11-23 17:00"))
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    tom = sign_up_and_in(client, TOM)
    wang = staff_member(client, rt, "Wang", "agent")
    zhou = staff_member(client, rt, "Zhou", "senior_agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    clock.set(beijing("2026-11-23 17:00"))
    a = start_chat(client, zhang, "提现没到账")  # people answer in 20 min, solve, rated 5
    b = start_chat(client, zhang, "怎么看账单")  # the assistant solves it, rated 4
    c = start_chat(client, li, "绑卡失败")  # answered in 1 h, solved, then reopened
    start_chat(client, tom, "hello")  # stays with the assistant
    e = client.post(
        "/api/v1/complaints", headers=zhang, json={"category": "fees", "text": "手续费不对"}
    ).json()  # a complaint nobody answered yet

    clock.set(beijing("2026-11-23 17:05"))
    change_status(rt, SupportActor.bot(), b["case"]["id"], "solved")
    clock.set(beijing("2026-11-23 17:10"))
    hand_off(client, zhang, a["conversation_id"])
    staff_post(client, wang, a["case"]["id"], "assign", {"assignee_id": wang.user_id})
    clock.set(beijing("2026-11-23 17:20"))
    hand_off(client, li, c["conversation_id"])
    staff_post(client, zhou, c["case"]["id"], "assign", {"assignee_id": zhou.user_id})
    clock.set(beijing("2026-11-23 17:30"))
    staff_post(client, wang, a["case"]["id"], "messages", {"text": "正在查"})
    clock.set(beijing("2026-11-23 18:00"))
    staff_post(client, wang, a["case"]["id"], "status", {"status": "solved"})
    ask_solved_cases(rt)
    clock.set(beijing("2026-11-23 18:05"))
    for case, score in ((a, 5), (b, 4)):
        rated = client.post(
            f"/api/v1/cases/{case['case']['id']}/rating", headers=zhang, json={"score": score}
        )
        assert rated.status_code == 200, rated.text
    clock.set(beijing("2026-11-23 18:20"))
    staff_post(client, zhou, c["case"]["id"], "messages", {"text": "请换一张卡试试"})
    clock.set(beijing("2026-11-23 19:00"))
    staff_post(client, zhou, c["case"]["id"], "status", {"status": "solved"})
    clock.set(beijing("2026-11-23 19:30"))
    again = client.post(
        f"/api/v1/conversations/{c['conversation_id']}/messages",
        headers=li,
        json={"text": "还是不行"},
    )
    assert again.status_code == 201 and again.json()["follow_up"] is False

    response = client.get("/api/v1/staff/metrics", headers=sun.headers, params=DAY)
    assert response.status_code == 200, response.text
    found = response.json()
    assert (found["from"], found["to"]) == ("2026-11-22T16:00:00Z", "2026-11-23T16:00:00Z")
    totals = found["totals"]
    assert (totals["created"], totals["solved"]) == (5, 3)
    assert totals["first_response"] == {
        "count": 2,
        "average_seconds": 2400.0,
        "median_seconds": 2400.0,
    }
    # From creation to the first solve: 1 h (a), 5 min (b, the assistant), 2 h (c).
    assert totals["resolution"] == {"count": 3, "average_seconds": 3700.0, "median_seconds": 3600.0}
    assert totals["sla"] == {
        "first_response": {"on_time": 2, "late": 0, "attainment": 1.0},
        "resolution": {"on_time": 2, "late": 0, "attainment": 1.0},
    }
    assert (totals["reopened"], totals["reopen_rate"]) == (1, 0.3333)
    assert (totals["csat_responses"], totals["csat_average"]) == (2, 4.5)
    assert totals["csat_satisfied_share"] == 1.0
    assert (totals["bot_cases"], totals["bot_resolved"], totals["bot_handed_off"]) == (4, 1, 2)
    assert (totals["bot_resolved_rate"], totals["handed_off_rate"]) == (0.25, 0.5)
    assert totals["verification"] == {}
    assert [(s["start"], s["figures"]["created"]) for s in found["series"]] == [("2026-11-23", 5)]

    agents = by_key(found["by_agent"])
    assert set(agents) == {wang.user_id, zhou.user_id}
    assert agents[wang.user_id]["first_response"]["average_seconds"] == 1200.0
    assert (agents[wang.user_id]["solved"], agents[wang.user_id]["csat_average"]) == (1, 5.0)
    assert agents[zhou.user_id]["first_response"]["average_seconds"] == 3600.0
    assert agents[zhou.user_id]["resolution"]["average_seconds"] == 7200.0
    assert agents[zhou.user_id]["reopen_rate"] == 1.0
    assert {g["key"]: g["name"] for g in found["by_agent"]}[wang.user_id] == "Wang"
    queue = {k: queue_of(rt, case["case"]["id"]) for k, case in (("a", a), ("b", b), ("c", c))}
    queue["e"] = queue_of(rt, e["case_id"])
    queues = by_key(found["by_queue"])
    assert sum(q["created"] for q in queues.values()) == 5
    assert queues[queue["e"]]["created"] == 1 and queue["e"] != queue["a"]
    assert queues[queue["b"]]["bot_resolved"] == 1
    assert by_key(found["by_channel"])["chat"]["created"] == 5

    backlog = found["backlog"]
    assert (backlog["total"], backlog["with_bot"]) == (2, 1)  # c (reopened) and e; d with the bot
    assert backlog["by_queue"] == {queue["c"]: 1, queue["e"]: 1}
    assert backlog["by_priority"] == {"normal": 2}
    assert e["reference"].startswith("TS-")


def test_a_case_counts_in_the_period_it_was_created_in_up_to_the_last_second(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    sun = staff_member(client, rt, "Sun", "supervisor")
    clock.set(beijing("2026-11-23 23:59:59"))
    start_chat(client, zhang, "最后一秒")
    clock.set(beijing("2026-11-24 00:00:00"))
    start_chat(client, zhang, "第二天")
    day = client.get("/api/v1/staff/metrics", headers=sun.headers, params=DAY).json()
    assert day["totals"]["created"] == 1
    week = client.get(
        "/api/v1/staff/metrics",
        headers=sun.headers,
        params={"from": "2026-11-23T00:00:00", "to": "2026-12-07T00:00:00", "interval": "week"},
    ).json()
    assert [(s["start"], s["figures"]["created"]) for s in week["series"]] == [
        ("2026-11-23", 2),
        ("2026-11-30", 0),
    ]


def test_metrics_are_for_supervisors_and_a_period_must_run_forwards(
    client: TestClient, rt: Runtime
) -> None:
    wang = staff_member(client, rt, "Wang", "agent")
    sun = staff_member(client, rt, "Sun", "supervisor")
    assert client.get("/api/v1/staff/metrics", headers=wang.headers, params=DAY).status_code == 403
    backwards = {"from": DAY["to"], "to": DAY["from"]}
    refused = client.get("/api/v1/staff/metrics", headers=sun.headers, params=backwards)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_period"


def event(version: int, kind: str, minute: int, after: dict) -> CaseEvent:
    return CaseEvent(
        id=version,
        case_id="case_verify",
        version=version,
        at=beijing("2026-11-23 17:00") + timedelta(minutes=minute),
        kind=kind,
        actor_kind="agent",
        actor_id="usr_wang",
        before={},
        after=after,
        public=False,
    )


def test_verification_outcomes_come_from_decisions_and_in_app_challenges() -> None:
    trail = CaseTrail(
        "case_verify",
        "verification",
        "high",
        "chat",
        "verification",
        [
            event(1, "case.created", 0, {"with_bot": False}),
            event(2, "verification.opened", 1, {"reason": "large_transaction"}),
            event(3, "verification.challenge_failed", 2, {"attempts": 5}),
            event(4, "verification.challenge_passed", 3, {"assurance": "stepped_up"}),
            event(5, "verification.decided", 4, {"state": "verified"}),
            event(6, "verification.decided", 90, {"state": "suspicious"}),  # after the period
        ],
    )
    start, end = beijing("2026-11-23 00:00"), beijing("2026-11-23 18:00")
    items = [o for o in observations(trail, start, end) if start <= o.at < end]
    assert figures(items).verification == {
        "challenge_failed": 1,
        "challenge_passed": 1,
        "verified": 1,
    }
    assert {o.agent for o in items if o.metric.startswith("verification:")} == {"usr_wang"}
