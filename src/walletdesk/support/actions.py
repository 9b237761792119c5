"""Case actions that touch money or security, under maker-checker.

An agent proposes an action on the case's customer (a refund, a reversal, a fee waiver,
releasing a hold, unfreezing, unlocking, raising a limit) with a reason and the linked
transactions. Above the kind's threshold (`ActionPolicy`, CNY equivalent) a second person
with `cases.approve` approves it: never the proposer, never the customer themself. Then it
runs exactly once (`actions_execute`) and its outcome is written to the case history.
Below the threshold it runs at once on the proposer's word; a freeze always does.

Every step locks the case row first, then the proposal, so concurrent approvals, cancels and
executions of one proposal take turns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Forbidden, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.ledger.limits import LimitRateUnavailable, cny_equivalent
from walletdesk.ledger.money import Money
from walletdesk.randomness import new_id
from walletdesk.support import history_agent_tools
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.actions_execute import execute
from walletdesk.support.actions_model import (
    ActionKind,
    ActionPolicy,
    ActionStatus,
    OwnAccount,
    OwnProposal,
    Proposal,
    ProposalDecided,
    ProposalNotFound,
    default_policy,
    idempotency_key,
)
from walletdesk.support.actions_targets import ActionRequest, check_target, linked_ids
from walletdesk.support.errors import CaseIsClosed
from walletdesk.support.history_agent_tools import AgentToolEvent
from walletdesk.support.reveal import customer_of
from walletdesk.support.versioning import check_version

if TYPE_CHECKING:
    from datetime import datetime

    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.models import Case

REASON_MIN = 2
REASON_MAX = 500
INBOX_MAX = 200


def _reason(text: str, field: str = "reason") -> str:
    cleaned = " ".join(text.split())[:REASON_MAX]
    if len(cleaned) < REASON_MIN:
        raise ValidationFailed(
            "action_reason_required",
            N_("Explain the action in a few words for the approver and the case history."),
            field=field,
        )
    return cleaned


def policy_for(uow: UnitOfWork, kind: ActionKind) -> ActionPolicy:
    return uow.agent_tools.policies.all().get(kind.value) or default_policy(kind)


def _weigh(uow: UnitOfWork, amount: Money | None, at: datetime) -> int | None:
    """The amount in CNY fen for the threshold; None when it cannot be weighed (no rate)."""
    if amount is None:
        return 0
    try:
        return cny_equivalent(uow, amount, at)
    except LimitRateUnavailable:
        return None


def propose(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    request: ActionRequest,
    *,
    expected_version: int | None = None,
) -> Proposal:
    """check_propose: record the proposal on the case; run it at once when no second person
    is needed (below the threshold, or a freeze). Returns it as it stands afterwards."""
    reason = _reason(request.reason)
    linked = linked_ids(request.transaction_ids)
    assert actor.user_id is not None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        check_version(uow, case, expected_version)
        if case.is_closed:
            raise CaseIsClosed()
        customer = customer_of(uow, case)
        if customer.id == actor.user_id:
            raise OwnAccount()
        target = check_target(uow, request, customer, now)
        amount_cny = _weigh(uow, target.amount, now)
        needs_approval = request.kind is not ActionKind.FREEZE and policy_for(
            uow, request.kind
        ).needs_approval(amount_cny)
        proposal_id = new_id(rt.random, "act")
        proposal = Proposal(
            id=proposal_id,
            case_id=case.id,
            kind=request.kind.value,
            status=ActionStatus.PENDING.value,
            customer_id=customer.id,
            proposed_by=actor.user_id,
            reason=reason,
            params=json.dumps(target.params, sort_keys=True),
            transaction_ids=json.dumps(linked),
            needs_approval=needs_approval,
            idempotency_key=idempotency_key(case.id, proposal_id),
            created_at=now,
            target_id=target.target_id,
            amount=target.amount.minor if target.amount else None,
            currency=target.amount.currency if target.amount else None,
            amount_cny=amount_cny,
        )
        if not needs_approval:
            proposal.start(now)
        uow.agent_tools.proposals.add(proposal)
        history_agent_tools.action_proposed(rt, uow, case, actor.by(case), now, proposal)
        uow.support.cases.save(case)
        uow.commit()
    return proposal if needs_approval else execute(rt, proposal.id)


def _locked(uow: UnitOfWork, actor: SupportActor, proposal_id: str) -> tuple[Case, Proposal]:
    """The proposal through its case's door, both rows locked (case first)."""
    seen = uow.agent_tools.proposals.get(proposal_id)
    if seen is None:
        raise ProposalNotFound()
    case = access_case_for(uow, actor, seen.case_id, for_update=True)
    proposal = uow.agent_tools.proposals.get(proposal_id, for_update=True)
    assert proposal is not None
    return case, proposal


def _check_approver(actor: SupportActor) -> None:
    if not has_permission(actor.roles, Permission.CASES_APPROVE):
        raise Forbidden(
            "approve_forbidden", N_("Only senior agents and supervisors approve case actions.")
        )


def approve(
    rt: Runtime, actor: SupportActor, proposal_id: str, *, note: str | None = None
) -> Proposal:
    """check_approve: a second person says yes, and the action runs exactly once. Approving
    what is already approved returns it as it stands (nothing runs again)."""
    _check_approver(actor)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, proposal = _locked(uow, actor, proposal_id)
        if proposal.proposed_by == actor.user_id:
            raise OwnProposal()
        if proposal.customer_id == actor.user_id:
            raise OwnAccount()
        if proposal.status in (ActionStatus.REJECTED, ActionStatus.CANCELLED):
            raise ProposalDecided(status=proposal.status)
        if proposal.status != ActionStatus.PENDING:
            return proposal  # approved before, by this person or another: never twice
        proposal.decided_by = actor.user_id
        proposal.decided_at = now
        proposal.decision_note = " ".join((note or "").split())[:REASON_MAX] or None
        proposal.start(now)
        uow.agent_tools.proposals.save(proposal)
        history_agent_tools.action_decided(
            rt,
            uow,
            case,
            actor.by(case),
            now,
            proposal,
            AgentToolEvent.ACTION_APPROVED,
            before=ActionStatus.PENDING.value,
        )
        uow.support.cases.save(case)
        uow.commit()
    return execute(rt, proposal_id)


def reject(rt: Runtime, actor: SupportActor, proposal_id: str, *, reason: str) -> Proposal:
    """check_reject: a second person says no; nothing runs. The proposer cancels instead."""
    _check_approver(actor)
    note = _reason(reason)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, proposal = _locked(uow, actor, proposal_id)
        if proposal.proposed_by == actor.user_id:
            raise OwnProposal()
        if proposal.status != ActionStatus.PENDING:
            raise ProposalDecided(status=proposal.status)
        proposal.decision_note = note
        _close_pending(rt, uow, actor, case, proposal, ActionStatus.REJECTED, now)
    return proposal


def cancel(rt: Runtime, actor: SupportActor, proposal_id: str) -> Proposal:
    """The proposer withdraws a proposal that is still waiting for approval."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case, proposal = _locked(uow, actor, proposal_id)
        if proposal.proposed_by != actor.user_id:
            raise Forbidden(
                "not_your_proposal", N_("Only the person who proposed an action can cancel it.")
            )
        if proposal.status != ActionStatus.PENDING:
            raise ProposalDecided(status=proposal.status)
        _close_pending(rt, uow, actor, case, proposal, ActionStatus.CANCELLED, now)
    return proposal


_CLOSING_EVENTS = {
    ActionStatus.REJECTED: AgentToolEvent.ACTION_REJECTED,
    ActionStatus.CANCELLED: AgentToolEvent.ACTION_CANCELLED,
}


def _close_pending(
    rt: Runtime,
    uow: UnitOfWork,
    actor: SupportActor,
    case: Case,
    proposal: Proposal,
    status: ActionStatus,
    now: datetime,
) -> None:
    """End a pending proposal without executing it (rejected or withdrawn), write that to
    the case history and commit."""
    proposal.status = status.value
    proposal.decided_by, proposal.decided_at = actor.user_id, now
    uow.agent_tools.proposals.save(proposal)
    history_agent_tools.action_decided(
        rt,
        uow,
        case,
        actor.by(case),
        now,
        proposal,
        _CLOSING_EVENTS[status],
        before=ActionStatus.PENDING.value,
    )
    uow.support.cases.save(case)
    uow.commit()


def case_actions(rt: Runtime, actor: SupportActor, case_id: str) -> list[Proposal]:
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        return uow.agent_tools.proposals.for_case(case.id)


def action(rt: Runtime, actor: SupportActor, proposal_id: str) -> Proposal:
    with rt.db.uow(read_only=True) as uow:
        proposal = uow.agent_tools.proposals.get(proposal_id)
        if proposal is None:
            raise ProposalNotFound()
        access_case_for(uow, actor, proposal.case_id)
        return proposal


@dataclass(frozen=True)
class AwaitingApproval:
    proposal: Proposal
    case_subject: str
    proposer_name: str | None
    mine: bool
    """Proposed by the reader: they cannot approve it, someone else must."""


def approvals_inbox(
    rt: Runtime,
    actor: SupportActor,
    *,
    limit: int = 50,
    after: tuple[datetime, str] | None = None,
) -> list[AwaitingApproval]:
    """Proposals waiting for a second person, oldest first."""
    _check_approver(actor)
    with rt.db.uow(read_only=True) as uow:
        waiting = uow.agent_tools.proposals.with_status(
            [ActionStatus.PENDING.value], limit=max(1, min(limit, INBOX_MAX)), after=after
        )
        items = []
        for proposal in waiting:
            case = access_case_for(uow, actor, proposal.case_id)
            proposer = uow.users.get(proposal.proposed_by)
            items.append(
                AwaitingApproval(
                    proposal,
                    case.subject,
                    proposer.display_name if proposer else None,
                    proposal.proposed_by == actor.user_id,
                )
            )
    return items


def policies(rt: Runtime) -> list[ActionPolicy]:
    """The approval threshold of every kind that has one (freezing never waits)."""
    with rt.db.uow(read_only=True) as uow:
        stored = uow.agent_tools.policies.all()
    return [
        stored.get(kind.value) or default_policy(kind)
        for kind in ActionKind
        if kind is not ActionKind.FREEZE
    ]


def set_policy(
    rt: Runtime, actor: Actor, kind: ActionKind, approval_above: Money | None
) -> ActionPolicy:
    """Change when a kind of action needs a second person (None: always); audited."""
    if kind is ActionKind.FREEZE:
        raise ValidationFailed(
            "freeze_needs_no_approval",
            N_("Freezing a wallet is immediate and never waits for approval."),
            field="kind",
        )
    if approval_above is not None and (
        approval_above.currency != "CNY" or approval_above.minor < 0
    ):
        raise ValidationFailed(
            "invalid_threshold",
            N_("Set the threshold as an amount in CNY, zero or more."),
            field="approval_above",
        )
    now = rt.clock.now()
    policy = ActionPolicy(
        kind.value, approval_above.minor if approval_above else None, now, actor.id
    )
    with rt.db.uow() as uow:
        before = policy_for(uow, kind)
        uow.agent_tools.policies.put(policy)
        record(
            uow,
            at=now,
            actor=actor,
            action="support.action_policy_set",
            subject_kind="case_action_policy",
            subject_id=kind.value,
            details={"before": before.approval_above, "after": policy.approval_above},
        )
        uow.commit()
    return policy
