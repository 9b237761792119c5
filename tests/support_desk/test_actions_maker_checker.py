"""Case actions under maker-checker, through the API: a second person approves above the
threshold, never the proposer; the action runs exactly once, however often (and however
concurrently) it is approved; the outcome lands in the case history."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support import LI_NA, ZHANG_MING
from tests.support_desk.agent_tools_helpers import (
    decide,
    history_kinds,
    paid_order,
    propose,
    signed_up_with_case,
    staff,
    wallet_cny,
)
from walletdesk.clock import FrozenClock
from walletdesk.errors import DomainError
from walletdesk.ledger.money import Money
from walletdesk.merchants import refunds
from walletdesk.merchants.store import store
from walletdesk.runtime import Runtime
from walletdesk.support import actions
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.actions_execute import STALE_AFTER
from walletdesk.support.sweeper import sweep_once


def refunds_of(rt: Runtime, payment_id: str) -> list:
    with rt.db.uow(read_only=True) as uow:
        return store(uow).refunds.for_payment(payment_id)


def test_a_refund_is_refused_to_its_proposer_and_runs_once_when_another_approves_it_twice(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "喜茶扣了我两次钱")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    assert wallet_cny(client, zhang)["available"] == "200.00"
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")

    proposed = propose(
        client,
        zhou,
        case_id,
        kind="refund",
        reason="商户确认重复扣款，同意全额退款",
        target_id=payment_id,
        amount="300.00",
        transaction_ids=[payment_id],
    )
    assert proposed["status"] == "pending" and proposed["needs_approval"] is True
    assert proposed["amount"] == {"amount": "300.00", "currency": "CNY"}
    assert proposed["idempotency_key"] == f"case:{case_id}:{proposed['id']}"

    status, own = decide(client, zhou, proposed["id"])
    assert status == 403 and own["error"]["code"] == "own_proposal"
    assert wallet_cny(client, zhang)["available"] == "200.00"

    first_status, first = decide(client, sun, proposed["id"])
    second_status, second = decide(client, sun, proposed["id"])
    assert (first_status, second_status) == (200, 200)
    assert first["status"] == second["status"] == "executed"
    assert first["decided_by"] == sun.user_id
    assert first["result"]["refund_id"] == second["result"]["refund_id"]

    [refund] = refunds_of(rt, payment_id)
    assert refund.amount == 300_00 and refund.out_request_no == proposed["idempotency_key"]
    assert wallet_cny(client, zhang)["available"] == "500.00"
    kinds = history_kinds(client, sun, case_id)
    assert kinds[-3:] == ["action.proposed", "action.approved", "action.executed"]
    customer_view = client.get(f"/api/v1/cases/{case_id}", headers=zhang).json()
    assert not any(e["kind"].startswith("action.") for e in customer_view["timeline"])


def test_an_agent_without_approval_rights_cannot_approve_a_colleagues_refund(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "喜茶扣了我两次钱")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    chen = staff(client, rt, "chen", "小陈", "agent")
    proposed = propose(
        client, wang, case_id, kind="refund", reason="重复扣款", target_id=payment_id
    )
    status, body = decide(client, chen, proposed["id"])
    assert status == 403 and body["error"]["code"] == "forbidden"
    inbox = client.get("/api/v1/staff/approvals", headers=chen.headers)
    assert inbox.status_code == 403


def test_a_small_refund_runs_at_once_on_the_agents_word(client: TestClient, rt: Runtime) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "奶茶少了一杯")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "36.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    done = propose(
        client, wang, case_id, kind="refund", reason="门店少做一杯", target_id=payment_id
    )
    assert done["needs_approval"] is False and done["status"] == "executed"
    assert done["amount"]["amount"] == "36.00" and done["decided_by"] is None
    assert wallet_cny(client, zhang)["available"] == "500.00"


def test_a_refund_at_exactly_the_threshold_runs_alone_and_a_fen_more_waits(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "退款")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    at = propose(
        client,
        wang,
        case_id,
        kind="refund",
        reason="部分退款",
        target_id=payment_id,
        amount="200.00",
    )
    assert at["status"] == "executed"
    above = propose(
        client,
        wang,
        case_id,
        kind="refund",
        reason="再退一点",
        target_id=payment_id,
        amount="0.01",
    )
    assert above["status"] == "executed", "¥0.01 is below the threshold on its own"
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    changed = client.put(
        "/api/v1/admin/case-action-policies/refund",
        headers=sun.headers,
        json={"approval_above": "0.00"},
    )
    assert changed.status_code == 200 and changed.json()["approval_above"]["amount"] == "0.00"
    waits = propose(
        client,
        wang,
        case_id,
        kind="refund",
        reason="再退一分",
        target_id=payment_id,
        amount="0.01",
    )
    assert waits["status"] == "pending"
    refused = client.put(
        "/api/v1/admin/case-action-policies/refund",
        headers=wang.headers,
        json={"approval_above": None},
    )
    assert refused.status_code == 403


def test_a_rejected_proposal_never_runs_and_cannot_be_approved_afterwards(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "退款")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    proposed = propose(client, wang, case_id, kind="refund", reason="退款", target_id=payment_id)
    rejected = client.post(
        f"/api/v1/staff/actions/{proposed['id']}/reject",
        headers=sun.headers,
        json={"reason": "商户已经在处理退款"},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    status, late = decide(client, sun, proposed["id"])
    assert status == 409 and late["error"]["code"] == "action_already_decided"
    assert refunds_of(rt, payment_id) == []
    assert history_kinds(client, sun, case_id)[-1] == "action.rejected"


def test_the_proposer_can_cancel_a_waiting_proposal_and_nobody_else_can(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "退款")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    chen = staff(client, rt, "chen", "小陈", "agent")
    proposed = propose(client, wang, case_id, kind="refund", reason="退款", target_id=payment_id)
    status, body = decide(client, chen, proposed["id"], "cancel")
    assert status == 403 and body["error"]["code"] == "not_your_proposal"
    status, body = decide(client, wang, proposed["id"], "cancel")
    assert status == 200 and body["status"] == "cancelled"


def test_the_approvals_inbox_lists_what_waits_oldest_first_and_marks_ones_own(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, zhang_case = signed_up_with_case(client, ZHANG_MING, "退款")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    li, li_case = signed_up_with_case(client, LI_NA, "钱包被冻结了")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    propose(client, zhou, li_case, kind="freeze", reason="客户称手机丢失")
    clock.advance(timedelta(seconds=1))
    unfreeze = propose(client, zhou, li_case, kind="unfreeze", reason="客户已找回手机并核实身份")
    clock.advance(timedelta(seconds=1))
    refund = propose(client, sun, zhang_case, kind="refund", reason="退款", target_id=payment_id)

    inbox = client.get("/api/v1/staff/approvals", headers=zhou.headers)
    assert inbox.status_code == 200
    items = inbox.json()["items"]
    assert [i["id"] for i in items] == [unfreeze["id"], refund["id"]]
    assert [i["mine"] for i in items] == [True, False]
    assert items[1]["case_subject"] == "退款" and items[1]["proposer_name"] == "孙敏"


def test_two_approvals_at_the_same_moment_refund_once(client: TestClient, rt: Runtime) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "喜茶扣了我两次钱")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    approvers = [
        staff(client, rt, "zhou", "老周", "senior_agent"),
        staff(client, rt, "sun", "孙敏", "supervisor"),
    ]
    proposed = propose(
        client, wang, case_id, kind="refund", reason="重复扣款", target_id=payment_id
    )
    count = 8
    start = threading.Barrier(count)

    def approve(index: int) -> str:
        approver = approvers[index % 2]
        actor = SupportActor(ActorKind.AGENT, approver.user_id, roles=frozenset({"senior_agent"}))
        start.wait()
        try:
            return actions.approve(rt, actor, proposed["id"]).status
        except DomainError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=count) as pool:
        outcomes = Counter(pool.map(approve, range(count)))

    assert set(outcomes) <= {"executed", "executing"}
    [refund] = refunds_of(rt, payment_id)
    assert refund.amount == 300_00
    assert wallet_cny(client, zhang)["available"] == "500.00"
    final = client.get(f"/api/v1/staff/actions/{proposed['id']}", headers=wang.headers).json()
    assert final["status"] == "executed"
    kinds = history_kinds(client, wang, case_id)
    assert kinds.count("action.approved") == 1 and kinds.count("action.executed") == 1
    with rt.db.uow(read_only=True) as uow:
        assert uow.journal.unbalanced_entries() == []


def test_an_approval_whose_process_died_mid_refund_is_finished_by_the_sweep_without_refunding_twice(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "喜茶扣了我两次钱")
    payment_id = paid_order(client, rt, zhang, ZHANG_MING, "300.00")
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    proposed = propose(
        client, wang, case_id, kind="refund", reason="重复扣款", target_id=payment_id
    )
    # What a process that died after the approval committed and the refund posted left behind:
    with rt.db.uow() as uow:
        stuck = uow.agent_tools.proposals.get(proposed["id"], for_update=True)
        assert stuck is not None
        stuck.decided_by = sun.user_id
        stuck.start(clock.now())
        uow.agent_tools.proposals.save(stuck)
        uow.commit()
    with rt.db.uow(read_only=True) as uow:
        shop = store(uow).merchants.get(str(stuck.parameters["merchant_id"]))
    assert shop is not None
    first = refunds.refund(
        rt,
        shop,
        payment_id,
        amount=Money(300_00, "CNY"),
        out_request_no=stuck.idempotency_key,
        locale="zh-CN",
    )

    clock.advance(STALE_AFTER)
    sweep_once(rt)
    waiting = client.get(f"/api/v1/staff/actions/{proposed['id']}", headers=wang.headers).json()
    assert waiting["status"] == "executing", "not stale yet: it may still be running"
    clock.advance(timedelta(seconds=1))
    sweep_once(rt)

    done = client.get(f"/api/v1/staff/actions/{proposed['id']}", headers=wang.headers).json()
    assert done["status"] == "executed"
    assert done["result"]["refund_id"] == first.refund.id
    assert [r.id for r in refunds_of(rt, payment_id)] == [first.refund.id]
    assert wallet_cny(client, zhang)["available"] == "500.00"
    assert history_kinds(client, wang, case_id)[-1] == "action.executed"
