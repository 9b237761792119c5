"""Screening on the PostgreSQL group-commit path: the batch's leader assesses every transfer
of the batch with one read; an approved one posts in the batch, which stores its decision and
history row with the money; a held, refused or fail-closed one leaves the batch without
posting and takes the one-transfer path with that same decision (assessed once, stored
once)."""

from __future__ import annotations

import pytest

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.risk.review_helpers import balance, books_ok
from tests.risk.test_screening_movements import decide, use_movement_rules
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.money import Money
from walletdesk.ledger.transfers import TransferResult, transfer
from walletdesk.risk.records import RuleSetVersion
from walletdesk.risk.screening import TransferDeclined
from walletdesk.runtime import Runtime


@pytest.fixture(autouse=True)
def _group_commit_only(rt: Runtime) -> None:
    if rt.transfer_batches is None:
        pytest.skip("group commit runs on PostgreSQL; SQLite posts one transfer at a time")


@pytest.fixture
def pair(rt: Runtime) -> tuple[Authenticated, Authenticated]:
    zhang = sign_in(rt, phone="13812345678", name="张明")
    li = sign_in(rt, phone="13987654321", name="李娜")
    fund(rt, zhang.user.id, "5000.00")
    return zhang, li


def send(rt: Runtime, payer: Authenticated, payee: Authenticated, amount: str) -> TransferResult:
    return transfer(
        rt, payer, to=payee.user.id, amount=Money.parse(amount, "CNY"), note="房租", locale="zh-CN"
    )


def batches(rt: Runtime) -> int:
    assert rt.transfer_batches is not None
    return rt.transfer_batches.batches


def test_an_approved_transfer_posts_in_a_batch_with_its_decision_and_history_row(
    rt: Runtime, pair: tuple[Authenticated, Authenticated]
) -> None:
    use_movement_rules(rt)
    zhang, li = pair
    before = batches(rt)
    result = send(rt, zhang, li, "88.00")
    assert result.status == "succeeded" and batches(rt) == before + 1
    assert balance(rt, li.user.id) == (8800, 0)
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_user(zhang.user.id)
        assert decision.action == "approve" and decision.counterparty_id == li.user.id
        assert uow.risk.count_events() == 1
    books_ok(rt)


def test_a_large_transfer_on_the_batch_path_is_held_and_moves_no_money(
    rt: Runtime, pair: tuple[Authenticated, Authenticated]
) -> None:
    use_movement_rules(rt)
    zhang, li = pair
    before = batches(rt)
    result = send(rt, zhang, li, "1000.00")
    assert result.status == "under_review" and result.expected_by is not None
    # Assessed in a batch, then held on the one-transfer path: the batch posted nothing.
    assert batches(rt) == before + 1
    assert balance(rt, zhang.user.id) == (400_000, 100_000)
    assert balance(rt, li.user.id) == (0, 0)
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_movement(result.id)  # stored once
        assert decision.action == "hold"
        assert uow.risk.count_events() == 0
    books_ok(rt)


@pytest.mark.parametrize(("label", "approve"), [("approved", True), ("declined", False)])
def test_a_transfer_held_on_the_batch_path_is_decided_and_the_books_balance(
    rt: Runtime, pair: tuple[Authenticated, Authenticated], label: str, approve: bool
) -> None:
    use_movement_rules(rt)
    zhang, li = pair
    send(rt, zhang, li, "1000.00")
    decide(rt, approve=approve)
    if approve:
        assert balance(rt, zhang.user.id) == (400_000, 0)
        assert balance(rt, li.user.id) == (100_000, 0)
    else:
        assert balance(rt, zhang.user.id) == (500_000, 0)
        assert balance(rt, li.user.id) == (0, 0)
    books_ok(rt)


def test_a_declined_transfer_on_the_batch_path_is_refused_with_one_decision(
    rt: Runtime, pair: tuple[Authenticated, Authenticated]
) -> None:
    use_movement_rules(rt)
    zhang, li = pair
    with pytest.raises(TransferDeclined):
        send(rt, zhang, li, "777.00")
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_user(zhang.user.id)
    assert decision.action == "decline"
    assert balance(rt, zhang.user.id) == (500_000, 0) and balance(rt, li.user.id) == (0, 0)


def test_the_batch_path_fails_closed_when_the_engine_breaks(
    rt: Runtime, pair: tuple[Authenticated, Authenticated]
) -> None:
    zhang, li = pair
    with rt.db.uow() as uow:  # a stored rule set the engine cannot compile: a real failure
        uow.risk.add_rule_set(
            RuleSetVersion(
                version=1,
                source="thresholds: [broken",
                sha256="f" * 64,
                rule_count=0,
                comment="written around the service",
                created_at=rt.clock.now(),
                created_by=None,
            )
        )
        uow.commit()
    result = send(rt, zhang, li, "12.00")
    assert result.status == "under_review"
    assert balance(rt, li.user.id) == (0, 0)
    assert balance(rt, zhang.user.id) == (498_800, 1_200)
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_movement(result.id)
    assert decision.failure == "error: RuleFileRefused"
    assert [hit.rule_id for hit in decision.hits] == ["engine_unavailable"]
    books_ok(rt)
