"""Carrying out a case action exactly once, through the ledger and identity services.

A proposal reaches `executing` in the transaction that approves it (or proposes it, when no
second person is needed); that transaction holds the case row lock, so of two approvals at
once only the first finds it pending. Then:

- **in one transaction** (fee waiver, releasing a hold, unfreeze, unlock, raising a limit,
  freeze): the effect, the proposal's `executed` status and the case-history event commit
  together, under the case row lock, after checking the proposal is still `executing`;
- **in the service's own transaction** (refund, reversal): the service runs first with the
  proposal's idempotency key (a refund's `out_request_no`; a reversal is unique per entry and
  carries the key in its reason), then the outcome is recorded. If the process dies in
  between, `resume_executions` runs it again and the service hands back the first result.

A refusal by the service (a `DomainError`) marks the proposal `failed` with its code; nothing
moved. Any other error leaves it `executing` for `resume_executions` to retry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, DomainError, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.freeze import do_freeze_for_case, do_unfreeze_for_case
from walletdesk.identity.notices import notify_owner
from walletdesk.ledger.accounts import platform_account, wallet_account
from walletdesk.ledger.errors import AlreadyReversed
from walletdesk.ledger.holds import release_hold
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.models import AccountKind, EntryKind, Leg
from walletdesk.ledger.money import Money
from walletdesk.ledger.posting import post_entry
from walletdesk.ledger.reversal import reverse_entry
from walletdesk.merchants import refunds
from walletdesk.merchants.store import store
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.support import history_agent_tools
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.actions_model import ActionKind, ActionStatus, Proposal, ProposalNotFound
from walletdesk.support.actions_targets import BANK_HOLDS
from walletdesk.support.models import By

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

ACCOUNT_UNLOCKED = "account.unlocked"
FEE_WAIVED = "support.fee_waived"
TEMPLATES[ACCOUNT_UNLOCKED] = Template(
    ACCOUNT_UNLOCKED,
    N_("Your account was unlocked"),
    N_(
        "Our support team unlocked your walletdesk account at {time}, as you asked. If this "
        "was not you, reset your password now."
    ),
)
TEMPLATES[FEE_WAIVED] = Template(
    FEE_WAIVED,
    N_("Withdrawal fee refunded"),
    N_("We refunded the {amount} fee of your withdrawal to your wallet."),
)
STALE_AFTER = timedelta(minutes=2)

Result = dict[str, Any]


def executor_of(proposal: Proposal) -> str:
    """Who carries it out: the approver, or the proposer when none was needed."""
    return proposal.decided_by or proposal.proposed_by


# -- effects in the service's own transaction ---------------------------------------------


def _refund(rt: Runtime, proposal: Proposal) -> Result:
    assert proposal.target_id and proposal.amount is not None and proposal.currency
    with rt.db.uow(read_only=True) as uow:
        merchant = store(uow).merchants.get(str(proposal.parameters["merchant_id"]))
    if merchant is None:
        raise NotFound("merchant_not_found")
    done = refunds.refund(
        rt,
        merchant,
        proposal.target_id,
        amount=Money(proposal.amount, proposal.currency),
        out_request_no=proposal.idempotency_key,
        locale="zh-CN",
    )
    return {
        "refund_id": done.refund.id,
        "entry_id": done.refund.entry_id,
        "amount": Money(done.refund.amount, done.refund.currency).to_string(),
        "currency": done.refund.currency,
        "merchant": merchant.name,
    }


def _reverse(rt: Runtime, proposal: Proposal) -> Result:
    assert proposal.target_id
    key = proposal.idempotency_key
    try:
        posted = reverse_entry(
            rt,
            entry_id=proposal.target_id,
            reason=f"{key} {proposal.reason}",
            actor_id=executor_of(proposal),
        )
    except AlreadyReversed:
        with rt.db.uow(read_only=True) as uow:
            earlier = uow.journal.reversal_of(proposal.target_id)
        reason = str(json.loads(earlier.details).get("reason", "")) if earlier else ""
        if earlier is None or not reason.startswith(key):
            raise
        return {"entry_id": earlier.id}  # our own reversal, from a run that died before here
    return {"entry_id": posted.entry.id}


OUTSIDE: dict[ActionKind, Callable[[Runtime, Proposal], Result]] = {
    ActionKind.REFUND: _refund,
    ActionKind.REVERSE: _reverse,
}


# -- effects inside the recording transaction ---------------------------------------------


def _waive_fee(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    assert proposal.target_id and proposal.amount is not None and proposal.currency
    fee = Money(proposal.amount, proposal.currency)
    revenue = platform_account(rt, uow, AccountKind.FEE_REVENUE, fee.currency)
    wallet = wallet_account(rt, uow, proposal.customer_id, fee.currency)
    posted = post_entry(
        rt,
        uow,
        kind=EntryKind.ADJUSTMENT,
        legs=[Leg(revenue.id, -fee.minor, fee.currency), Leg(wallet.id, fee.minor, fee.currency)],
        description="Withdrawal fee waived",
        details={
            "to_user": proposal.customer_id,
            "from_name": "walletdesk",
            "note": "fee waived",
            "waives_fee_of": proposal.target_id,
            "case_id": proposal.case_id,
            "proposal_id": proposal.id,
        },
        actor_id=executor_of(proposal),
    )
    now = rt.clock.now()
    if not uow.agent_tools.fee_waivers.add_once(
        proposal.target_id, proposal.id, posted.entry.id, now
    ):
        raise Conflict("fee_already_waived", N_("This fee was already waived."))
    customer = uow.users.get(proposal.customer_id)
    if customer is not None:
        rt.outbox.notify_user(
            uow,
            now=now,
            user=customer,
            template=FEE_WAIVED,
            params={"amount": fee.format(customer.locale)},
            contacts=[],
        )
    return {"entry_id": posted.entry.id, "amount": fee.to_string(), "currency": fee.currency}


def _release_hold(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    assert proposal.target_id
    hold = uow.holds.get(proposal.target_id, for_update=True)
    if hold is not None and hold.purpose in BANK_HOLDS:
        raise Conflict("hold_with_bank")
    released = release_hold(rt, uow, hold_id=proposal.target_id)
    return {"hold_id": released.id, "status": released.status}


def _unfreeze(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    changed = do_unfreeze_for_case(
        rt,
        uow,
        proposal.customer_id,
        staff_id=proposal.proposed_by,
        approved_by=executor_of(proposal),
        case_id=proposal.case_id,
    )
    return {"was_frozen": changed}


def _freeze(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    changed = do_freeze_for_case(
        rt,
        uow,
        proposal.customer_id,
        reason=proposal.reason,
        staff_id=proposal.proposed_by,
        case_id=proposal.case_id,
    )
    return {"was_frozen": not changed}


def _unlock(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    now = rt.clock.now()
    user = uow.users.get(proposal.customer_id, for_update=True)
    if user is None:
        raise NotFound("user_not_found")
    was_locked = user.lock_remaining(now) is not None
    user.failed_login_count = 0
    user.locked_until = None
    user.updated_at = now
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        Actor.staff(executor_of(proposal)),
        "account.unlocked",
        user.id,
        by="support",
        case_id=proposal.case_id,
        proposed_by=proposal.proposed_by,
    )
    if was_locked:
        notify_owner(rt, uow, user, ACCOUNT_UNLOCKED, now)
    return {"was_locked": was_locked}


def _raise_limit(rt: Runtime, uow: UnitOfWork, proposal: Proposal) -> Result:
    now = rt.clock.now()
    params = proposal.parameters
    limit = Limit(int(params["per_transaction"]), int(params["per_day"]), int(params["per_year"]))
    until = now + timedelta(days=int(params["days"]))
    uow.agent_tools.limit_overrides.put(
        proposal.customer_id,
        limit,
        expires_at=until,
        case_id=proposal.case_id,
        proposal_id=proposal.id,
        at=now,
    )
    record_for_user(
        uow,
        now,
        Actor.staff(executor_of(proposal)),
        "limits.raised",
        proposal.customer_id,
        by="support",
        case_id=proposal.case_id,
        per_day=limit.per_day,
        until=until.isoformat(),
    )
    return {
        "per_transaction": Money(limit.per_transaction, "CNY").to_string(),
        "per_day": Money(limit.per_day, "CNY").to_string(),
        "per_year": Money(limit.per_year, "CNY").to_string(),
        "expires_at": until.isoformat(),
    }


Effect = Callable[["Runtime", "UnitOfWork", Proposal], Result]
INSIDE: dict[ActionKind, Effect] = {
    ActionKind.WAIVE_FEE: _waive_fee,
    ActionKind.RELEASE_HOLD: _release_hold,
    ActionKind.UNFREEZE: _unfreeze,
    ActionKind.UNLOCK: _unlock,
    ActionKind.RAISE_LIMIT: _raise_limit,
    ActionKind.FREEZE: _freeze,
}


# -- recording --------------------------------------------------------------------------------


def _conclude(
    rt: Runtime,
    proposal_id: str,
    *,
    result: Result | None = None,
    failure: str | None = None,
    effect: Effect | None = None,
) -> Proposal:
    """Under the case and proposal row locks: if the proposal is still executing, apply
    `effect` (if any) and record the outcome with its history event; commit."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        seen = uow.agent_tools.proposals.get(proposal_id)
        if seen is None:
            raise ProposalNotFound()
        case = access_case_for(uow, SupportActor.system(), seen.case_id, for_update=True)
        proposal = uow.agent_tools.proposals.get(proposal_id, for_update=True)
        assert proposal is not None
        if proposal.status != ActionStatus.EXECUTING:
            return proposal  # another run recorded it first
        if failure is not None:
            proposal.fail(now, failure)
        else:
            proposal.finish(now, effect(rt, uow, proposal) if effect else (result or {}))
        uow.agent_tools.proposals.save(proposal)
        by = By.agent(executor_of(proposal))
        history_agent_tools.action_finished(rt, uow, case, by, now, proposal)
        uow.support.cases.save(case)
        uow.commit()
    return proposal


def execute(rt: Runtime, proposal_id: str) -> Proposal:
    """Carry out a proposal that is `executing` (see the module docstring); any other status
    is returned as it is. Safe to call again: it never acts twice."""
    with rt.db.uow(read_only=True) as uow:
        proposal = uow.agent_tools.proposals.get(proposal_id)
    if proposal is None:
        raise ProposalNotFound()
    if proposal.status != ActionStatus.EXECUTING:
        return proposal
    kind = ActionKind(proposal.kind)
    if kind in OUTSIDE:
        try:
            result = OUTSIDE[kind](rt, proposal)
        except DomainError as exc:
            return _conclude(rt, proposal_id, failure=exc.code)
        return _conclude(rt, proposal_id, result=result)
    try:
        return _conclude(rt, proposal_id, effect=INSIDE[kind])
    except DomainError as exc:
        # The effect's transaction rolled back whole; record why in a new one.
        return _conclude(rt, proposal_id, failure=exc.code)


def resume_executions(rt: Runtime, *, stale_after: timedelta = STALE_AFTER, limit: int = 50) -> int:
    """Finish proposals left `executing` for longer than `stale_after` (their process died
    between approval and recording); returns how many are no longer executing."""
    cutoff = rt.clock.now() - stale_after
    with rt.db.uow(read_only=True) as uow:
        stuck = uow.agent_tools.proposals.executing_since_before(cutoff, limit=limit)
    finished = 0
    for proposal_id in stuck:
        try:
            if execute(rt, proposal_id).status != ActionStatus.EXECUTING:
                finished += 1
        except Exception:
            # The next sweep tries again; one stuck proposal must not hold up the others.
            logger.exception("resuming case action failed proposal=%s", proposal_id)
    return finished
