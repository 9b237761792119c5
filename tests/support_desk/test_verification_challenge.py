"""The in-app challenge of a verification: the customer confirms with their authenticator, or
with a code texted to their registered phone, and the case's conversation is stepped up. Wrong
codes are counted, and a challenge runs out on the clock."""

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING, current_totp, enable_totp, last_code, sign_up_and_in
from tests.support_desk.helpers import Staff, staff_member
from walletdesk.clock import FrozenClock
from walletdesk.identity import totp
from walletdesk.runtime import Runtime

SECOND = timedelta(seconds=1)


def user_id(client: TestClient, headers: dict[str, str]) -> str:
    found: str = client.get("/api/v1/me", headers=headers).json()["id"]
    return found


def opened_with_challenge(client: TestClient, agent: Staff, customer: dict[str, str]) -> dict:
    opened = client.post(
        "/api/v1/staff/verifications",
        headers=agent.headers,
        json={"user_id": user_id(client, customer), "reason": "personal_info_change"},
    ).json()
    asked = client.post(
        f"/api/v1/staff/verifications/{opened['id']}/challenge", headers=agent.headers
    )
    assert asked.status_code == 200, asked.text
    body: dict = asked.json()
    return body


def answer(client: TestClient, customer: dict[str, str], verification_id: str, code: str) -> dict:
    response = client.post(
        f"/api/v1/me/verifications/{verification_id}/challenge",
        headers=customer,
        json={"code": code},
    )
    body: dict = response.json()
    body["status_code"] = response.status_code
    return body


def conversation_assurance(client: TestClient, agent: Staff, case_id: str) -> str:
    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    assurance: str = detail["conversations"][0]["assurance"]
    return assurance


def test_an_authenticator_code_steps_the_conversation_up_and_allows_verified(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    li = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, li)
    agent = staff_member(client, rt, "Wang", "agent")
    asked = opened_with_challenge(client, agent, li)
    assert asked["challenge"]["method"] == "totp" and asked["challenge"]["open"] is True
    assert conversation_assurance(client, agent, asked["case_id"]) == "logged_in"
    mine = client.get("/api/v1/me/verifications", headers=li).json()
    assert mine[0]["challenge"] == asked["challenge"]

    # The enrolment used the current step; the next one is a fresh code.
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    passed = answer(client, li, asked["id"], current_totp(rt, secret))

    assert passed["status_code"] == 200, passed
    assert passed["challenge"]["state"] == "passed"
    assert conversation_assurance(client, agent, asked["case_id"]) == "stepped_up"
    detail = client.get(f"/api/v1/staff/cases/{asked['case_id']}", headers=agent.headers).json()
    event = next(e for e in detail["history"] if e["kind"] == "verification.challenge_passed")
    assert (event["before"], event["after"]["assurance"]) == (
        {"assurance": "logged_in"},
        "stepped_up",
    )
    decided = client.post(
        f"/api/v1/staff/verifications/{asked['id']}/outcome",
        headers=agent.headers,
        json={"outcome": "verified"},
    )
    assert decided.status_code == 200 and decided.json()["state"] == "verified"


def test_without_an_authenticator_a_code_goes_to_the_registered_phone(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    asked = opened_with_challenge(client, agent, zhang)
    assert asked["challenge"]["method"] == "code"

    sent = client.post(f"/api/v1/me/verifications/{asked['id']}/challenge/code", headers=zhang)
    assert sent.status_code == 200, sent.text
    assert sent.json()["channel"] == "sms"
    assert ZHANG_MING.phone is not None
    code = last_code(rt, ZHANG_MING.phone)

    passed = answer(client, zhang, asked["id"], code)

    assert passed["status_code"] == 200, passed
    assert passed["challenge"] == {
        "state": "passed",
        "method": "code",
        "expires_at": asked["challenge"]["expires_at"],
        "open": False,
    }
    assert conversation_assurance(client, agent, asked["case_id"]) == "stepped_up"
    messages = client.get(f"/api/v1/cases/{asked['case_id']}", headers=zhang).json()["messages"]
    assert messages[-1]["text"] == "您已在 App 内确认是本人，谢谢。"


def test_five_wrong_codes_end_the_challenge(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    asked = opened_with_challenge(client, agent, zhang)
    client.post(f"/api/v1/me/verifications/{asked['id']}/challenge/code", headers=zhang)

    for _ in range(5):
        wrong = answer(client, zhang, asked["id"], "000000")
        assert (wrong["status_code"], wrong["error"]["code"]) == (422, "invalid_code")
    over = answer(client, zhang, asked["id"], "000000")

    assert (over["status_code"], over["error"]["code"]) == (409, "no_open_challenge")
    staff_view = client.get(f"/api/v1/staff/verifications/{asked['id']}", headers=agent.headers)
    assert staff_view.json()["challenge"]["state"] == "failed"
    assert staff_view.json()["challenge_attempts"] == 5
    assert conversation_assurance(client, agent, asked["case_id"]) == "logged_in"
    again = client.post(
        f"/api/v1/staff/verifications/{asked['id']}/challenge", headers=agent.headers
    )
    assert again.json()["challenge"]["open"] is True, "the agent may ask once more"


def test_a_challenge_runs_out_at_fifteen_minutes(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    li = sign_up_and_in(client, LI_NA)
    secret, _ = enable_totp(client, rt, li)
    agent = staff_member(client, rt, "Wang", "agent")
    asked = opened_with_challenge(client, agent, li)

    clock.advance(timedelta(minutes=15) - SECOND)
    still = client.get("/api/v1/me/verifications", headers=li).json()[0]["challenge"]
    assert still["open"] is True
    clock.advance(SECOND)
    late = answer(client, li, asked["id"], current_totp(rt, secret))

    assert (late["status_code"], late["error"]["code"]) == (409, "no_open_challenge")
    assert conversation_assurance(client, agent, asked["case_id"]) == "logged_in"
