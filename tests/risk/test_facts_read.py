"""The engine's one read on the real database: run on the driver it gives exactly what
SQLAlchemy's own execution of the same statement gives, and it works in a read-only unit of
work (autocommit on PostgreSQL, where no savepoint may be taken)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.risk.helpers import add_device, add_user, movement, still_timer
from walletdesk.clock import FrozenClock
from walletdesk.risk.engine import assess, record_movement
from walletdesk.risk.history import ListKind
from walletdesk.risk.models import Movement, MovementKind
from walletdesk.risk.records import ListEntry, Snooze
from walletdesk.runtime import Runtime
from walletdesk.storage.repositories import risk_history
from walletdesk.storage.repositories.risk_facts_select import compile_select, fetch_one

PHONE = "phone-index-of-li"


def _history(rt: Runtime, clock: FrozenClock) -> None:
    now = clock.now()
    add_user(rt, "usr_zhang", password_reset_at=now - timedelta(hours=2))
    add_user(rt, "usr_li", phone_index=PHONE)
    add_device(rt, "usr_zhang", "a" * 64, now - timedelta(days=30))
    add_device(rt, "usr_zhang", "b" * 64, now - timedelta(hours=1))
    earlier = [
        movement("usr_zhang", "usr_li", "80", now - timedelta(minutes=3), device_id="b" * 64),
        movement("usr_zhang", "mer_tea", "25", now - timedelta(hours=5), ip="10.1.2.3"),
        movement("usr_wang", "usr_zhang", "300", now - timedelta(days=2), ip="10.1.2.3"),
        movement("usr_li", "usr_zhang", "12.5", now - timedelta(days=40)),
    ]
    with rt.db.uow() as uow:
        for item in earlier:
            record_movement(uow, item)
        uow.risk.add_list_entry(
            ListEntry(
                id="rle_li_phone",
                kind=ListKind.PHONE.value,
                value=PHONE,
                label="138****0000",
                reason="reported",
                created_at=now,
                created_by=None,
            )
        )
        uow.risk.add_snooze(
            Snooze(
                id="rsz_zhang",
                user_id="usr_zhang",
                rule_id="new_device_large_amount",
                until=now + timedelta(days=1),
                reason="travelling",
                created_at=now,
                created_by=None,
            )
        )
        uow.commit()


PROBES = [
    pytest.param({}, id="transfer with device and ip"),
    pytest.param({"receiver_id": None, "kind": MovementKind.WITHDRAWAL}, id="no receiver"),
    pytest.param({"device_id": None}, id="no device"),
    pytest.param({"ip": None}, id="no ip"),
    pytest.param({"receiver_id": "mer_tea", "kind": MovementKind.PAYMENT}, id="merchant"),
]


@pytest.mark.parametrize("change", PROBES)
def test_the_driver_read_gives_what_sqlalchemy_gives(
    rt: Runtime, clock: FrozenClock, change: dict[str, Any]
) -> None:
    _history(rt, clock)
    now = clock.now()
    probe: Movement = replace(
        movement("usr_zhang", "usr_li", "500", now, device_id="b" * 64, ip="10.1.2.3"), **change
    )
    shape = (probe.receiver_id is not None, probe.device_id is not None, probe.ip is not None)
    statement = risk_history._facts_statement(*shape)
    parameters = risk_history._parameters(probe, now)
    with rt.db.uow() as uow:
        expected = dict(uow.connection.execute(statement, parameters).one()._mapping)
        found = fetch_one(uow.connection, compile_select(statement, uow.connection), parameters)
    assert found == expected
    assert found["s_reset"] == now - timedelta(hours=2)  # aware UTC datetimes on both
    assert found["sender_out_count_5m"] == 1  # the 80 three minutes ago


def test_a_read_only_unit_of_work_assesses_without_failing_closed(
    rt: Runtime, clock: FrozenClock
) -> None:
    _history(rt, clock)
    lunch = movement("usr_zhang", "usr_li", "38.50", clock.now(), device_id="a" * 64)
    with rt.db.uow(read_only=True) as uow:
        decision = assess(rt, uow, lunch, timer=still_timer, store=False)
    assert decision.failure is None
    # The read saw Li's phone on the block list and Zhang's password reset two hours ago.
    assert decision.features["phone_listed"] is True
    assert decision.features["since_password_reset"] == 2 * 3600
    assert "blocked_device_or_phone" in {hit.rule_id for hit in decision.hits}


def test_the_same_connection_reads_again_after_a_failed_read(
    rt: Runtime, clock: FrozenClock
) -> None:
    _history(rt, clock)
    gift = movement("usr_zhang", "usr_li", "520", clock.now())
    with rt.db.uow() as uow:
        uow.connection.exec_driver_sql("ALTER TABLE risk_events RENAME TO risk_events_away")
        failed = assess(rt, uow, gift, timer=still_timer)
        uow.connection.exec_driver_sql("ALTER TABLE risk_events_away RENAME TO risk_events")
        again = assess(rt, uow, replace(gift, id="mv_again"), timer=still_timer)
        assert [d.failure is None for d in (failed, again)] == [False, True]
        assert again.features["sender_out_count_5m"] == 2  # the earlier 80 and this one
        assert len(uow.risk.decisions_of_movement("mv_again")) == 1
