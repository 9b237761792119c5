"""The verification (审核) workflow through the API: an agent opens a verification for a held
large payment, schedules a verified call that the customer's app shows first, and records
the outcome, which lets the payment go through (verified) or gives the money back
(suspicious, failed) in the same transaction.

The held payment is a real ledger hold; the test registers its owner the way the risk code
does (`register_operation`)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.ledger.funding import fund
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, staff_member
from walletdesk.clock import FrozenClock
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import capture_hold, place_hold, release_hold
from walletdesk.ledger.models import EntryKind, HoldStatus, Leg
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime
from walletdesk.storage.uow import UnitOfWork
from walletdesk.support.verification import request_verification
from walletdesk.support.verification_models import Reason
from walletdesk.support.verification_operations import OperationRef, Resolution, register_operation

PAYMENT = "test_large_payment"
ZH = {"Accept-Language": "zh-CN"}


def _go_ahead(rt: Runtime, uow: UnitOfWork, resolution: Resolution) -> str:
    hold = uow.holds.get(resolution.operation.ref)
    assert hold is not None and hold.reference is not None
    capture_hold(
        rt,
        uow,
        hold_id=hold.id,
        amount=Money(hold.amount, hold.currency),
        to_legs=[Leg(hold.reference, hold.amount, hold.currency)],
        kind=EntryKind.HOLD_CAPTURE,
        description="large payment, customer verified",
    )
    return "captured"


def _call_off(rt: Runtime, uow: UnitOfWork, resolution: Resolution) -> str:
    release_hold(rt, uow, hold_id=resolution.operation.ref)
    return "released"


@pytest.fixture(autouse=True)
def held_payments() -> Iterator[None]:
    unregister = register_operation(PAYMENT, on_verified=_go_ahead, on_rejected=_call_off)
    yield
    unregister()


def user_id(client: TestClient, headers: dict[str, str]) -> str:
    found: str = client.get("/api/v1/me", headers=headers).json()["id"]
    return found


def held_payment(rt: Runtime, payer: str, payee: str, amount: str) -> str:
    """Money on its way from `payer` to `payee`, held for a check."""
    fund(rt, payer, "10000.00")
    with rt.db.uow() as uow:
        to = wallet_account(rt, uow, payee, "CNY")
        hold = place_hold(
            rt,
            uow,
            account_id=wallet_account(rt, uow, payer, "CNY").id,
            amount=Money.parse(amount, "CNY"),
            purpose="large_payment",
            ttl=timedelta(days=1),
            reference=to.id,
        )
        uow.commit()
    return hold.id


def balances(rt: Runtime, user: str) -> tuple[int, int]:
    """(posted, held) of the user's CNY wallet, in fen."""
    with rt.db.uow() as uow:
        account = wallet_account(rt, uow, user, "CNY")
        uow.commit()
    return account.posted, account.held


def hold_status(rt: Runtime, hold_id: str) -> str:
    with rt.db.uow(read_only=True) as uow:
        hold = uow.holds.get(hold_id)
        assert hold is not None
        return hold.status


def open_for(client: TestClient, agent: Staff, user: str, hold_id: str | None) -> dict:
    body: dict = {"user_id": user, "reason": "large_transaction", "note": "8000 元转给新收款人"}
    if hold_id:
        body["operation"] = {"kind": PAYMENT, "ref": hold_id}
    response = client.post("/api/v1/staff/verifications", headers=agent.headers, json=body)
    assert response.status_code == 201, response.text
    opened: dict = response.json()
    return opened


def outcome(client: TestClient, agent: Staff, verification_id: str, result: str) -> dict:
    response = client.post(
        f"/api/v1/staff/verifications/{verification_id}/outcome",
        headers=agent.headers,
        json={"outcome": result, "note": "回访完成"},
    )
    body: dict = response.json()
    body["status_code"] = response.status_code
    return body


def schedule_call(client: TestClient, agent: Staff, verification_id: str) -> dict:
    response = client.post(
        f"/api/v1/staff/verifications/{verification_id}/calls", headers=agent.headers
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def history_kinds(client: TestClient, agent: Staff, case_id: str) -> list[str]:
    detail = client.get(f"/api/v1/staff/cases/{case_id}", headers=agent.headers).json()
    return [event["kind"] for event in detail["history"]]


def test_a_verified_call_lets_the_held_payment_go_through(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    zhang_id, li_id = user_id(client, zhang), user_id(client, li)
    hold_id = held_payment(rt, zhang_id, li_id, "8000.00")

    opened = open_for(client, agent, zhang_id, hold_id)
    assert (opened["state"], opened["operation_ref"]) == ("pending", hold_id)
    mine = client.get("/api/v1/cases", headers=zhang | ZH).json()
    assert [(c["id"], c["type"], c["subject"]) for c in mine] == [
        (opened["case_id"], "verification", "身份核验：大额交易")
    ]
    opening = client.get(f"/api/v1/cases/{opened['case_id']}", headers=zhang).json()["messages"]
    assert "400-000-8888" in opening[0]["text"] and opening[0]["author"]["kind"] == "system"

    call = schedule_call(client, agent, opened["id"])
    assert call["channel"] == "call" and call["source"] == "400-000-8888"
    assert len(call["code"]) == 4 and call["code"].isdigit()

    pending = client.get("/api/v1/me/pending-contacts", headers=zhang | ZH).json()
    assert [(p["id"], p["code"], p["source"], p["agent_name"]) for p in pending] == [
        (call["id"], call["code"], "400-000-8888", "Wang")
    ]
    assert pending[0]["message"].startswith("我们将在 10 分钟内用 400-000-8888 致电您")
    assert f"核对码 {call['code']}" in pending[0]["message"]
    notices = client.get("/api/v1/me/notifications", headers=zhang).json()
    assert any(call["code"] in n["body"] and "400-000-8888" in n["body"] for n in notices)
    assert client.get("/api/v1/me/pending-contacts", headers=li).json() == []

    decided = outcome(client, agent, opened["id"], "verified")

    assert decided["status_code"] == 200, decided
    assert (decided["state"], decided["operation_result"]) == ("verified", "captured")
    assert hold_status(rt, hold_id) == HoldStatus.CAPTURED
    assert balances(rt, li_id) == (800000, 0)
    assert balances(rt, zhang_id) == (200000, 0)
    assert client.get("/api/v1/me/pending-contacts", headers=zhang).json() == []
    steps = [
        k
        for k in history_kinds(client, agent, opened["case_id"])
        if k.startswith(("verification.", "contact."))
    ]
    assert steps == ["verification.opened", "contact.registered", "verification.decided"]
    detail = client.get(f"/api/v1/staff/cases/{opened['case_id']}", headers=agent.headers).json()
    decided_event = next(e for e in detail["history"] if e["kind"] == "verification.decided")
    assert decided_event["after"]["operation_result"] == "captured"
    assert decided_event["public"] is False
    assert "谢谢，已确认是您本人。" in [m["text"] for m in detail["messages"]]


@pytest.mark.parametrize("result", ["suspicious", "failed"])
def test_a_suspicious_or_failed_call_cancels_the_held_payment(
    client: TestClient, rt: Runtime, result: str
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    zhang_id, li_id = user_id(client, zhang), user_id(client, li)
    hold_id = held_payment(rt, zhang_id, li_id, "8000.00")
    opened = open_for(client, agent, zhang_id, hold_id)
    schedule_call(client, agent, opened["id"])

    decided = outcome(client, agent, opened["id"], result)

    assert (decided["state"], decided["operation_result"]) == (result, "released")
    assert hold_status(rt, hold_id) == HoldStatus.RELEASED
    assert balances(rt, zhang_id) == (1000000, 0), "the money is free again"
    assert balances(rt, li_id) == (0, 0)
    notices = client.get("/api/v1/me/notifications", headers=zhang | ZH).json()
    assert "身份核验未通过" in [n["title"] for n in notices]
    again = outcome(client, agent, opened["id"], "verified")
    assert (again["status_code"], again["error"]["code"]) == (409, "verification_decided")


def test_verified_is_refused_before_any_check_or_call(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    opened = open_for(client, agent, user_id(client, zhang), None)
    refused = outcome(client, agent, opened["id"], "verified")
    assert (refused["status_code"], refused["error"]["code"]) == (409, "verification_unproven")
    suspicious = outcome(client, agent, opened["id"], "suspicious")
    assert (suspicious["state"], suspicious["operation_result"]) == ("suspicious", None)


def test_an_outcome_the_operation_cannot_take_changes_nothing(
    client: TestClient, rt: Runtime
) -> None:
    """The payment was already called off elsewhere: "verified" cannot capture it, so the
    verification stays pending and nothing is written."""
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    hold_id = held_payment(rt, user_id(client, zhang), user_id(client, li), "8000.00")
    opened = open_for(client, agent, user_id(client, zhang), hold_id)
    schedule_call(client, agent, opened["id"])
    with rt.db.uow() as uow:
        release_hold(rt, uow, hold_id=hold_id)
        uow.commit()

    refused = outcome(client, agent, opened["id"], "verified")

    assert (refused["status_code"], refused["error"]["code"]) == (409, "hold_not_pending")
    detail = client.get(f"/api/v1/staff/verifications/{opened['id']}", headers=agent.headers)
    assert detail.json()["state"] == "pending"
    assert "verification.decided" not in history_kinds(client, agent, opened["case_id"])


def test_an_operation_nobody_handles_cannot_be_linked(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    response = client.post(
        "/api/v1/staff/verifications",
        headers=agent.headers,
        json={
            "user_id": user_id(client, zhang),
            "reason": "amount_abnormality",
            "operation": {"kind": "limit_raise", "ref": "lim_1"},
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_operation"


def test_the_system_asking_twice_for_one_operation_opens_one_case(
    client: TestClient, rt: Runtime
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    zhang_id = user_id(client, zhang)
    hold_id = held_payment(rt, zhang_id, user_id(client, li), "8000.00")
    first = request_verification(
        rt,
        user_id=zhang_id,
        reason=Reason.LARGE_TRANSACTION,
        operation=OperationRef(PAYMENT, hold_id),
    )
    second = request_verification(
        rt,
        user_id=zhang_id,
        reason=Reason.LARGE_TRANSACTION,
        operation=OperationRef(PAYMENT, hold_id),
    )
    assert second.id == first.id and second.case_id == first.case_id
    assert len(client.get("/api/v1/cases", headers=zhang).json()) == 1


def test_customers_reach_only_their_own_verifications(client: TestClient, rt: Runtime) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    li = sign_up_and_in(client, LI_NA)
    agent = staff_member(client, rt, "Wang", "agent")
    opened = open_for(client, agent, user_id(client, zhang), None)
    assert [v["id"] for v in client.get("/api/v1/me/verifications", headers=zhang).json()] == [
        opened["id"]
    ]
    assert client.get("/api/v1/me/verifications", headers=li).json() == []
    stranger = client.post(
        f"/api/v1/me/verifications/{opened['id']}/challenge", headers=li, json={"code": "123456"}
    )
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "verification_not_found"
    staff_only = client.get(f"/api/v1/staff/verifications/{opened['id']}", headers=zhang)
    assert staff_only.status_code == 403


def test_a_call_window_can_be_shorter_and_ends_on_the_clock(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    agent = staff_member(client, rt, "Wang", "agent")
    opened = open_for(client, agent, user_id(client, zhang), None)
    response = client.post(
        f"/api/v1/staff/verifications/{opened['id']}/calls",
        headers=agent.headers,
        json={"minutes": 5},
    )
    assert response.status_code == 201, response.text
    clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert len(client.get("/api/v1/me/pending-contacts", headers=zhang).json()) == 1
    clock.advance(timedelta(seconds=1))
    assert client.get("/api/v1/me/pending-contacts", headers=zhang).json() == []
