"""The whole customer-service flow of issue 5 in one test, through the API only: an English
customer opens a chat, the assistant hands off, routing picks the online agent who speaks
English over the Chinese-only one, that agent answers and solves, the customer is asked once
in English in the same conversation, rates, and the rating shows under the agent, the queue
and the channel in the supervisors' figures."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import TOM, bearer, login, register
from tests.support_desk.helpers import Staff, hand_off, staff_member, start_chat
from walletdesk.runtime import Runtime
from walletdesk.support.csat import ask_solved_cases

EN = {"Accept-Language": "en"}
DAY = {"from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"}


def online_with_languages(
    client: TestClient, admin: Staff, agent: Staff, languages: list[str]
) -> None:
    skills = client.put(
        f"/api/v1/admin/agents/{agent.user_id}/skills",
        headers=admin.headers,
        json={"languages": languages, "topics": []},
    )
    assert skills.status_code == 200, skills.text
    went = client.post("/api/v1/staff/status", headers=agent.headers, json={"status": "online"})
    assert went.status_code == 200, went.text


def staff_post(client: TestClient, who: Staff, case_id: str, path: str, body: dict) -> dict:
    response = client.post(f"/api/v1/staff/cases/{case_id}/{path}", headers=who.headers, json=body)
    assert response.status_code in (200, 201), response.text
    out: dict = response.json()
    return out


def test_a_user_chats_an_english_speaking_agent_is_chosen_answers_solves_and_is_rated(
    client: TestClient, rt: Runtime
) -> None:
    register(client, TOM, locale="en")  # the case speaks the account's language
    tom = bearer(login(client, TOM)) | EN
    admin = staff_member(client, rt, "Admin", "admin")
    wang = staff_member(client, rt, "Wang", "agent")
    smith = staff_member(client, rt, "Smith", "agent")
    boss = staff_member(client, rt, "Chen", "supervisor")
    online_with_languages(client, admin, wang, ["zh-CN"])
    online_with_languages(client, admin, smith, ["en"])

    started = start_chat(client, tom, "My withdrawal has been pending for three days.")
    conversation, case_id = started["conversation_id"], started["case"]["id"]
    assert started["case"]["expected"]["waiting_for"] == "bot"
    handed = hand_off(client, tom, conversation)
    assert handed["expected"]["waiting_for"] == "support"
    assert handed["expected"]["next_reply_by"] is not None

    case = client.get(f"/api/v1/staff/cases/{case_id}", headers=smith.headers).json()
    assert case["assignee_id"] == smith.user_id, "the agent who speaks English, not Wang"
    accepted = staff_post(client, smith, case_id, "accept", {})
    assert accepted["status"]["category"] == "open"
    staff_post(client, smith, case_id, "messages", {"text": "It was sent back by the bank."})
    staff_post(client, smith, case_id, "status", {"status": "solved"})

    mine = client.get(f"/api/v1/cases/{case_id}", headers=tom).json()
    assert mine["status"]["code"] == "solved"
    assert mine["expected"]["waiting_for"] is None
    assert ask_solved_cases(rt) == 1
    assert ask_solved_cases(rt) == 0, "asked once"
    seen = client.get(f"/api/v1/conversations/{conversation}/messages", headers=tom).json()
    asked = seen["items"][-1]
    assert asked["author"]["kind"] == "system"
    assert asked["text"].startswith("Your request is solved. How satisfied are you")

    rated = client.post(
        f"/api/v1/cases/{case_id}/rating",
        headers=tom,
        json={"score": 4, "comment": "Quick and clear"},
    )
    assert rated.status_code == 200, rated.text
    assert (rated.json()["score"], rated.json()["comment"]) == (4, "Quick and clear")
    assert client.get(f"/api/v1/cases/{case_id}", headers=tom).json()["status"]["code"] == (
        "solved"
    ), "four is not a low score"

    figures = client.get("/api/v1/staff/metrics", headers=boss.headers, params=DAY).json()
    agents = {g["key"]: g["figures"] for g in figures["by_agent"]}
    assert set(agents) == {smith.user_id}
    assert (agents[smith.user_id]["solved"], agents[smith.user_id]["csat_average"]) == (1, 4.0)
    assert agents[smith.user_id]["first_response"]["count"] == 1
    [queue] = figures["by_queue"]
    assert (queue["figures"]["csat_responses"], queue["figures"]["csat_average"]) == (1, 4.0)
    channels = {g["key"]: g["figures"] for g in figures["by_channel"]}
    assert channels["chat"]["csat_average"] == 4.0
