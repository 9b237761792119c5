"""Movements held for review (审核中): transfers, merchant payments from the balance and
withdrawals. The payer's funds are reserved (available -> held); the receiver gets nothing
until a reviewer approves (a transfer or payment is captured into one entry, a withdrawal is
sent to the bank) or declines (released, and a payment's order is payable again). The payer
sees them in the history with the expected decision time and may cancel them.
`risk_review_sweep` never approves: after the final timeout it declines, releases and tells
the payer. What is particular to a payment or a withdrawal lives with them
(`merchants.screening`, `banking.screening`); this module dispatches on `kind`. Approving is
in `held_approval`.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, NotFound
from walletdesk.i18n import N_
from walletdesk.identity.notices import notify_owner
from walletdesk.ledger.accounts import wallet_account
from walletdesk.ledger.holds import place_hold, release_hold
from walletdesk.ledger.limits import give_back_limits
from walletdesk.ledger.models import HoldStatus
from walletdesk.ledger.money import Money
from walletdesk.risk import held_history  # noqa: F401 - shows held movements in the history
from walletdesk.risk.held_notices import TEMPLATES_BY_KIND
from walletdesk.risk.models import Action, MovementKind
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
    limit_counted: int | None = None,
) -> HeldTransfer:
    """Instead of posting a P2P transfer: `hold_movement` to the recipient's wallet.
    `limit_counted` is what `check_outgoing` counted (given back on a decline)."""
    del note  # the screened movement carries it
    return hold_movement(
        rt,
        uow,
        screened,
        payer=payer,
        amount=amount,
        locale=locale,
        recipient_id=recipient.id,
        details={"limit_counted": limit_counted} if limit_counted is not None else None,
    )


def hold_movement(
    rt: Runtime,
    uow: UnitOfWork,
    screened: Screened,
    *,
    payer: User,
    amount: Money,
    locale: str,
    recipient_id: str | None,
    reference: str | None = None,
    details: dict[str, object] | None = None,
    hold_id: str | None = None,
) -> HeldTransfer:
    """Instead of posting: reserve the funds, store the held movement, join or open the
    payer's review case and, for a freeze decision, freeze the payer — all in `uow`.

    `amount` is what the receiver would get; `hold_id` is a hold the caller placed itself (a
    withdrawal reserves its fee too, for as long as the bank may take), otherwise `amount` is
    reserved here until past the final timeout. `details` keep what approving it needs."""
    from walletdesk.risk.review import join_case  # review imports this module

    now = rt.clock.now()
    decision = screened.decision
    movement = screened.movement
    timeout = timedelta(hours=rt.settings.risk_review_timeout_hours)
    if hold_id is None:
        source = wallet_account(rt, uow, payer.id, amount.currency)
        hold_id = place_hold(
            rt,
            uow,
            account_id=source.id,
            amount=amount,
            purpose=HOLD_PURPOSE,
            ttl=timeout + HOLD_MARGIN,
            reference=movement.id,
            locale=locale,
        ).id
    case = join_case(rt, uow, decision)
    held = HeldTransfer(
        id=movement.id,
        user_id=payer.id,
        recipient_id=recipient_id,
        hold_id=hold_id,
        decision_id=decision.id,
        case_id=case.id,
        amount_minor=amount.minor,
        currency=amount.currency,
        amount_cny_minor=movement.amount_cny_minor,
        note=screened.note,
        locale=locale,
        device_id=movement.device_id,
        ip=movement.ip,
        status=HeldStatus.UNDER_REVIEW.value,
        created_at=now,
        expected_by=now + timedelta(minutes=rt.settings.risk_review_expected_minutes),
        decline_at=now + timeout,
        kind=str(movement.kind),
        reference=reference,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
    )
    uow.risk_review.held.add(held)
    if decision.action is Action.FREEZE:
        auto_freeze(rt, uow, payer.id, case_id=case.id, decision_id=decision.id)
        case.auto_frozen = True
        uow.risk_review.cases.save(case)
    record_for_user(
        uow,
        now,
        Actor.system(),
        f"risk.{movement.kind}_held",
        payer.id,
        held_id=held.id,
        case_id=case.id,
    )
    rt.outbox.notify_user(
        uow,
        now=now,
        user=payer,
        template=TEMPLATES_BY_KIND[movement.kind][0],
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
    rt: Runtime,
    actor: Authenticated,
    *,
    pending_only: bool = True,
    kinds: tuple[MovementKind, ...] = (MovementKind.TRANSFER,),
) -> list[HeldTransfer]:
    """The actor's held movements of `kinds` (P2P transfers unless asked), newest first.
    Held payments and withdrawals show in the transaction history (`risk.held_history`)."""
    with rt.db.uow(read_only=True) as uow:
        found = uow.risk_review.held.of_user(actor.user.id, pending_only=pending_only)
    wanted = {str(kind) for kind in kinds}
    return [held for held in found if held.kind in wanted]


def _not_pending(held: HeldTransfer) -> Conflict:
    if held.kind != MovementKind.TRANSFER:
        return Conflict(
            "held_movement_settled",
            N_("This payment or withdrawal is no longer under review ({status})."),
            status=held.status,
        )
    return Conflict(
        "held_transfer_settled",
        N_("This transfer is no longer under review ({status})."),
        status=held.status,
    )


def cancel_held(rt: Runtime, actor: Authenticated, held_id: str) -> HeldTransfer:
    """The payer withdraws a movement under review (a transfer, payment or withdrawal): the
    reserved money is free again, and a payment's order is payable again."""
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
            f"risk.{held.kind}_cancelled",
            held.user_id,
            held_id=held.id,
        )
        uow.commit()
    return held


def release(
    rt: Runtime, uow: UnitOfWork, held: HeldTransfer, status: HeldStatus, *, by: str | None
) -> None:
    """Give the reserved money (and the limits it used) back; `held` must be locked. A held
    payment's order becomes payable again, a held withdrawal's operation ends."""
    try:
        release_hold(rt, uow, hold_id=held.hold_id)
    except Conflict:
        hold = uow.holds.get(held.hold_id)
        if hold is None or hold.status == HoldStatus.CAPTURED:
            raise
        # Released by `expire_holds` already: the money is free; only the record is left.
    counted = held.facts.get("limit_counted", held.amount_cny_minor)
    give_back_limits(
        uow,
        subject_id=held.user_id,
        amount=Money(held.amount_minor, held.currency),
        used_at=held.created_at,
        counted=int(str(counted)),
    )
    held.status = status.value
    held.resolved_at = rt.clock.now()
    held.resolved_by = by
    uow.risk_review.held.save(held)
    if held.kind == MovementKind.PAYMENT:
        from walletdesk.merchants.screening import end_held_payment

        end_held_payment(rt, uow, held)
    elif held.kind == MovementKind.WITHDRAWAL:
        from walletdesk.banking.screening import end_held_withdrawal

        end_held_withdrawal(rt, uow, held)
    if status is not HeldStatus.CANCELLED:
        payer = uow.users.get(held.user_id)
        if payer is not None:
            rt.outbox.notify_user(
                uow,
                now=rt.clock.now(),
                user=payer,
                template=TEMPLATES_BY_KIND[MovementKind(held.kind)][1],
                params={"amount": Money(held.amount_minor, held.currency).format(payer.locale)},
                contacts=[],
            )


def risk_review_sweep(rt: Runtime, *, limit: int = 200) -> int:
    """Decline every held movement whose final timeout has come (never approve one): release
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
                f"risk.{held.kind}_timed_out",
                held.user_id,
                held_id=held.id,
                case_id=held.case_id,
            )
            declined += 1
        uow.commit()
    return declined
