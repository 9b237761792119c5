"""Transfers held for review (审核中): the payer's funds are reserved (available -> held), the
receiver gets nothing until a reviewer approves (the hold is captured into one transfer entry)
or declines (released). The payer sees and may cancel them. `risk_review_sweep` never
approves: after the final timeout it declines, releases and tells the payer.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.masking import mask_name
from walletdesk.identity.notices import notify_owner
from walletdesk.identity.vault import real_name_of
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import capture_hold, place_hold, release_hold
from walletdesk.ledger.limits import give_back_limits
from walletdesk.ledger.models import EntryKind, HoldStatus, Leg
from walletdesk.ledger.money import Money
from walletdesk.risk.engine import record_movement
from walletdesk.risk.models import Action, Movement, MovementKind
from walletdesk.risk.review_models import HeldStatus, HeldTransfer

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.models import User
    from walletdesk.risk.screening import Screened
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

HOLD_PURPOSE = "risk_review"
HOLD_MARGIN = timedelta(days=1)
"""The hold outlives the final timeout, so only the sweep (never `expire_holds`) ends it."""


def hold_transfer(
    rt: Runtime,
    uow: UnitOfWork,
    screened: Screened,
    *,
    payer: User,
    recipient: User,
    amount: Money,
    note: str | None,
    locale: str,
) -> HeldTransfer:
    """Instead of posting: reserve the funds, store the held transfer, join or open the
    payer's review case and, for a freeze decision, freeze the payer — all in `uow`."""
    from walletdesk.risk.review import join_case  # review imports this module

    now = rt.clock.now()
    decision = screened.decision
    timeout = timedelta(hours=rt.settings.risk_review_timeout_hours)
    source = wallet_account(rt, uow, payer.id, amount.currency)
    hold = place_hold(
        rt,
        uow,
        account_id=source.id,
        amount=amount,
        purpose=HOLD_PURPOSE,
        ttl=timeout + HOLD_MARGIN,
        reference=screened.movement.id,
        locale=locale,
    )
    case = join_case(rt, uow, decision)
    held = HeldTransfer(
        id=screened.movement.id,
        user_id=payer.id,
        recipient_id=recipient.id,
        hold_id=hold.id,
        decision_id=decision.id,
        case_id=case.id,
        amount_minor=amount.minor,
        currency=amount.currency,
        amount_cny_minor=screened.movement.amount_cny_minor,
        note=note,
        locale=locale,
        device_id=screened.movement.device_id,
        ip=screened.movement.ip,
        status=HeldStatus.UNDER_REVIEW.value,
        created_at=now,
        expected_by=now + timedelta(minutes=rt.settings.risk_review_expected_minutes),
        decline_at=now + timeout,
    )
    uow.risk_review.held.add(held)
    if decision.action is Action.FREEZE:
        auto_freeze(rt, uow, payer.id, case_id=case.id, decision_id=decision.id)
        case.auto_frozen = True
        uow.risk_review.cases.save(case)
    record_for_user(
        uow, now, Actor.system(), "risk.transfer_held", payer.id, held_id=held.id, case_id=case.id
    )
    rt.outbox.notify_user(
        uow,
        now=now,
        user=payer,
        template="risk.transfer_held",
        params={"amount": amount.format(payer.locale), "expected_by": held.expected_by},
        contacts=[],
    )
    return held


def auto_freeze(
    rt: Runtime, uow: UnitOfWork, user_id: str, *, case_id: str, decision_id: str
) -> bool:
    """Freeze the wallet for the risk engine, in `uow`, and tell the owner in the app and by
    SMS (the `wallet.frozen` notice: zh/en, no links). False when it was frozen already."""
    now = rt.clock.now()
    user = uow.users.get(user_id, for_update=True)
    if user is None:
        raise NotFound("user_not_found")
    if user.is_frozen:
        return False
    user.freeze(now, "risk: automatic freeze")
    uow.users.save(user)
    record_for_user(
        uow,
        now,
        Actor.system(),
        "wallet.frozen",
        user.id,
        by="risk",
        case_id=case_id,
        decision_id=decision_id,
    )
    notify_owner(rt, uow, user, "wallet.frozen", now)
    return True


def held_transfers_of(
    rt: Runtime, actor: Authenticated, *, pending_only: bool = True
) -> list[HeldTransfer]:
    with rt.db.uow(read_only=True) as uow:
        return uow.risk_review.held.of_user(actor.user.id, pending_only=pending_only)


def _not_pending(held: HeldTransfer) -> Conflict:
    return Conflict(
        "held_transfer_settled",
        N_("This transfer is no longer under review ({status})."),
        status=held.status,
    )


def cancel_held(rt: Runtime, actor: Authenticated, held_id: str) -> HeldTransfer:
    """The payer withdraws a transfer under review: the reserved money is free again."""
    with rt.db.uow() as uow:
        held = uow.risk_review.held.get(held_id, for_update=True)
        if held is None or held.user_id != actor.user.id:
            raise NotFound("held_transfer_not_found")
        if not held.pending:
            raise _not_pending(held)
        release(rt, uow, held, HeldStatus.CANCELLED, by=actor.user.id)
        record_for_user(
            uow,
            rt.clock.now(),
            Actor.user(actor.user.id),
            "risk.transfer_cancelled",
            held.user_id,
            held_id=held.id,
        )
        uow.commit()
    return held


def release(
    rt: Runtime, uow: UnitOfWork, held: HeldTransfer, status: HeldStatus, *, by: str | None
) -> None:
    """Give the reserved money (and the limits it used) back; `held` must be locked."""
    try:
        release_hold(rt, uow, hold_id=held.hold_id)
    except Conflict:
        hold = uow.holds.get(held.hold_id)
        if hold is None or hold.status == HoldStatus.CAPTURED:
            raise
        # Released by `expire_holds` already: the money is free; only the record is left.
    give_back_limits(
        uow,
        subject_id=held.user_id,
        amount=Money(held.amount_minor, held.currency),
        used_at=held.created_at,
        counted=held.amount_cny_minor,
    )
    held.status = status.value
    held.resolved_at = rt.clock.now()
    held.resolved_by = by
    uow.risk_review.held.save(held)
    if status is not HeldStatus.CANCELLED:
        payer = uow.users.get(held.user_id)
        if payer is not None:
            rt.outbox.notify_user(
                uow,
                now=rt.clock.now(),
                user=payer,
                template="risk.transfer_declined",
                params={"amount": Money(held.amount_minor, held.currency).format(payer.locale)},
                contacts=[],
            )


def _name(rt: Runtime, user: User) -> str:
    return mask_name(real_name_of(rt.cipher, user) or user.display_name)


def approve(rt: Runtime, uow: UnitOfWork, held: HeldTransfer, *, by: str) -> str:
    """Capture the hold into one transfer entry to the receiver; returns the entry id."""
    payer = uow.users.get(held.user_id)
    recipient = uow.users.get(held.recipient_id)
    assert payer is not None and recipient is not None
    amount = Money(held.amount_minor, held.currency)
    target = wallet_account(rt, uow, recipient.id, held.currency)
    posted = capture_hold(
        rt,
        uow,
        hold_id=held.hold_id,
        amount=amount,
        to_legs=[Leg(target.id, amount.minor, amount.currency)],
        kind=EntryKind.TRANSFER,
        description="P2P transfer",
        details={
            "from_user": payer.id,
            "to_user": recipient.id,
            "note": held.note,
            "from_name": mask_name(payer.display_name),
            "to_name": _name(rt, recipient),
            "held_transfer": held.id,
        },
    )
    now = rt.clock.now()
    record_movement(
        uow,
        Movement(
            id=held.id,
            kind=MovementKind.TRANSFER,
            sender_id=held.user_id,
            receiver_id=held.recipient_id,
            amount_minor=held.amount_minor,
            currency=held.currency,
            amount_cny_minor=held.amount_cny_minor,
            at=now,
            device_id=held.device_id,
            ip=held.ip,
        ),
    )
    held.status = HeldStatus.APPROVED.value
    held.resolved_at = now
    held.resolved_by = by
    held.entry_id = posted.entry.id
    uow.risk_review.held.save(held)
    rt.outbox.notify_user(
        uow,
        now=now,
        user=recipient,
        template="transfer.received",
        params={"name": mask_name(payer.display_name), "amount": amount.format(recipient.locale)},
        contacts=[],
    )
    rt.outbox.notify_user(
        uow,
        now=now,
        user=payer,
        template="risk.transfer_approved",
        params={"amount": amount.format(payer.locale)},
        contacts=[],
    )
    return posted.entry.id


def risk_review_sweep(rt: Runtime, *, limit: int = 200) -> int:
    """Decline every held transfer whose final timeout has come (never approve one): release
    the money and tell the payer. Returns how many it declined."""
    declined = 0
    with rt.db.uow() as uow:
        now = rt.clock.now()
        for held_id in uow.risk_review.held.due(now, limit=limit):
            held = uow.risk_review.held.get(held_id, for_update=True)
            if held is None or not held.pending or held.decline_at > now:
                continue  # decided while we waited for its row lock
            release(rt, uow, held, HeldStatus.TIMED_OUT, by=None)
            record_for_user(
                uow,
                now,
                Actor.system(),
                "risk.transfer_timed_out",
                held.user_id,
                held_id=held.id,
                case_id=held.case_id,
            )
            declined += 1
        uow.commit()
    return declined
