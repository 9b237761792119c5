"""SLA policies through the API (issue 5, items 5 and 15): admins read what applies, store a
policy for a priority (replacing the shipped default for cases opened afterwards), have it
audited, and remove it again; nobody else may change them and bad minutes are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.audit.services import recent_entries
from walletdesk.runtime import Runtime

NORMAL_IN_ONE_HOUR = {
    "priority": "normal",
    "first_response_minutes": 60,
    "next_response_minutes": 120,
    "resolution_minutes": 9 * 60,
    "calendar": "business",
}


SUPERVISOR_AT_ONCE = {"after_minutes": 0, "action": "supervisor"}


def policies(client: TestClient, who: Staff) -> dict[str, dict]:
    response = client.get("/api/v1/staff/sla-policies", headers=who.headers)
    assert response.status_code == 200, response.text
    return {p["id"]: p for p in response.json()["items"]}


def first_response_budget(client: TestClient, customer: dict[str, str], agent: Staff) -> int:
    started = start_chat(client, customer, "提现什么时候到账")
    hand_off(client, customer, started["conversation_id"])
    case = client.get(f"/api/v1/staff/cases/{started['case']['id']}", headers=agent.headers)
    target = next(t for t in case.json()["sla"] if t["kind"] == "first_response")
    budget: int = target["budget_seconds"]
    return budget


def test_an_admin_stores_a_policy_new_cases_use_it_and_removing_it_restores_the_default(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    admin = staff_member(client, rt, "Admin", "admin")
    agent = staff_member(client, rt, "Wang", "agent")
    shipped = policies(client, admin)
    assert shipped["default_normal"]["first_response_minutes"] == 4 * 60
    assert [s["action"] for s in shipped["default_normal"]["ladder"]] == [
        "notify",
        "reassign_senior",
        "supervisor",
    ]
    assert first_response_budget(client, zhang, agent) == 4 * 3600

    stored = client.put(
        "/api/v1/staff/sla-policies", headers=admin.headers, json=NORMAL_IN_ONE_HOUR
    )
    assert stored.status_code == 200, stored.text
    assert (stored.json()["id"], stored.json()["stored"]) == ("sla_normal_any", True)
    now = policies(client, admin)
    assert now["default_normal"]["replaced"] is True
    assert now["sla_normal_any"]["first_response_minutes"] == 60
    assert first_response_budget(client, zhang, agent) == 3600
    [entry] = recent_entries(rt.db, subject_id="sla_normal_any")
    assert (entry.action, entry.actor_id) == ("support.sla_policy_set", admin.user_id)

    gone = client.delete("/api/v1/staff/sla-policies/sla_normal_any", headers=admin.headers)
    assert gone.status_code == 204
    assert "sla_normal_any" not in policies(client, admin)
    assert first_response_budget(client, zhang, agent) == 4 * 3600
    again = client.delete("/api/v1/staff/sla-policies/sla_normal_any", headers=admin.headers)
    assert again.status_code == 404 and again.json()["error"]["code"] == "sla_policy_not_found"
    actions = [e.action for e in recent_entries(rt.db, subject_id="sla_normal_any")]
    assert "support.sla_policy_removed" in actions


def test_only_admins_change_policies_and_bad_ones_are_refused(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    boss = staff_member(client, rt, "Chen", "supervisor")
    put = "/api/v1/staff/sla-policies"
    assert client.put(put, headers=boss.headers, json=NORMAL_IN_ONE_HOUR).status_code == 403
    assert client.get(put, headers=boss.headers).status_code == 403
    for label, change, code in [
        ("no minutes", {"first_response_minutes": 0}, "invalid_sla_minutes"),
        ("no scope", {"priority": None}, "sla_scope_required"),
        ("an unknown type", {"case_type": "gossip"}, "invalid_sla_scope"),
        ("an unknown calendar", {"calendar": "moon"}, "unknown_calendar"),
        ("an empty ladder", {"ladder": []}, "invalid_sla_ladder"),
        (
            "a ladder going back in time",
            {"ladder": [{"after_minutes": 60, "action": "notify"}, SUPERVISOR_AT_ONCE]},
            "invalid_sla_ladder",
        ),
    ]:
        refused = client.put(put, headers=admin.headers, json=NORMAL_IN_ONE_HOUR | change)
        assert refused.status_code == 422, label
        assert refused.json()["error"]["code"] == code, label
    assert all(not p["stored"] for p in policies(client, admin).values())


def test_an_admin_sets_the_ladder_and_a_later_change_without_one_keeps_it(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Admin", "admin")
    put = "/api/v1/staff/sla-policies"
    ladder = [SUPERVISOR_AT_ONCE, {"after_minutes": 15, "action": "reassign_senior"}]
    stored = client.put(put, headers=admin.headers, json=NORMAL_IN_ONE_HOUR | {"ladder": ladder})
    assert stored.status_code == 200, stored.text
    assert stored.json()["ladder"] == ladder
    tighter = client.put(
        put, headers=admin.headers, json=NORMAL_IN_ONE_HOUR | {"resolution_minutes": 240}
    )
    assert tighter.status_code == 200, tighter.text
    kept = policies(client, admin)["sla_normal_any"]
    assert (kept["resolution_minutes"], kept["ladder"]) == (240, ladder)
    refused = client.put(
        put,
        headers=admin.headers | {"Accept-Language": "zh-CN"},
        json=NORMAL_IN_ONE_HOUR | {"ladder": []},
    )
    assert refused.json()["error"]["message"] == "升级阶梯须有 1 到 5 步，每一步都晚于前一步。"
