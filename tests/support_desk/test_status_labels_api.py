"""Status labels through the API (issue 5, item 2): a supervisor names a finer state and maps
it onto a fixed category (audited); agents list the labels in their language, with whether the
SLA clock runs, and set them on cases; the customer only ever sees the category."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.audit.services import recent_entries
from walletdesk.runtime import Runtime

WAITING_BANK = {
    "key": "waiting_bank",
    "category": "on_hold",
    "name_zh": "等待银行回复",
    "name_en": "Waiting for the bank",
}


def define(client: TestClient, who: Staff, body: dict) -> tuple[int, dict]:
    response = client.post("/api/v1/staff/status-labels", headers=who.headers, json=body)
    out: dict = response.json()
    return response.status_code, out


def test_a_supervisor_defines_a_label_agents_list_and_set_it_and_the_customer_sees_the_category(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    assert client.get("/api/v1/staff/status-labels", headers=agent.headers).json() == []

    status, created = define(client, boss, WAITING_BANK)
    assert status == 201, created
    assert (created["key"], created["category"], created["name"]) == (
        "waiting_bank",
        "on_hold",
        "等待银行回复",
    )
    assert created["sla_clock_runs"] is False, "a third party owes the answer"
    [entry] = [e for e in recent_entries(rt.db, subject_id="waiting_bank") if e.actor_id]
    assert (entry.action, entry.actor_id) == ("support.label_defined", boss.user_id)

    listed = client.get(
        "/api/v1/staff/status-labels", headers=agent.headers | {"Accept-Language": "en"}
    ).json()
    assert [(x["key"], x["name"], x["category_name"]) for x in listed] == [
        ("waiting_bank", "Waiting for the bank", "On hold")
    ]

    started = start_chat(client, zhang, "提现被银行退回了")
    hand_off(client, zhang, started["conversation_id"])
    case_id = started["case"]["id"]
    moved = client.post(
        f"/api/v1/staff/cases/{case_id}/status",
        headers=agent.headers,
        json={"status": "waiting_bank"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"]["label"] == "waiting_bank"
    mine = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert mine["status"]["code"] == "on_hold" and "waiting_bank" not in str(mine)


def test_agents_cannot_define_labels_and_bad_or_repeated_keys_are_refused(
    client: TestClient, rt: Runtime
) -> None:
    agent = staff_member(client, rt, "Wang", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    assert define(client, agent, WAITING_BANK)[0] == 403

    status, body = define(client, boss, WAITING_BANK | {"key": "open"})
    assert status == 422 and body["error"]["code"] == "invalid_label_key", "a category's name"
    status, body = define(client, boss, WAITING_BANK | {"category": "sleeping"})
    assert status == 422
    status, body = define(client, boss, WAITING_BANK | {"name_en": "   "})
    assert status == 422 and body["error"]["code"] == "label_name_required"

    assert define(client, boss, WAITING_BANK)[0] == 201
    status, body = define(client, boss, WAITING_BANK | {"category": "pending_internal"})
    assert status == 409 and body["error"]["code"] == "label_exists"
    [label] = client.get("/api/v1/staff/status-labels", headers=boss.headers).json()
    assert label["category"] == "on_hold", "the first definition stands"
