"""Each kind of case action, end to end: freezing at once, unfreezing and unlocking after
approval, waiving a withdrawal fee, releasing a hold, raising a limit for some days and
reversing a transfer, each exactly once through the ledger or identity services."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.banking.cards import ICBC_DEBIT, bank, bind
from tests.banking.money import withdraw
from tests.ledger.funding import fund, user_id_of
from tests.merchants.helpers import new_order, open_shop, pay
from tests.support import LI_NA, ZHANG_MING, sign_up_and_in
from tests.support_desk.agent_tools_helpers import (
    decide,
    history_kinds,
    propose,
    signed_up_with_case,
    staff,
    wallet_cny,
)
from walletdesk.clock import FrozenClock
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import place_hold
from walletdesk.ledger.money import Money
from walletdesk.runtime import Runtime

SECOND = timedelta(seconds=1)


def test_an_agent_freezes_a_wallet_at_once_and_unfreezing_waits_for_a_second_person(
    client: TestClient, rt: Runtime
) -> None:
    li, case_id = signed_up_with_case(client, LI_NA, "手机丢了，怕被盗刷")
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")

    frozen = propose(client, wang, case_id, kind="freeze", reason="客户手机丢失，先冻结")
    assert frozen["status"] == "executed" and frozen["needs_approval"] is False
    assert frozen["result"] == {"was_frozen": False}
    assert client.get("/api/v1/me", headers=li).json()["frozen"] is True

    unfreeze = propose(client, wang, case_id, kind="unfreeze", reason="客户已补办手机卡并核实身份")
    assert unfreeze["status"] == "pending"
    assert client.get("/api/v1/me", headers=li).json()["frozen"] is True
    status, done = decide(client, zhou, unfreeze["id"])
    assert status == 200 and done["status"] == "executed" and done["result"] == {"was_frozen": True}
    assert client.get("/api/v1/me", headers=li).json()["frozen"] is False
    kinds = history_kinds(client, wang, case_id)
    assert kinds.count("action.executed") == 2
    again = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "unfreeze", "reason": "再解冻一次"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_frozen"


def test_a_locked_login_is_unlocked_after_approval_and_the_owner_is_told(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "密码输错被锁了")
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": "wrong 1"})
    locked = client.post(
        "/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": ZHANG_MING.password}
    )
    assert locked.status_code == 423
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    panel = client.get(f"/api/v1/staff/cases/{case_id}/customer", headers=wang.headers).json()
    assert panel["customer"]["locked_until"] is not None

    proposed = propose(client, wang, case_id, kind="unlock", reason="已电话核实为本人")
    status, done = decide(client, sun, proposed["id"])
    assert status == 200 and done["result"] == {"was_locked": True}
    unlocked = client.post(
        "/api/v1/auth/login", json={"login": ZHANG_MING.login, "password": ZHANG_MING.password}
    )
    assert unlocked.status_code == 200
    notices = client.get("/api/v1/me/notifications", headers=zhang).json()
    assert "您的账户已解锁" in [n["title"] for n in notices]


def test_a_withdrawal_fee_is_waived_once_from_fee_revenue(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "提现手续费为什么收了")
    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    fund(rt, user_id_of(rt, "张明"), "900.00")
    clock.advance(timedelta(minutes=5))
    for key in ("free-1", "free-2"):
        withdraw(client, zhang, card_id, "100.00", key)
    status, paid = withdraw(client, zhang, card_id, "300.00", "with-fee")
    assert status == 201 and paid["fee"]["amount"] == "0.30" and paid["entry_id"]
    assert wallet_cny(client, zhang)["available"] == "399.70"
    wang = staff(client, rt, "wang", "小王", "agent")

    waived = propose(
        client,
        wang,
        case_id,
        kind="waive_fee",
        reason="首次超额提现，给予减免",
        target_id=paid["entry_id"],
        transaction_ids=[paid["entry_id"]],
    )
    assert waived["status"] == "executed", waived["failure_code"]
    assert waived["amount"]["amount"] == "0.30"
    assert wallet_cny(client, zhang)["available"] == "400.00"
    with rt.db.uow(read_only=True) as uow:
        revenue = uow.accounts.get_by_code("platform:fee_revenue:CNY")
        assert revenue is not None and revenue.posted == 0
        assert uow.journal.unbalanced_entries() == []
    twice = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "waive_fee", "reason": "再减免一次", "target_id": paid["entry_id"]},
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "fee_already_waived"
    free = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "waive_fee", "reason": "这笔没有手续费", "target_id": "ent_nosuchentry0000"},
    )
    assert free.status_code == 404


def test_a_review_hold_is_released_after_approval_but_a_banks_hold_never(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "钱被冻结了一部分")
    zhang_id = user_id_of(rt, "张明")
    fund(rt, zhang_id, "500.00")
    with rt.db.uow() as uow:
        wallet = wallet_account(rt, uow, zhang_id, "CNY")
        hold = place_hold(
            rt,
            uow,
            account_id=wallet.id,
            amount=Money(200_00, "CNY"),
            purpose="risk_review",
            ttl=timedelta(days=3),
        )
        uow.commit()
    assert wallet_cny(client, zhang)["held"] == "200.00"
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")

    proposed = propose(
        client, wang, case_id, kind="release_hold", reason="已核实为本人交易", target_id=hold.id
    )
    assert proposed["status"] == "pending"
    status, done = decide(client, zhou, proposed["id"])
    assert status == 200 and done["result"] == {"hold_id": hold.id, "status": "released"}
    assert wallet_cny(client, zhang) == {
        "currency": "CNY",
        "available": "500.00",
        "held": "0.00",
        "total": "500.00",
    }

    card_id = bind(client, rt, zhang, ZHANG_MING, ICBC_DEBIT)
    clock.advance(timedelta(minutes=5))
    bank(rt).latency = timedelta(seconds=30)
    _status, processing = withdraw(client, zhang, card_id, "100.00", "slow")
    assert processing["status"] == "processing"
    with rt.db.uow(read_only=True) as uow:
        bank_hold = uow.agent_tools.reads.holds_of([wallet.id], limit=1)[0]
    refused = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "release_hold", "reason": "客户要求取消", "target_id": bank_hold.id},
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "hold_with_bank"


def test_a_raised_limit_lets_a_larger_payment_through_until_it_runs_out(
    client: TestClient, rt: Runtime, clock: FrozenClock
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "想买电脑但限额不够")
    fund(rt, user_id_of(rt, "张明"), "5000.00")
    shop = open_shop(rt, name="京东 JD")
    first = new_order(client, shop, amount="800.00", order_no="JD-1")
    status, body = pay(client, zhang, first["id"], "jd-1")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")

    proposed = propose(
        client,
        wang,
        case_id,
        kind="raise_limit",
        reason="客户已提交收入证明，临时提额一周",
        limits={"per_transaction": "2000.00", "per_day": "5000.00", "per_year": "20000.00"},
        days=7,
    )
    assert proposed["status"] == "pending"
    status, done = decide(client, sun, proposed["id"])
    assert status == 200 and done["result"]["per_transaction"] == "2000.00"
    status, body = pay(client, zhang, first["id"], "jd-2")
    assert status == 201, body
    panel = client.get(f"/api/v1/staff/cases/{case_id}/customer", headers=wang.headers).json()
    assert panel["limits"]["per_transaction"]["amount"] == "2000.00"
    assert panel["limits"]["raised_until"] is not None

    clock.advance(timedelta(days=7) - SECOND)
    second = new_order(client, shop, amount="600.00", order_no="JD-2")
    assert pay(client, zhang, second["id"], "jd-3")[0] == 201, "the last second of the raise"
    clock.advance(SECOND)
    third = new_order(client, shop, amount="600.00", order_no="JD-3")
    status, body = pay(client, zhang, third["id"], "jd-4")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"

    too_high = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={
            "kind": "raise_limit",
            "reason": "提额",
            "limits": {"per_transaction": "100.00", "per_day": "5000.00", "per_year": "9000.00"},
            "days": 7,
        },
    )
    assert too_high.status_code == 422, "a lower per-payment limit is no raise"


def test_a_transfer_is_reversed_once_and_a_second_reversal_is_refused(
    client: TestClient, rt: Runtime
) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "转错人了")
    li = sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    sent = client.post(
        "/api/v1/transfers",
        headers=zhang | {"Idempotency-Key": "rent-share"},
        json={"to": LI_NA.phone, "amount": "120.00", "currency": "CNY", "note": "房租"},
    )
    assert sent.status_code == 201, sent.text
    entry_id = sent.json()["id"]
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")

    proposed = propose(
        client,
        wang,
        case_id,
        kind="reverse",
        reason="收款人同意退回误转款项",
        target_id=entry_id,
        transaction_ids=[entry_id],
    )
    assert proposed["amount"]["amount"] == "120.00"
    status, done = decide(client, zhou, proposed["id"])
    assert status == 200 and done["status"] == "executed"
    assert wallet_cny(client, zhang)["available"] == "500.00"
    assert wallet_cny(client, li)["available"] == "0.00"
    with rt.db.uow(read_only=True) as uow:
        reversal = uow.journal.reversal_of(entry_id)
        assert reversal is not None and reversal.id == done["result"]["entry_id"]
        assert reversal.actor_id == zhou.user_id

    again = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "reverse", "reason": "再冲正", "target_id": entry_id},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reversed"
    someone_elses = client.post(
        f"/api/v1/staff/cases/{case_id}/actions",
        headers=wang.headers,
        json={"kind": "reverse", "reason": "冲正", "target_id": done["result"]["entry_id"]},
    )
    assert someone_elses.status_code == 422, "a reversal cannot be reversed"


def test_a_failed_execution_is_recorded_and_moves_nothing(client: TestClient, rt: Runtime) -> None:
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "转错人了")
    li = sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "500.00")
    sent = client.post(
        "/api/v1/transfers",
        headers=zhang | {"Idempotency-Key": "gift"},
        json={"to": LI_NA.phone, "amount": "300.00", "currency": "CNY"},
    )
    entry_id = sent.json()["id"]
    wang = staff(client, rt, "wang", "小王", "agent")
    zhou = staff(client, rt, "zhou", "老周", "senior_agent")
    proposed = propose(client, wang, case_id, kind="reverse", reason="误转", target_id=entry_id)
    order = new_order(client, open_shop(rt), amount="250.00", order_no="LI-1")
    assert pay(client, li, order["id"], "li-spends")[0] == 201  # 李娜 spent most of it

    status, done = decide(client, zhou, proposed["id"])
    assert status == 200
    assert done["status"] == "failed" and done["failure_code"] == "insufficient_funds"
    assert wallet_cny(client, li)["available"] == "50.00"
    assert history_kinds(client, wang, case_id)[-1] == "action.failed"


def test_a_raised_limit_also_lets_a_larger_transfer_through(
    client: TestClient, rt: Runtime
) -> None:
    """P2P transfers read the raise too (on PostgreSQL the group-commit engine gets the
    lifted caps from the batch's one look-up of raises)."""
    zhang, case_id = signed_up_with_case(client, ZHANG_MING, "要给家里转一笔钱")
    sign_up_and_in(client, LI_NA)
    fund(rt, user_id_of(rt, "张明"), "5000.00")

    def transfer(key: str) -> tuple[int, dict[str, object]]:
        response = client.post(
            "/api/v1/transfers",
            headers=zhang | {"Idempotency-Key": key},
            json={"to": LI_NA.phone, "amount": "800.00"},
        )
        return response.status_code, response.json()

    status, body = transfer("home-1")
    assert status == 409 and body["error"]["code"] == "limit_exceeded"  # over ¥500 a payment
    wang = staff(client, rt, "wang", "小王", "agent")
    sun = staff(client, rt, "sun", "孙敏", "supervisor")
    proposed = propose(
        client,
        wang,
        case_id,
        kind="raise_limit",
        reason="客户已完成视频核验，临时提额",
        limits={"per_transaction": "2000.00", "per_day": "5000.00", "per_year": "20000.00"},
        days=7,
    )
    assert decide(client, sun, proposed["id"])[0] == 200
    status, body = transfer("home-2")
    assert status == 201, body
