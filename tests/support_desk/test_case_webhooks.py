"""Outbound webhooks for case events (issue 5, item 15): an admin registers an endpoint and
gets its secret once; every case event then reaches each active endpoint that wants its kind,
queued in the event's own transaction and signed as merchant webhooks are. Only admins manage
endpoints. The receivers run on 127.0.0.1, so this runtime allows private addresses."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.merchants.helpers import webhook_receiver
from tests.support import ZHANG_MING, sign_up_and_in
from tests.support_desk.helpers import Staff, staff_member, start_chat
from walletdesk.clock import FrozenClock
from walletdesk.merchants.signing import verify_signature
from walletdesk.notify.outbox import BODY
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings
from walletdesk.storage.tables import outbox
from walletdesk.support import history
from walletdesk.support.case_webhooks import CHANNEL
from walletdesk.support.models import By


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True})


def register(client: TestClient, admin: Staff, url: str, kinds: list[str] | None = None) -> dict:
    response = client.post(
        "/api/v1/staff/webhooks", headers=admin.headers, json={"url": url, "kinds": kinds or []}
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()
    return body


def queued(rt: Runtime) -> list[dict]:
    """The case-webhook outbox rows, decrypted: what each endpoint is owed."""
    with rt.db.uow(read_only=True) as uow:
        rows = uow.connection.execute(select(outbox).where(outbox.c.channel == CHANNEL)).all()
    return [json.loads(rt.cipher.decrypt(row.body_enc, BODY)) for row in rows]


def case_events(rt: Runtime, case_id: str) -> list[history.CaseEvent]:
    with rt.db.uow(read_only=True) as uow:
        return uow.support.events.for_case(case_id)


def test_an_admin_registers_lists_and_disables_an_endpoint_and_others_are_refused(
    client: TestClient, rt: Runtime
) -> None:
    admin = staff_member(client, rt, "Li", "admin")
    agent = staff_member(client, rt, "Wang", "agent")
    zhang = sign_up_and_in(client, ZHANG_MING)
    created = register(client, admin, "https://crm.example.com/hooks", ["case.created"])
    assert created["secret"].startswith("whsec_")
    assert (created["active"], created["kinds"]) == (True, ["case.created"])
    listed = client.get("/api/v1/staff/webhooks", headers=admin.headers).json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    for outsider in (agent.headers, zhang):
        for response in (
            client.get("/api/v1/staff/webhooks", headers=outsider),
            client.post(
                "/api/v1/staff/webhooks",
                headers=outsider,
                json={"url": "https://evil.example.com/", "kinds": []},
            ),
            client.post(f"/api/v1/staff/webhooks/{created['id']}/disable", headers=outsider),
        ):
            assert response.status_code == 403, response.text
    assert client.post(
        "/api/v1/staff/webhooks", json={"url": "https://x.example/"}
    ).status_code in (
        401,
        403,
    )
    disabled = client.post(f"/api/v1/staff/webhooks/{created['id']}/disable", headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    missing = client.post("/api/v1/staff/webhooks/cwh_nothing/disable", headers=admin.headers)
    assert missing.status_code == 404
    bad = client.post(
        "/api/v1/staff/webhooks",
        headers=admin.headers,
        json={"url": "https://crm.example.com/", "kinds": ["Case Created!"]},
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_event_kinds")


def test_each_event_reaches_every_matching_active_endpoint_once_signed_with_its_secret(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    admin = staff_member(client, rt, "Li", "admin")
    zhang = sign_up_and_in(client, ZHANG_MING)
    with (
        webhook_receiver() as everything,
        webhook_receiver() as messages_only,
        webhook_receiver() as switched_off,
    ):
        all_kinds = register(client, admin, everything.url)
        filtered = register(client, admin, messages_only.url, ["message.added"])
        off = register(client, admin, switched_off.url)
        assert (
            client.post(f"/api/v1/staff/webhooks/{off['id']}/disable", headers=admin.headers)
        ).status_code == 200
        case_id = start_chat(client, zhang, "我的提现三天了还没到账")["case"]["id"]

    events = case_events(rt, case_id)
    assert {e.kind for e in events} >= {"case.created", "message.added"}
    got = [hook.event for hook in everything.received]
    assert sorted(h["data"]["event_id"] for h in got) == sorted(e.id for e in events)
    assert len({h["id"] for h in got}) == len(got), "one delivery id per event"
    wanted = sum(e.kind == "message.added" for e in events)
    assert [x.event["type"] for x in messages_only.received] == ["message.added"] * wanted
    assert wanted >= 1
    assert switched_off.received == []
    assert len(queued(rt)) == len(got) + len(messages_only.received)

    now = clock.now().timestamp()
    for hook in everything.received:
        timestamp = hook.headers["X-Walletdesk-Timestamp"]
        signature = hook.headers["X-Walletdesk-Signature"]
        assert hook.headers["X-Walletdesk-Delivery"] == hook.event["id"]
        assert verify_signature(all_kinds["secret"], timestamp, hook.body, signature, now=now)
        assert not verify_signature(filtered["secret"], timestamp, hook.body, signature)
    created = next(h for h in got if h["type"] == "case.created")
    assert created["data"]["case_id"] == case_id


def test_a_rolled_back_change_queues_nothing_and_a_committed_one_exactly_one_row(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang = sign_up_and_in(client, ZHANG_MING)
    case_id = start_chat(client, zhang, "转账被冻结了")["case"]["id"]
    admin = staff_member(client, rt, "Li", "admin")
    with webhook_receiver(failures=10) as hooks:
        register(client, admin, hooks.url, ["case.priority_changed"])
        with rt.db.uow() as uow:
            case = uow.support.cases.get(case_id, for_update=True)
            assert case is not None
            history.priority_changed(rt, uow, case, By.system(), clock.now(), "normal", None)
            inside = uow.connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.channel == CHANNEL)
            ).scalar_one()
            assert inside == 1, "queued in the event's own transaction"
            # leaving without commit rolls the event and its webhook back together
        assert queued(rt) == []
        with rt.db.uow() as uow:
            case = uow.support.cases.get(case_id, for_update=True)
            assert case is not None
            history.priority_changed(rt, uow, case, By.system(), clock.now(), "normal", None)
            uow.commit()
    [row] = queued(rt)
    assert row["event"]["type"] == "case.priority_changed"


def test_a_failed_delivery_is_retried_with_the_same_id_and_a_fresh_signature(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    admin = staff_member(client, rt, "Li", "admin")
    zhang = sign_up_and_in(client, ZHANG_MING)
    with webhook_receiver(failures=1) as hooks:
        endpoint = register(client, admin, hooks.url, ["case.created"])
        start_chat(client, zhang, "银行卡绑定失败")
        assert len(hooks.received) == 1  # the first attempt, answered 503
        rt.dispatcher.deliver()
        assert len(hooks.received) == 1, "backing off: not due yet"
        clock.advance(timedelta(seconds=6))
        rt.dispatcher.deliver()
        assert rt.dispatcher.deliver() == 0, "delivered once it succeeded; never again"
    first, second = hooks.received
    assert first.headers["X-Walletdesk-Delivery"] == second.headers["X-Walletdesk-Delivery"]
    assert first.body == second.body
    assert first.headers["X-Walletdesk-Timestamp"] != second.headers["X-Walletdesk-Timestamp"]
    for attempt in (first, second):
        assert verify_signature(
            endpoint["secret"],
            attempt.headers["X-Walletdesk-Timestamp"],
            attempt.body,
            attempt.headers["X-Walletdesk-Signature"],
        )


def test_a_delivery_queued_before_its_endpoint_was_disabled_is_dropped(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    admin = staff_member(client, rt, "Li", "admin")
    zhang = sign_up_and_in(client, ZHANG_MING)
    with webhook_receiver(failures=1) as hooks:
        endpoint = register(client, admin, hooks.url, ["case.created"])
        start_chat(client, zhang, "银行卡绑定失败")
        assert len(hooks.received) == 1  # refused once; the retry is pending
        client.post(f"/api/v1/staff/webhooks/{endpoint['id']}/disable", headers=admin.headers)
        clock.advance(timedelta(seconds=6))
        rt.dispatcher.deliver()
    assert len(hooks.received) == 1, "nothing more after it was disabled"
