"""Saving rules from an editor names the version it started from: a save over a version that
came into force meanwhile is refused, so nobody undoes a colleague's change unseen."""

from __future__ import annotations

import pytest

from tests.risk.helpers import staff
from walletdesk.errors import Conflict
from walletdesk.risk.rules_admin import rule_versions, save_rules
from walletdesk.risk.ruleset import default_rules_source
from walletdesk.runtime import Runtime

HOLD_45 = default_rules_source().replace("  hold: 50", "  hold: 45", 1)
HOLD_55 = default_rules_source().replace("  hold: 50", "  hold: 55", 1)


def test_a_save_from_a_stale_editor_is_refused_and_a_current_one_is_stored(rt: Runtime) -> None:
    sun = staff(rt, "usr_sun_min", "supervisor")
    wang = staff(rt, "usr_wang_li", "supervisor")
    assert save_rules(rt, sun, source=HOLD_45, comment="hold more", expected_version=0).version == 1
    with pytest.raises(Conflict) as stale:
        save_rules(rt, wang, source=HOLD_55, comment="hold less", expected_version=0)
    assert stale.value.code == "rule_set_changed_meanwhile"
    assert [v.version for v in rule_versions(rt, sun)] == [1, 0]
    assert (
        save_rules(rt, wang, source=HOLD_55, comment="hold less", expected_version=1).version == 2
    )
