"""The review lists and who gets what: the second-approver inbox keeps closed cases with an
action waiting, "next case" never hands out a case the reviewer cannot act on, escalated
cases are decided by permission (`risk.review.escalated`), and the queue rows come from a
fixed number of queries however long the queue is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.ledger.actors import sign_in
from tests.ledger.funding import fund
from tests.risk.helpers import staff
from tests.risk.review_helpers import people, send, settings, use_review_rules
from walletdesk.errors import Forbidden
from walletdesk.identity.authentication import Authenticated
from walletdesk.ledger.money import Money
from walletdesk.risk import review, review_actions, review_rows, review_view
from walletdesk.risk.review_models import CaseStatus, ReviewCase
from walletdesk.runtime import Runtime

__all__ = ["settings"]


def open_case_of(rt: Runtime, user_id: str) -> ReviewCase:
    with rt.db.uow(read_only=True) as uow:
        case = uow.risk_review.cases.open_of_user(user_id)
    assert case is not None
    return case


@contextmanager
def counted_queries(rt: Runtime) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)


# The second-approver inbox -------------------------------------------------------------------


def test_an_unfreeze_asked_after_freeze_closed_the_case_waits_in_the_second_inbox(
    rt: Runtime,
) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    wang = staff(rt, "usr_wang_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None
    review_actions.decline_case(
        rt, liu, case.id, comment="疑似被骗", label="valuable_alert", freeze=True
    )
    assert review.awaiting_second(rt, wang) == []
    asked = review_actions.unfreeze_customer(rt, liu, case.id, comment="客户本人来电核实")
    assert not asked.done

    [waiting] = review.awaiting_second(rt, wang)
    assert waiting.id == case.id and waiting.status == CaseStatus.CLOSED
    assert waiting.pending_action == "unfreeze" and waiting.pending_by == liu.user.id
    assert case.id not in [c.id for c in review.open_cases(rt, wang)], "closed: not queued"
    [row] = review_rows.second_rows(rt, wang)
    assert row.case.id == case.id and row.customer == "张明" and not row.involved

    assert review_actions.unfreeze_customer(rt, wang, case.id, comment="复核通过").done
    assert review.awaiting_second(rt, wang) == []


def test_the_second_inbox_lists_a_four_eyes_approval_and_not_the_reviewers_own_wallet(
    rt: Runtime,
) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "6000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None
    review_actions.approve_case(rt, liu, case.id, comment="核实过", label="false_positive")
    assert [c.id for c in review.awaiting_second(rt, liu)] == [case.id], "the asker sees it too"
    zhang_as_reviewer = staff(rt, zhang.user.id, "risk_reviewer")
    assert review.awaiting_second(rt, zhang_as_reviewer) == []


# Next case -----------------------------------------------------------------------------------


def test_next_case_skips_a_case_where_the_reviewer_is_the_counterparty(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")  # the oldest case: 李娜 receives
    wang_fang = sign_in(rt, phone="13811110002", name="王芳")
    fund(rt, wang_fang.user.id, "5000.00")
    zhao = sign_in(rt, phone="13811110003", name="赵强")
    send(rt, wang_fang, zhao, "1000.00")
    li_as_reviewer = staff(rt, li.user.id, "risk_reviewer")

    taken = review.next_case(rt, li_as_reviewer)
    assert taken is not None and taken.user_id == wang_fang.user.id, "skipped, not stopped"
    assert review.next_case(rt, li_as_reviewer) is None
    rows = {row.case.user_id: row for row in review_rows.queue_rows(rt, li_as_reviewer)}
    mine = rows[zhang.user.id]
    assert mine.involved and not mine.may_decide
    assert (mine.customer, mine.customer_contact, mine.hits, mine.held) == ("", "", [], [])
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    other = review.next_case(rt, liu)
    assert other is not None and other.user_id == zhang.user.id


# Escalated cases -----------------------------------------------------------------------------


def escalated_case(rt: Runtime) -> tuple[ReviewCase, Authenticated]:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    case = review.next_case(rt, liu)
    assert case is not None
    review_actions.escalate_case(rt, liu, case.id, comment="金额大，请主管定夺")
    return case, liu


@pytest.mark.parametrize(
    ("label", "role", "decides"),
    [
        ("a supervisor decides", "supervisor", True),
        ("an admin decides (no supervisor role needed)", "admin", True),
        ("a reviewer does not", "risk_reviewer", False),
    ],
)
def test_an_escalated_case_is_decided_by_whoever_holds_the_permission(
    rt: Runtime, label: str, role: str, decides: bool
) -> None:
    case, _ = escalated_case(rt)
    person = staff(rt, f"usr_{role}", role)
    view = review_view.case_view(rt, person, case.id)
    assert view.may_decide is decides, label
    [row] = review_rows.queue_rows(rt, person)
    assert row.may_decide is decides, label
    if decides:
        done = review_actions.approve_case(
            rt, person, case.id, comment="核实无误", label="false_positive"
        )
        assert done.done
    else:
        with pytest.raises(Forbidden) as refused:
            review_actions.approve_case(
                rt, person, case.id, comment="核实无误", label="false_positive"
            )
        assert refused.value.code == "review_case_escalated"


def test_next_case_hands_an_escalated_case_only_to_someone_who_decides_it(rt: Runtime) -> None:
    case, liu = escalated_case(rt)
    assert review.next_case(rt, liu) is None
    assert review.next_case(rt, staff(rt, "usr_wang_shen", "risk_reviewer")) is None
    taken = review.next_case(rt, staff(rt, "usr_sun_zhu", "supervisor"))
    assert taken is not None and taken.id == case.id


# The queue rows ------------------------------------------------------------------------------


def test_a_queue_row_says_why_what_and_how_much_with_the_customer_masked(rt: Runtime) -> None:
    use_review_rules(rt)
    zhang, li = people(rt)
    send(rt, zhang, li, "1000.00")
    send(rt, zhang, li, "6000.00")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")
    [row] = review_rows.queue_rows(rt, liu)
    assert (row.customer, row.customer_contact) == ("张明", "138****5678")
    assert [hit.rule_id for hit in row.hits] == [
        "review_hold_from_1000",
        "review_four_eyes_above_5000",
    ]
    assert row.hits[0].reason("zh-CN") == "单笔 1000 元以上需审核"
    assert row.kinds == ["transfer"] and row.held == [Money(700_000, "CNY")]
    assert row.needs_two and row.may_decide and not row.involved and row.assignee == ""
    review.next_case(rt, liu)
    [row] = review_rows.queue_rows(rt, liu)
    assert row.assignee == "usr_liu_shen", "the reviewer's display name"


def test_the_queue_rows_take_the_same_few_queries_for_three_cases_or_nine(rt: Runtime) -> None:
    use_review_rules(rt)
    li = sign_in(rt, phone="13987654321", name="李娜")
    liu = staff(rt, "usr_liu_shen", "risk_reviewer")

    def add_cases(first: int, count: int) -> None:
        for number in range(first, first + count):
            payer = sign_in(rt, phone=f"138111100{number:02d}", name=f"付款人{number}")
            fund(rt, payer.user.id, "5000.00")
            send(rt, payer, li, "1000.00")

    add_cases(0, 3)
    with counted_queries(rt) as few:
        assert len(review_rows.queue_rows(rt, liu)) == 3
    add_cases(3, 6)
    with counted_queries(rt) as many:
        rows = review_rows.queue_rows(rt, liu)
    assert len(rows) == 9 and all(row.customer.startswith("付款人") for row in rows)
    assert len(many) == len(few) <= 6, many
