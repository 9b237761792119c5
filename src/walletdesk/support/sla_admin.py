"""SLA policies as admins see and set them from the console.

`effective_policies` lists what applies today: the defaults (`sla.DEFAULT_POLICIES`) and
every stored policy, marking the defaults that a stored policy of the same priority and type
replaces. `check_set_policy` reads the console's form (whole minutes, a calendar) and stores
the policy through `casework.set_sla_policy`, which audits it; cases opened or re-prioritised
afterwards use it (`sla_clock.policy_for`). `remove_policy` deletes a stored one (audited), so
the defaults apply again. The store keeps one row per policy, so there is no
version history beyond the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.support.casework import set_sla_policy
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import CaseType, Priority
from walletdesk.support.sla import DEFAULT_LADDER, DEFAULT_POLICIES, EscalationStep, SlaPolicy
from walletdesk.support.sla_clock import forget_sla_policies

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

NEW_POLICY_CALENDAR = "business"
"""The calendar a new policy's form starts with: most targets count working hours."""
MAX_MINUTES = 366 * 24 * 60
"""A year: no target is longer; a typo of a few extra zeros is refused."""
MAX_LADDER_STEPS = 5


@dataclass(frozen=True)
class ShownPolicy:
    policy: SlaPolicy
    stored: bool
    replaced: bool
    """A default that a stored policy of the same priority and type replaces."""


def policy_id(priority: str | None, case_type: str | None) -> str:
    """One stored policy per (priority, type): "sla_urgent_any", "sla_any_complaint"."""
    return f"sla_{priority or 'any'}_{case_type or 'any'}"


def effective_policies(rt: Runtime) -> list[ShownPolicy]:
    with rt.db.uow(read_only=True) as uow:
        stored = uow.support.sla_policies.all()
    keys = {(p.priority, p.case_type) for p in stored}
    shown = [ShownPolicy(p, True, False) for p in stored]
    shown += [ShownPolicy(p, False, (p.priority, p.case_type) in keys) for p in DEFAULT_POLICIES]
    order = {p.value: n for n, p in enumerate(Priority)}
    return sorted(
        shown,
        key=lambda s: (order.get(s.policy.priority or "", -1), s.policy.case_type or "", s.stored),
    )


def calendar_keys(rt: Runtime) -> list[str]:
    with rt.db.uow(read_only=True) as uow:
        return sorted(load_calendars(uow).by_key)


def _minutes(text: str, field: str) -> int:
    raw = text.strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_MINUTES:
        raise ValidationFailed(
            "invalid_sla_minutes",
            N_("Enter whole minutes from 1 to {max}."),
            field=field,
            max=MAX_MINUTES,
        )
    return int(raw)


def _choice(text: str, allowed: type[Priority] | type[CaseType], field: str) -> str | None:
    raw = text.strip()
    if raw in ("", "any"):
        return None
    if raw not in {member.value for member in allowed}:
        raise ValidationFailed(
            "invalid_sla_scope", N_("Choose a value from the list."), field=field
        )
    return raw


def check_ladder(steps: Sequence[EscalationStep]) -> tuple[EscalationStep, ...]:
    """A ladder is climbed by position (`sla_clock.check_sla` keeps the step index on the
    case), so each step must come strictly later than the one before it."""
    minutes = [step.after_minutes for step in steps]
    in_order = all(a < b for a, b in zip(minutes, minutes[1:], strict=False))
    if (
        not 1 <= len(minutes) <= MAX_LADDER_STEPS
        or not in_order
        or not all(0 <= m <= MAX_MINUTES for m in minutes)
    ):
        raise ValidationFailed(
            "invalid_sla_ladder",
            N_("An escalation ladder has 1 to {max} steps, each later than the one before."),
            field="ladder",
            max=MAX_LADDER_STEPS,
        )
    return tuple(steps)


def check_set_policy(
    rt: Runtime,
    actor: Actor,
    *,
    priority: str,
    case_type: str,
    first_response: str,
    next_response: str,
    resolution: str,
    calendar: str,
    ladder: Sequence[EscalationStep] | None = None,
) -> SlaPolicy:
    """Validate the form and store the policy for its priority and type (replacing one).
    Without `ladder`, the policy keeps the ladder it had (the default one when new)."""
    chosen_ladder = check_ladder(ladder) if ladder is not None else None
    chosen_priority = _choice(priority, Priority, "priority")
    chosen_type = _choice(case_type, CaseType, "case_type")
    if chosen_priority is None and chosen_type is None:
        raise ValidationFailed(
            "sla_scope_required",
            N_("Choose a priority, a case type, or both."),
            field="priority",
        )
    minutes = (
        _minutes(first_response, "first_response"),
        _minutes(next_response, "next_response"),
        _minutes(resolution, "resolution"),
    )
    if calendar.strip() not in calendar_keys(rt):
        raise ValidationFailed(
            "unknown_calendar", N_("Choose a calendar from the list."), field="calendar"
        )
    key = policy_id(chosen_priority, chosen_type)
    with rt.db.uow(read_only=True) as uow:
        before = next((p for p in uow.support.sla_policies.all() if p.id == key), None)
    return set_sla_policy(
        rt,
        actor,
        SlaPolicy(
            key,
            chosen_priority,
            chosen_type,
            *minutes,
            calendar.strip(),
            ladder=chosen_ladder or (before.ladder if before else DEFAULT_LADDER),
        ),
    )


def remove_policy(rt: Runtime, actor: Actor, policy_id: str) -> None:
    """Delete a stored policy, so the defaults (or a less specific stored policy) apply to
    cases opened or re-prioritised afterwards; audited with the targets it had."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        before = next((p for p in uow.support.sla_policies.all() if p.id == policy_id), None)
        if before is None or not uow.support.sla_policies.remove(policy_id):
            raise NotFound("sla_policy_not_found", N_("This SLA policy does not exist (any more)."))
        forget_sla_policies(uow)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.sla_policy_removed",
            subject_kind="sla_policy",
            subject_id=policy_id,
            details={
                "priority": before.priority,
                "type": before.case_type,
                "minutes": [
                    before.first_response_minutes,
                    before.next_response_minutes,
                    before.resolution_minutes,
                ],
                "calendar": before.calendar,
            },
        )
        uow.commit()
