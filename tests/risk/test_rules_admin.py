"""Rule sets are versioned: only supervisors change them, every change is audited, decisions
name the version in force, and an earlier version can be restored."""

from __future__ import annotations

import pytest

from tests.risk.helpers import movement, staff, still_timer
from walletdesk.audit.services import recent_entries
from walletdesk.clock import FrozenClock
from walletdesk.errors import Forbidden, NotFound
from walletdesk.risk.engine import assess
from walletdesk.risk.models import Action, Decision
from walletdesk.risk.rulefile import RuleFileRefused
from walletdesk.risk.rules_admin import (
    diff_rule_versions,
    rollback_rules,
    rule_version,
    rule_versions,
    save_rules,
)
from walletdesk.risk.ruleset import default_rules_source
from walletdesk.runtime import Runtime

LARGE_AT_10000 = "    min_amount: 10000\n"
STRICTER = (
    default_rules_source()
    .replace("  - id: large_amount\n    version: 1\n", "  - id: large_amount\n    version: 2\n")
    .replace(LARGE_AT_10000, "    min_amount: 5000\n")
)


def decide(rt: Runtime, clock: FrozenClock, amount: str) -> Decision:
    with rt.db.uow() as uow:
        decision = assess(
            rt, uow, movement("usr_zm", "usr_ln", amount, clock.now()), timer=still_timer
        )
        uow.commit()
    return decision


@pytest.mark.parametrize("role", ["agent", "senior_agent", "risk_reviewer"])
def test_only_a_supervisor_may_change_the_rules(rt: Runtime, role: str) -> None:
    someone = staff(rt, f"usr_{role}", role)
    with pytest.raises(Forbidden):
        save_rules(rt, someone, source=STRICTER, comment="hold from 5,000 yuan")
    with pytest.raises(Forbidden):
        rollback_rules(rt, someone, to_version=0, comment="back")


def test_a_supervisors_change_is_stored_audited_and_decides_from_then_on(
    rt: Runtime, clock: FrozenClock
) -> None:
    assert decide(rt, clock, "6000").action is Action.APPROVE
    supervisor = staff(rt, "usr_sun_min", "supervisor")
    stored = save_rules(rt, supervisor, source=STRICTER, comment="hold from 5,000 yuan")
    assert (stored.version, stored.based_on, stored.created_by) == (1, None, "usr_sun_min")
    decision = decide(rt, clock, "6000")
    assert (decision.action, decision.rule_set_version) == (Action.HOLD, 1)
    assert [(hit.rule_id, hit.version) for hit in decision.hits] == [("large_amount", 2)]
    (entry,) = [e for e in recent_entries(rt.db) if e.action == "risk.rules.saved"]
    assert (entry.actor_id, entry.subject_kind, entry.subject_id) == (
        "usr_sun_min",
        "risk_rule_set",
        "1",
    )
    assert '"comment":"hold from 5,000 yuan"' in entry.details


def test_a_refused_rule_file_leaves_the_active_rules_in_force(
    rt: Runtime, clock: FrozenClock
) -> None:
    supervisor = staff(rt, "usr_sun_min", "supervisor")
    broken = STRICTER.replace("when: ip_listed", "when: __import__('os')")
    with pytest.raises(RuleFileRefused) as refused:
        save_rules(rt, supervisor, source=broken, comment="oops")
    assert refused.value.reason == "unknown feature '__import__'"
    assert broken.splitlines()[refused.value.line - 1].strip() == "when: __import__('os')"
    assert decide(rt, clock, "6000").rule_set_version == 0
    assert [v.version for v in rule_versions(rt, supervisor)] == [0]


def test_a_rule_that_changes_must_raise_its_version(rt: Runtime) -> None:
    supervisor = staff(rt, "usr_sun_min", "supervisor")
    sneaky = default_rules_source().replace(LARGE_AT_10000, "    min_amount: 5000\n")
    with pytest.raises(RuleFileRefused) as refused:
        save_rules(rt, supervisor, source=sneaky, comment="quietly stricter")
    assert "rule 'large_amount' changed, so its version must be above 1" == refused.value.reason
    assert sneaky.splitlines()[refused.value.line - 1] == "  - id: large_amount"


def test_rolling_back_restores_an_earlier_file_as_a_new_version(
    rt: Runtime, clock: FrozenClock
) -> None:
    supervisor = staff(rt, "usr_sun_min", "supervisor")
    save_rules(rt, supervisor, source=STRICTER, comment="hold from 5,000 yuan")
    restored = rollback_rules(rt, supervisor, to_version=0, comment="too many holds")
    assert (restored.version, restored.based_on) == (2, 0)
    assert restored.source == default_rules_source()
    decision = decide(rt, clock, "6000")
    assert (decision.action, decision.rule_set_version) == (Action.APPROVE, 2)
    assert [v.version for v in rule_versions(rt, supervisor)] == [2, 1, 0]
    assert rule_version(rt, supervisor, 1).source == STRICTER
    actions = [e.action for e in recent_entries(rt.db) if e.action.startswith("risk.rules")]
    assert actions == ["risk.rules.rolled_back", "risk.rules.saved"]
    with pytest.raises(NotFound):
        rollback_rules(rt, supervisor, to_version=7, comment="no such version")


def test_two_versions_can_be_compared(rt: Runtime) -> None:
    supervisor = staff(rt, "usr_sun_min", "supervisor")
    extra = STRICTER + (
        "\n  - id: night_owl\n    version: 1\n    weight: 5\n    action: approve\n"
        "    when: amount > 1\n    reasons: {zh: 深夜, en: late}\n"
    )
    save_rules(rt, supervisor, source=extra, comment="stricter, plus a new rule")
    diff = diff_rule_versions(rt, supervisor, 0, 1)
    assert (diff.added, diff.removed, diff.changed) == (("night_owl",), (), ("large_amount",))
    assert not diff.thresholds_changed
    assert "-    min_amount: 10000\n+    min_amount: 5000\n" in diff.unified
    assert diff.unified.startswith("--- version 0\n+++ version 1\n")
