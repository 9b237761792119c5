"""People and moves shared by the agent-tools tests: staff with Chinese display names, a
customer's case handed to humans, a paid merchant order, and the case-action calls."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay
from tests.support import Person, bearer, current_totp, remember, sign_up_and_in
from tests.support_desk.helpers import STAFF_PASSWORD, Staff, hand_off, start_chat
from walletdesk.audit.services import Actor
from walletdesk.identity.context import RequestContext
from walletdesk.identity.staff import create_staff
from walletdesk.runtime import Runtime


def staff(client: TestClient, rt: Runtime, login: str, display_name: str, role: str) -> Staff:
    """A staff member called `display_name`, signed in with password and TOTP."""
    email = f"{login}@walletdesk.example"
    created = create_staff(
        rt,
        login_text=email,
        password=STAFF_PASSWORD,
        display_name=display_name,
        roles=[role],
        actor=Actor.system(),
        request=RequestContext(),
    )
    remember(created.totp_secret, *created.recovery_codes)
    first = client.post("/api/v1/auth/login", json={"login": email, "password": STAFF_PASSWORD})
    challenge = first.json()["challenge_token"]
    remember(challenge)
    second = client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": challenge, "code": current_totp(rt, created.totp_secret)},
    )
    assert second.status_code == 200, second.text
    token = second.json()["access_token"]
    remember(token)
    return Staff(created.user_id, bearer(token))


def customer_case(client: TestClient, headers: dict[str, str], text: str) -> str:
    """The customer starts a chat and asks for a human; returns the case id."""
    started = start_chat(client, headers, text)
    hand_off(client, headers, started["conversation_id"])
    return str(started["case"]["id"])


def paid_order(
    client: TestClient, rt: Runtime, headers: dict[str, str], person: Person, amount: str
) -> str:
    """Fund the person's wallet with ¥500 and pay a 喜茶 order of `amount`; the payment id."""
    fund(rt, user_id_of(rt, person.display_name), "500.00")
    order = new_order(client, open_shop(rt), amount=amount, order_no=f"HT-{amount}")
    status, body = pay(client, headers, order["id"], f"pay-{amount}")
    assert status == 201, body
    return str(order["id"])


def signed_up_with_case(client: TestClient, person: Person, text: str) -> tuple[dict, str]:
    headers = sign_up_and_in(client, person)
    return headers, customer_case(client, headers, text)


def propose(client: TestClient, who: Staff, case_id: str, **body: object) -> dict:
    response = client.post(f"/api/v1/staff/cases/{case_id}/actions", headers=who.headers, json=body)
    assert response.status_code == 201, response.text
    proposed: dict = response.json()
    return proposed


def decide(client: TestClient, who: Staff, action_id: str, verb: str = "approve") -> tuple:
    response = client.post(f"/api/v1/staff/actions/{action_id}/{verb}", headers=who.headers)
    return response.status_code, response.json()


def history_kinds(client: TestClient, who: Staff, case_id: str) -> list[str]:
    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=who.headers).json()
    return [event["kind"] for event in detail["history"]]


def wallet_cny(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    wallets = client.get("/api/v1/wallets", headers=headers).json()["wallets"]
    return next(w for w in wallets if w["currency"] == "CNY")
