"""Screening P2P transfers: held transfers move no money until a reviewer decides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.risk.helpers import staff
from tests.risk.review_helpers import (
    balance,
    books_ok,
    people,
    send,
    settings,
    templates_to,
    use_review_rules,
)
from walletdesk.clock import FrozenClock
from walletdesk.errors import Conflict, Forbidden, ValidationFailed
from walletdesk.risk import held_transfers, review, review_actions, review_view
from walletdesk.risk.screening import TransferDeclined
from walletdesk.runtime import Runtime
from walletdesk.support.sweeper import sweep_once

__all__ = ["settings"]


def test_a_small_transfer_posts_at_once_and_is_recorded_for_the_engine(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    result = send(rt, zhang, li, "88.00")
    assert result.status == "succeeded"
    assert balance(rt, li.user.id) == (8800, 0)
    with rt.db.uow(read_only=True) as uow:
        assert uow.risk.count_events() == 1
    books_ok(rt)


def test_a_held_transfer_moves_no_money_to_the_receiver(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    result = send(rt, zhang, li, "1000.00")
    assert result.status == "under_review" and result.expected_by is not None
    assert balance(rt, zhang.user.id) == (1_900_000, 100_000)
    assert balance(rt, li.user.id) == (0, 0)
    [held] = held_transfers.held_transfers_of(rt, zhang)
    assert held.id == result.id and held.status == "under_review"
    books_ok(rt)


def test_a_declined_transfer_is_refused_and_its_decision_kept(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    with pytest.raises(TransferDeclined):
        send(rt, zhang, li, "777.00")
    with rt.db.uow(read_only=True) as uow:
        [decision] = uow.risk.decisions_of_user(zhang.user.id)
    assert decision.action == "decline"
    assert balance(rt, zhang.user.id) == (2_000_000, 0)


def test_reviewer_approval_posts_one_entry_and_conserves_totals(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None and case.assigned_to == "usr_liu_shen"
    view = review_view.case_view(rt, liu, case.id)
    assert [h.rule_id for h in view.decisions[0].hits] == ["review_hold_from_1000"]
    assert view.decisions[0].hits[0].reason("zh-CN") == "单笔 1000 元以上需审核"
    done = review_actions.approve_case(rt, liu, case.id, comment="熟人转账", label="false_positive")
    assert done.done and len(done.entry_ids) == 1
    assert balance(rt, zhang.user.id) == (1_900_000, 0)
    assert balance(rt, li.user.id) == (100_000, 0)
    books_ok(rt)


def test_reviewer_decline_releases_the_money_and_conserves_totals(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None
    with pytest.raises(ValidationFailed):
        review_actions.decline_case(rt, liu, case.id, comment="  ", label="valuable_alert")
    review_actions.decline_case(rt, liu, case.id, comment="疑似诈骗", label="valuable_alert")
    assert balance(rt, zhang.user.id) == (2_000_000, 0)
    assert balance(rt, li.user.id) == (0, 0)
    books_ok(rt)


def test_the_payer_may_cancel_a_held_transfer(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    result = send(rt, zhang, li, "1000.00")
    held_transfers.cancel_held(rt, zhang, result.id)
    assert balance(rt, zhang.user.id) == (2_000_000, 0)
    assert held_transfers.held_transfers_of(rt, zhang) == []
    with pytest.raises(Conflict):
        held_transfers.cancel_held(rt, zhang, result.id)
    books_ok(rt)


def test_the_sweep_declines_at_the_final_timeout_never_a_second_before(
    rt: Runtime, clock: FrozenClock
) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    clock.advance(timedelta(hours=rt.settings.risk_review_timeout_hours) - timedelta(seconds=1))
    assert held_transfers.risk_review_sweep(rt) == 0
    assert balance(rt, zhang.user.id) == (1_900_000, 100_000)
    clock.advance(timedelta(seconds=1))
    assert held_transfers.risk_review_sweep(rt) == 1
    assert balance(rt, zhang.user.id) == (2_000_000, 0)
    assert balance(rt, li.user.id) == (0, 0)
    [held] = held_transfers.held_transfers_of(rt, zhang, pending_only=False)
    assert held.status == "timed_out"
    assert "risk.transfer_declined" in templates_to(rt, zhang.user.id)
    books_ok(rt)


def test_the_running_server_sweeps_held_movements_past_their_timeout(
    rt: Runtime, clock: FrozenClock
) -> None:
    """The server's periodic sweep (support.sweeper) includes the review timeout, so a held
    transfer nobody decided is declined and released without anyone running a command."""
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    clock.advance(timedelta(hours=rt.settings.risk_review_timeout_hours))
    sweep_once(rt)
    assert balance(rt, zhang.user.id) == (2_000_000, 0)
    [held] = held_transfers.held_transfers_of(rt, zhang, pending_only=False)
    assert held.status == "timed_out"
    books_ok(rt)


def test_four_eyes_needs_a_second_different_approver(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "6000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    wang = staff(rt, "usr_wang_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None
    first = review_actions.approve_case(rt, liu, case.id, comment="核实过", label="false_positive")
    assert not first.done and balance(rt, li.user.id) == (0, 0)
    with pytest.raises(Forbidden) as refused:
        review_actions.approve_case(rt, liu, case.id, comment="再批", label="false_positive")
    assert refused.value.code == "second_approver_must_differ"
    second = review_actions.approve_case(rt, wang, case.id, comment="同意", label="false_positive")
    assert second.done and balance(rt, li.user.id) == (600_000, 0)
    books_ok(rt)


def test_no_one_reviews_a_case_about_their_own_account(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    li_as_reviewer = staff(rt, li.user.id, "risk_reviewer")
    with rt.db.uow(read_only=True) as uow:
        case = uow.risk_review.cases.open_of_user(zhang.user.id)
    assert case is not None
    with pytest.raises(Forbidden) as refused:
        review_actions.approve_case(
            rt, li_as_reviewer, case.id, comment="ok", label="false_positive"
        )
    assert refused.value.code == "own_review_case"
    zhang_as_reviewer = staff(rt, zhang.user.id, "risk_reviewer")
    assert review.next_case(rt, zhang_as_reviewer) is None


def test_new_alerts_join_the_customers_one_open_case(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    send(rt, zhang, li, "1200.00")
    with rt.db.uow(read_only=True) as uow:
        cases = uow.risk_review.cases.of_user(zhang.user.id)
        assert len(cases) == 1
        assert len(uow.risk_review.alerts.of_case(cases[0].id)) == 2


def test_a_freeze_rule_freezes_the_payer_holds_the_money_and_notifies(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    result = send(rt, zhang, li, "9000.00")
    assert result.status == "under_review"
    with rt.db.uow(read_only=True) as uow:
        payer = uow.users.get(zhang.user.id)
        assert payer is not None and payer.is_frozen
    assert "wallet.frozen" in templates_to(rt, zhang.user.id)
    assert balance(rt, li.user.id) == (0, 0)
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    wang = staff(rt, "usr_wang_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None and case.auto_frozen
    with pytest.raises(Conflict):
        review_actions.approve_case(rt, liu, case.id, comment="ok", label="false_positive")
    assert not review_actions.unfreeze_customer(rt, liu, case.id, comment="客户本人").done
    with pytest.raises(Forbidden):
        review_actions.unfreeze_customer(rt, liu, case.id, comment="再来")
    assert review_actions.unfreeze_customer(rt, wang, case.id, comment="同意解冻").done
    books_ok(rt)
