"""The SLA policies are read once per `SLA_POLICIES_FRESH_SECONDS` in a process (every customer
message picks its case's policy), and an admin's change counts at once in the process that
made it."""

from __future__ import annotations

from tests.support_desk.test_chat_statements import statements_on
from walletdesk.audit.services import Actor
from walletdesk.runtime import Runtime
from walletdesk.support.casework import set_sla_policy
from walletdesk.support.sla import SlaPolicy
from walletdesk.support.sla_admin import remove_policy
from walletdesk.support.sla_clock import forget_sla_policies, sla_policies

ADMIN = Actor.staff("usr_admin")
URGENT_COMPLAINTS = SlaPolicy(
    id="slp_urgent_complaints",
    priority="urgent",
    case_type="complaint",
    first_response_minutes=5,
    next_response_minutes=10,
    resolution_minutes=120,
    calendar="always",
)


def _policy_ids(rt: Runtime) -> set[str]:
    with rt.db.uow(read_only=True) as uow:
        return {p.id for p in sla_policies(uow)}


def test_the_policies_are_read_once(rt: Runtime) -> None:
    with statements_on(rt, "MainThread") as reads:
        for _ in range(3):
            _policy_ids(rt)
    assert len([s for s in reads if "support_sla_policies" in s]) == 1


def test_a_stored_or_removed_policy_counts_at_once_in_this_process(rt: Runtime) -> None:
    assert URGENT_COMPLAINTS.id not in _policy_ids(rt)
    set_sla_policy(rt, ADMIN, URGENT_COMPLAINTS)
    assert URGENT_COMPLAINTS.id in _policy_ids(rt)
    remove_policy(rt, ADMIN, URGENT_COMPLAINTS.id)
    assert URGENT_COMPLAINTS.id not in _policy_ids(rt)


def test_a_rolled_back_change_leaves_the_cached_policies(rt: Runtime) -> None:
    with rt.db.uow(read_only=True) as uow:
        before = sla_policies(uow)
    with rt.db.uow() as uow:
        forget_sla_policies(uow)  # a writer that then fails: no commit
    with rt.db.uow(read_only=True) as uow:
        assert sla_policies(uow) is before
