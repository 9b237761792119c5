"""The case model on its own: allowed moves between status categories, the reopen window,
assurance levels that only go up, and an SLA target's clock."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support_desk.helpers import beijing
from walletdesk.errors import Conflict
from walletdesk.support.holidays import build_calendars, shipped_years
from walletdesk.support.models import Assurance, Case, Identity
from walletdesk.support.sla import (
    DEFAULT_POLICIES,
    SlaPolicy,
    SlaTarget,
    TargetState,
    choose_policy,
)
from walletdesk.support.statuses import ALLOWED_MOVES, SLA_CLOCK_RUNS, Category, Status

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BUSINESS = build_calendars(shipped_years()).get("business")


def a_case(category: Category = Category.NEW) -> Case:
    return Case(
        id="case_lost_withdrawal",
        contact_id="ct_zhang",
        subject="提现没到账",
        type="problem",
        priority="normal",
        category=category.value,
        channel="chat",
        with_bot=False,
        version=1,
        locale="zh-CN",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("label", "before", "after", "allowed"),
    [
        ("an agent picks up a new case", Category.NEW, Category.OPEN, True),
        ("spam is solved at once", Category.NEW, Category.SOLVED, True),
        ("asking the customer", Category.OPEN, Category.PENDING_CUSTOMER, True),
        ("waiting for the bank", Category.OPEN, Category.ON_HOLD, True),
        ("the customer answered", Category.PENDING_CUSTOMER, Category.OPEN, True),
        ("a solved case reopens", Category.SOLVED, Category.OPEN, True),
        ("a solved case closes", Category.SOLVED, Category.CLOSED, True),
        ("nothing goes back to new", Category.OPEN, Category.NEW, False),
        ("only solved cases close", Category.OPEN, Category.CLOSED, False),
        ("a solved case is not put on hold", Category.SOLVED, Category.ON_HOLD, False),
        ("closed is final", Category.CLOSED, Category.OPEN, False),
    ],
)
def test_status_moves(label: str, before: Category, after: Category, allowed: bool) -> None:
    case = a_case(before)
    if allowed:
        assert case.transition_to(Status(after), NOW).category is before, label
        assert case.category == after
    else:
        with pytest.raises(Conflict):
            case.transition_to(Status(after), NOW)
        assert case.category == before, label


def test_closed_is_final_even_for_a_label_of_the_same_category() -> None:
    case = a_case(Category.CLOSED)
    with pytest.raises(Conflict) as refused:
        case.transition_to(Status(Category.CLOSED, "archived"), NOW)
    assert refused.value.code == "case_closed"
    assert ALLOWED_MOVES[Category.CLOSED] == frozenset()


def test_a_label_change_within_a_category_is_allowed() -> None:
    case = a_case(Category.ON_HOLD)
    case.transition_to(Status(Category.ON_HOLD, "waiting_bank"), NOW)
    assert case.status == Status(Category.ON_HOLD, "waiting_bank")


def test_the_sla_clock_stops_while_the_customer_or_a_third_party_owes_an_answer() -> None:
    paused = {category for category, runs in SLA_CLOCK_RUNS.items() if not runs}
    assert paused == {
        Category.PENDING_CUSTOMER,
        Category.ON_HOLD,
        Category.SOLVED,
        Category.CLOSED,
    }


def test_a_reply_reopens_a_solved_case_until_the_last_second_of_the_window() -> None:
    case = a_case(Category.OPEN)
    case.transition_to(Status(Category.SOLVED), NOW)
    week = timedelta(days=7)
    assert case.reopens_on_reply(NOW + week - timedelta(seconds=1), week)
    assert case.reopens_on_reply(NOW + week, week)
    assert not case.reopens_on_reply(NOW + week + timedelta(seconds=1), week)


def test_assurance_is_raised_and_never_lowered() -> None:
    identity = Identity(
        id="cid_1",
        contact_id="ct_zhang",
        kind="phone",
        value_index="i",
        value_enc="e",
        assurance=Assurance.LOGGED_IN.value,
        created_at=NOW,
    )
    assert not identity.raise_assurance(Assurance.ANONYMOUS, NOW)
    assert identity.assurance == "logged_in"
    assert identity.raise_assurance(Assurance.STEPPED_UP, NOW)
    assert identity.assurance == "stepped_up"


def test_the_most_specific_policy_wins() -> None:
    complaints = SlaPolicy("complaints", None, "complaint", 60, 60, 15 * 9 * 60, "business")
    urgent_disputes = SlaPolicy("urgent_disputes", "urgent", "dispute", 5, 10, 60, "always")
    stored = [complaints, urgent_disputes]
    assert choose_policy(stored, "normal", "complaint") is complaints
    assert choose_policy(stored, "urgent", "dispute") is urgent_disputes
    assert choose_policy(stored, "urgent", "question").id == "default_urgent"
    assert {p.priority for p in DEFAULT_POLICIES} == {"low", "normal", "high", "urgent"}


def first_response_target(start: datetime, minutes: int) -> SlaTarget:
    target = SlaTarget(
        id="sla_1",
        case_id="case_1",
        kind="first_response",
        state="active",
        calendar="business",
        budget_seconds=minutes * 60,
        used_seconds=0,
        started_at=start,
    )
    target.resume(start, BUSINESS)
    return target


def test_a_target_met_at_its_due_second_is_met_and_one_second_later_breached() -> None:
    start = beijing("2026-02-13 17:00")
    on_time = first_response_target(start, 120)
    assert on_time.due_at == beijing("2026-02-14 10:00")
    on_time.fulfil(beijing("2026-02-14 10:00"), BUSINESS)
    assert on_time.state == TargetState.MET
    late = first_response_target(start, 120)
    assert late.fulfil(beijing("2026-02-14 10:00:01"), BUSINESS) is True
    assert late.state == TargetState.BREACHED
    assert late.breached_at == beijing("2026-02-14 10:00")


def test_a_paused_target_keeps_its_used_time_and_moves_its_due_time() -> None:
    target = first_response_target(beijing("2026-02-13 17:00"), 120)
    target.pause(beijing("2026-02-13 17:30"), BUSINESS)  # 30 business minutes used
    assert target.due_at is None and target.used_seconds == 30 * 60
    target.resume(beijing("2026-02-14 17:00"), BUSINESS)  # make-up Saturday, 1 h left today
    assert target.due_at == beijing("2026-02-24 09:30")
