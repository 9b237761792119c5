"""Block lists decline what they name; snoozes silence one rule for one customer until they
end; every change is audited and needs risk staff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.risk.helpers import add_device, add_user, movement, staff, still_timer
from walletdesk.audit.services import recent_entries
from walletdesk.clock import FrozenClock
from walletdesk.errors import Forbidden, ValidationFailed
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.vault import login_index
from walletdesk.risk.engine import assess
from walletdesk.risk.lists import (
    add_to_list,
    lift_snooze,
    list_entries,
    remove_from_list,
    snooze_rule,
    snoozes_for,
)
from walletdesk.risk.models import Action, Decision, Movement
from walletdesk.runtime import Runtime

SCAMMER_PHONE = "13912345678"
DEVICE = "e" * 64


def decide(rt: Runtime, probe: Movement) -> Decision:
    with rt.db.uow() as uow:
        decision = assess(rt, uow, probe, timer=still_timer)
        uow.commit()
    return decision


def reviewer(rt: Runtime) -> Authenticated:
    return staff(rt, "usr_liu_shen", "risk_reviewer")


@pytest.mark.parametrize(
    ("label", "kind", "value", "probe_fields", "rule"),
    [
        ("a blocked sender", "account", "usr_mule", {"sender_id": "usr_mule"}, "blocked_sender"),
        ("a blocked receiver", "account", "usr_mule", {"receiver_id": "usr_mule"},
         "blocked_counterparty"),
        ("a blocked payee", "payee", "mer_fake_shop", {"receiver_id": "mer_fake_shop"},
         "blocked_counterparty"),
        ("a blocked device", "device", DEVICE, {"device_id": DEVICE}, "blocked_device_or_phone"),
        ("a blocked phone of the receiver", "phone", SCAMMER_PHONE,
         {"receiver_id": "usr_scammer"}, "blocked_device_or_phone"),
        ("an address in a blocked IPv4 range", "ip", "203.0.113.0/24", {"ip": "203.0.113.77"},
         "blocked_ip"),
        ("an address in a blocked IPv6 range", "ip", "2001:db8:bad::/48",
         {"ip": "2001:db8:bad::1"}, "blocked_ip"),
    ],
)  # fmt: skip
def test_each_list_declines_what_it_names(
    rt: Runtime,
    clock: FrozenClock,
    label: str,
    kind: str,
    value: str,
    probe_fields: dict[str, str],
    rule: str,
) -> None:
    phone_index = login_index(rt.cipher, "+86" + SCAMMER_PHONE)
    add_user(rt, "usr_scammer", phone_index=phone_index)
    entry = add_to_list(rt, reviewer(rt), kind=kind, value=value, reason="reported by police")
    probe = movement("usr_zhangming", "usr_lina", "99", clock.now(), **probe_fields)
    decision = decide(rt, probe)
    assert rule in {hit.rule_id for hit in decision.hits}
    assert decision.action is Action.DECLINE
    if kind == "phone":
        assert entry.value == phone_index and entry.label == "139****5678"
    remove_from_list(rt, reviewer(rt), entry_id=entry.id, reason="cleared")
    assert decide(rt, probe).action is Action.APPROVE


def test_an_address_outside_a_blocked_range_passes(rt: Runtime, clock: FrozenClock) -> None:
    add_to_list(rt, reviewer(rt), kind="ip", value="203.0.113.0/24", reason="botnet")
    for ip, blocked in (("203.0.112.255", False), ("203.0.113.0", True), ("203.0.114.0", False)):
        probe = movement("usr_zhangming", "usr_lina", "9", clock.now(), ip=ip)
        assert (decide(rt, probe).action is Action.DECLINE) is blocked, ip


def test_a_device_can_be_blocked_by_its_id_from_the_devices_list(
    rt: Runtime, clock: FrozenClock
) -> None:
    add_user(rt, "usr_zhangming")
    add_device(rt, "usr_zhangming", DEVICE, clock.now() - timedelta(days=3))
    (device_id,) = [f"dev_{DEVICE[:12]}ngming"]
    entry = add_to_list(rt, reviewer(rt), kind="device", value=device_id, reason="stolen phone")
    assert entry.value == DEVICE
    probe = movement("usr_other", "usr_lina", "9", clock.now(), device_id=DEVICE)
    assert decide(rt, probe).action is Action.DECLINE


def test_list_changes_are_audited_and_need_risk_staff(rt: Runtime) -> None:
    with pytest.raises(Forbidden):
        add_to_list(rt, staff(rt, "usr_agent", "agent"), kind="account", value="usr_x", reason="x")
    entry = add_to_list(rt, reviewer(rt), kind="account", value="usr_x", reason="mule")
    again = add_to_list(rt, reviewer(rt), kind="account", value="usr_x", reason="mule again")
    assert again.id == entry.id
    assert [e.id for e in list_entries(rt, reviewer(rt), kind="account")] == [entry.id]
    remove_from_list(rt, reviewer(rt), entry_id=entry.id, reason="false alarm")
    assert list_entries(rt, reviewer(rt)) == []
    actions = [(e.action, e.actor_id) for e in recent_entries(rt.db, subject_id=entry.id)]
    assert actions == [("risk.list.removed", "usr_liu_shen"), ("risk.list.added", "usr_liu_shen")]
    with pytest.raises(ValidationFailed):
        add_to_list(rt, reviewer(rt), kind="ip", value="not-an-ip", reason="typo")
    with pytest.raises(ValidationFailed):
        add_to_list(rt, reviewer(rt), kind="bank", value="6222", reason="no such list")


def test_a_snooze_silences_one_rule_for_one_customer_until_it_ends(
    rt: Runtime, clock: FrozenClock
) -> None:
    """Zhang Ming pays his landlord 12,000 every month; the reviewer snoozes large_amount for
    him until the end: one second before it the rule is silent, at the end it fires again."""
    add_user(rt, "usr_zhangming", opened_at=clock.now() - timedelta(days=20))
    end = clock.now() + timedelta(days=30)
    snooze = snooze_rule(
        rt,
        reviewer(rt),
        user_id="usr_zhangming",
        rule_id="large_amount",
        until=end,
        reason="monthly rent, checked with the customer",
    )
    seen = []
    for shift in (-1, 0, 1):
        clock.set(end + timedelta(seconds=shift))
        decision = decide(rt, movement("usr_zhangming", "usr_landlord", "12000", clock.now()))
        seen.append(({h.rule_id for h in decision.hits}, decision.snoozed, decision.action))
    assert seen == [
        (set(), ("large_amount",), Action.APPROVE),
        ({"large_amount"}, (), Action.HOLD),
        ({"large_amount"}, (), Action.HOLD),
    ]
    others = decide(rt, movement("usr_lina", "usr_landlord", "12000", end - timedelta(days=1)))
    assert others.action is Action.HOLD
    (entry,) = [e for e in recent_entries(rt.db) if e.action == "risk.snooze.added"]
    assert (entry.subject_id, entry.actor_id) == ("usr_zhangming", "usr_liu_shen")
    assert snoozes_for(rt, reviewer(rt), user_id="usr_zhangming") == [snooze]


def test_a_lifted_snooze_stops_at_once(rt: Runtime, clock: FrozenClock) -> None:
    add_user(rt, "usr_zhangming")
    snooze = snooze_rule(
        rt,
        reviewer(rt),
        user_id="usr_zhangming",
        rule_id="large_amount",
        until=clock.now() + timedelta(days=1),
        reason="rent",
    )
    lift_snooze(rt, reviewer(rt), snooze_id=snooze.id)
    decision = decide(rt, movement("usr_zhangming", "usr_landlord", "12000", clock.now()))
    assert decision.action is Action.HOLD
    assert any(e.action == "risk.snooze.lifted" for e in recent_entries(rt.db))


@pytest.mark.parametrize(
    ("label", "until_days", "rule"),
    [("in the past", -1, "large_amount"), ("beyond 90 days", 91, "large_amount")],
)
def test_a_snooze_must_end_within_90_days(
    rt: Runtime, clock: FrozenClock, label: str, until_days: int, rule: str
) -> None:
    add_user(rt, "usr_zhangming")
    with pytest.raises(ValidationFailed):
        snooze_rule(
            rt,
            reviewer(rt),
            user_id="usr_zhangming",
            rule_id=rule,
            until=clock.now() + timedelta(days=until_days),
            reason="x",
        )
