"""`assess` on the real database: decisions are stored with the movement, the engine fails
closed (hold, never approve) on an error or a blown time budget, and the SQL history answers
exactly what the in-memory history answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import TEST_KEYS
from tests.risk.helpers import add_user, movement, staff, still_timer
from tests.support import START
from walletdesk.clock import FrozenClock
from walletdesk.errors import Forbidden, NotFound
from walletdesk.randomness import SeededRandom
from walletdesk.risk.decisions import decisions_for_movement, decisions_for_user
from walletdesk.risk.engine import assess, record_movement
from walletdesk.risk.history import Party
from walletdesk.risk.memory import MemoryStore
from walletdesk.risk.models import Action, MovementKind
from walletdesk.risk.records import RuleSetVersion
from walletdesk.runtime import Runtime
from walletdesk.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The production default time budget (the suite's is out of reach): this file tests it."""
    return Settings(env="dev", data_dir=tmp_path, database_url=database_url, **TEST_KEYS)


def test_an_ordinary_transfer_is_approved_and_its_decision_is_stored(
    rt: Runtime, clock: FrozenClock
) -> None:
    lunch = movement("usr_zhangming", "usr_lina", "38.50", clock.now(), movement_id="ent_lunch")
    with rt.db.uow() as uow:
        decision = assess(rt, uow, lunch, timer=still_timer)
        uow.commit()
    assert decision.approved and decision.score == 0 and decision.hits == ()
    assert decision.rule_set_version == 0 and decision.failure is None
    agent = staff(rt, "usr_agent_chen", "agent")
    (stored,) = decisions_for_movement(rt, agent, movement_id="ent_lunch")
    assert stored == decision
    assert stored.features["amount"] == 3850 and stored.features["kind"] == "transfer"
    assert decisions_for_user(rt, agent, user_id="usr_zhangming") == [decision]


def test_a_large_transfer_is_held_for_four_eyes_with_reasons_in_both_languages(
    rt: Runtime, clock: FrozenClock
) -> None:
    rent = movement("usr_zhangming", "usr_lina", "50000.01", clock.now())
    with rt.db.uow() as uow:
        decision = assess(rt, uow, rent, timer=still_timer)
        uow.commit()
    assert decision.action is Action.HOLD and decision.four_eyes
    assert [hit.rule_id for hit in decision.hits] == ["large_amount", "four_eyes_large_amount"]
    assert decision.score == 30
    assert decision.hits[0].reason("zh-CN") == "单笔金额达到 1 万元，需人工审核"
    assert decision.hits[0].reason("en") == "A single amount of ¥10,000 or more is reviewed"


def test_the_movement_is_held_when_the_history_cannot_be_read(
    rt: Runtime, clock: FrozenClock
) -> None:
    gift = movement("usr_zhangming", "usr_lina", "520", clock.now(), movement_id="ent_gift")
    with rt.db.uow() as uow:
        # A real failure inside the engine: its history table is gone (rolled back below).
        uow.connection.exec_driver_sql("DROP TABLE risk_events")
        decision = assess(rt, uow, gift, timer=still_timer)
        assert decision.action is Action.HOLD and not decision.approved
        assert decision.failure is not None and decision.failure.startswith("error: ")
        assert [hit.rule_id for hit in decision.hits] == ["engine_unavailable"]
        assert decision.hits[0].reason_en.startswith("Risk engine unavailable")
        # The caller's transaction survived, and the held decision is in it.
        assert uow.risk.decisions_of_movement("ent_gift") == [decision]


def test_the_movement_is_held_when_the_stored_rules_cannot_be_compiled(
    rt: Runtime, clock: FrozenClock
) -> None:
    with rt.db.uow() as uow:
        uow.risk.add_rule_set(
            RuleSetVersion(
                version=1,
                source="thresholds: [broken",
                sha256="f" * 64,
                rule_count=0,
                comment="written around the service",
                created_at=clock.now(),
                created_by=None,
            )
        )
        uow.commit()
    with rt.db.uow() as uow:
        decision = assess(rt, uow, movement("usr_a", "usr_b", "10", clock.now()), timer=still_timer)
        uow.commit()
    assert decision.action is Action.HOLD and decision.failure == "error: RuleFileRefused"


class SteppingTimer:
    """A monotonic timer that reads the given instants in turn (seconds)."""

    def __init__(self, *readings: float) -> None:
        self._readings: Iterator[float] = iter(readings)

    def __call__(self) -> float:
        return next(self._readings)


@pytest.mark.parametrize(
    ("elapsed_ms", "action", "failure"),
    [
        (49.999, Action.APPROVE, None),
        (50.0, Action.APPROVE, None),
        (50.001, Action.HOLD, "timeout"),
    ],
)
def test_an_assessment_over_its_time_budget_is_held(
    rt: Runtime, clock: FrozenClock, elapsed_ms: float, action: Action, failure: str | None
) -> None:
    assert rt.settings.risk_time_budget_ms == 50.0
    coffee = movement("usr_zhangming", "usr_lina", "18", clock.now())
    with rt.db.uow() as uow:
        decision = assess(rt, uow, coffee, timer=SteppingTimer(100.0, 100.0 + elapsed_ms / 1000))
        uow.commit()
    assert (decision.action, decision.failure) == (action, failure)
    assert decision.elapsed_us == round(elapsed_ms * 1000)
    if failure:
        assert [hit.rule_id for hit in decision.hits] == ["engine_unavailable"]


def test_a_movement_is_recorded_in_the_history_once(rt: Runtime, clock: FrozenClock) -> None:
    posted = movement("usr_zhangming", "usr_lina", "88", clock.now(), movement_id="ent_once")
    with rt.db.uow() as uow:
        assert record_movement(uow, posted) is True
        assert record_movement(uow, posted) is False
        assert uow.risk.count_events() == 1
        uow.commit()


def test_decisions_are_only_shown_to_staff_who_may_read_risk(
    rt: Runtime, clock: FrozenClock
) -> None:
    with rt.db.uow() as uow:
        assess(rt, uow, movement("usr_x", "usr_y", "1", clock.now()), timer=still_timer)
        uow.commit()
    customer = staff(rt, "usr_just_a_customer")
    with pytest.raises(Forbidden):
        decisions_for_user(rt, customer, user_id="usr_x")
    with pytest.raises(NotFound):
        decisions_for_movement(rt, staff(rt, "usr_agent", "agent"), movement_id="ent_nothing")


def test_the_database_and_memory_histories_agree(rt: Runtime, clock: FrozenClock) -> None:
    """A seeded random history of 400 movements between 9 people on 3 devices and 3 IPs over
    45 days, probed at 40 instants: both stores give the same aggregates."""
    chance = SeededRandom(2026)
    people = [f"usr_p{i}" for i in range(9)]
    devices = [f"{i}" * 64 for i in range(3)]
    ips = ["10.0.0.1", "10.0.0.2", "2001:db8::7"]
    memory = MemoryStore()
    start = START - timedelta(days=45)
    for person in people[:5]:
        add_user(rt, person, opened_at=start - timedelta(days=chance.randbelow(10)))
        memory.add_party(person, Party(opened_at=None))
    kinds = list(MovementKind)

    def pick(items: list[str]) -> str:
        return items[chance.randbelow(len(items))]

    history = []
    for number in range(400):
        at = start + timedelta(seconds=chance.randbelow(45 * 86400))
        kind = kinds[chance.randbelow(len(kinds))]
        receiver = pick(people) if kind.is_outgoing else None
        history.append(
            movement(
                pick(people),
                receiver,
                100 + chance.randbelow(3000),
                at,
                kind=kind,
                movement_id=f"h{number}",
                device_id=pick(devices) if chance.randbelow(4) else None,
                ip=pick(ips) if chance.randbelow(4) else None,
            )
        )
    with rt.db.uow() as uow:
        for item in history:
            record_movement(uow, item)
        uow.commit()
    memory.record_all(history)
    # Probes land on recorded instants too, so the window edges are exercised.
    instants = [history[chance.randbelow(400)].at for _ in range(20)]
    instants += [start + timedelta(seconds=chance.randbelow(46 * 86400)) for _ in range(20)]
    with rt.db.uow(read_only=True) as uow:
        for number, now in enumerate(instants):
            probe = movement(
                pick(people),
                pick(people) if number % 5 else None,
                100 + chance.randbelow(3000),
                now,
                device_id=pick(devices),
                ip=pick(ips),
            )
            assert uow.risk.history(probe, now) == memory.history(probe, now), number
