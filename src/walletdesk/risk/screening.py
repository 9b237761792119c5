"""Screening a money movement before it posts, inside the movement's unit of work.

Every movement is assessed (`settings.risk_screen_transfers`, on by default): P2P transfers
(`ledger.transfers`, and `ledger.transfer_batches` on PostgreSQL), merchant payments from the
balance and by card, withdrawals, top-ups and FX conversions.

    screened = screen(rt, uow, movement)          # the decision is stored in `uow`
    approve   -> post as usual, then `record_posted(uow, screened)`
    hold      -> reserve the funds instead of posting (`held_transfers.hold_movement`), for
                 the kinds that can wait for a reviewer: transfer, wallet payment, withdrawal
    freeze    -> the same, and freeze the payer in the same transaction
    decline / step_up -> leave the unit of work WITHOUT committing (the limits counted and
                 anything else roll back), then `raise refuse(rt, screened)`, which keeps the
                 decision in its own short transaction and returns the coded error to raise.

Kinds that cannot wait for a reviewer — a top-up (money coming IN from the user's own card,
nothing of theirs to reserve), an FX conversion (a quote lives seconds) and a card payment (the
money is on the card, not in the wallet) — are refused on hold as on decline: nothing is
charged or posted, the decision is stored, and a hold or freeze decision also opens (or joins)
the customer's review case so that a reviewer sees it; freeze freezes the wallet in that same
transaction. Fail closed therefore means "not made" for them, "held" for the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.errors import DomainError, StepUpRequired
from walletdesk.i18n import N_
from walletdesk.randomness import new_id
from walletdesk.risk.engine import assess, record_movement
from walletdesk.risk.models import Action, Decision, Movement, MovementKind

if TYPE_CHECKING:
    from walletdesk.identity.models import User
    from walletdesk.ledger.money import Money
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

HOLDABLE = frozenset({MovementKind.TRANSFER, MovementKind.PAYMENT, MovementKind.WITHDRAWAL})
"""Kinds a hold decision reserves and puts in front of a reviewer (see the module docstring)."""


class TransferDeclined(DomainError):
    http_status = 422
    default_code = "transfer_declined"
    default_message = N_(
        "This transfer cannot be made. If you think this is a mistake, contact support in the app."
    )


class MovementDeclined(DomainError):
    """A payment, withdrawal, top-up or exchange the risk engine refused (code
    `<kind>_declined`), or one it wanted reviewed that cannot wait (`<kind>_needs_review`)."""

    http_status = 422
    default_code = "movement_declined"


_DECLINED = {
    MovementKind.PAYMENT: N_(
        "This payment cannot be made. If you think this is a mistake, contact support in the app."
    ),
    MovementKind.WITHDRAWAL: N_(
        "This withdrawal cannot be made. If you think this is a mistake, contact support in "
        "the app."
    ),
    MovementKind.TOPUP: N_(
        "This top-up cannot be made. If you think this is a mistake, contact support in the app."
    ),
    MovementKind.FX: N_(
        "This exchange cannot be made. If you think this is a mistake, contact support in the app."
    ),
}
_NEEDS_REVIEW = {
    MovementKind.PAYMENT: N_(
        "This card payment needs a check by our risk team first, so your card was not charged. "
        "We will contact you in the app; you can also contact support."
    ),
    MovementKind.TOPUP: N_(
        "This top-up needs a check by our risk team first, so your card was not charged. "
        "We will contact you in the app; you can also contact support."
    ),
    MovementKind.FX: N_(
        "This exchange needs a check by our risk team first, so nothing was exchanged. "
        "We will contact you in the app; you can also contact support."
    ),
}


@dataclass(frozen=True)
class Screened:
    decision: Decision
    movement: Movement
    note: str | None = None

    @property
    def action(self) -> Action:
        return self.decision.action

    @property
    def approved(self) -> bool:
        return self.decision.action is Action.APPROVE

    @property
    def held(self) -> bool:
        """Hold or freeze: reserve the funds and put it in front of a reviewer."""
        return self.decision.action in (Action.HOLD, Action.FREEZE)

    @property
    def refused(self) -> bool:
        return self.decision.action in (Action.DECLINE, Action.STEP_UP)

    @property
    def refused_here(self) -> bool:
        """Refused for this kind: a decline or step-up, or a hold of a kind that cannot wait."""
        return self.refused or (self.held and self.movement.kind not in HOLDABLE)


def fingerprint(rt: Runtime, uow: UnitOfWork, device_id: str | None) -> str | None:
    """The device fingerprint the engine compares (a session carries the device row's id).
    A device row's fingerprint never changes, so each runtime reads it once per device."""
    if device_id is None:
        return None
    known = rt.device_fingerprints.get(device_id)
    if known is not None:
        return known
    device = uow.devices.get(device_id)
    if device is None:
        return device_id
    return rt.device_fingerprints.setdefault(device_id, device.fingerprint)


def movement_of(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    kind: MovementKind,
    sender_id: str,
    receiver_id: str | None,
    amount: Money,
    cny_amount: int,
    device_id: str | None,
    ip: str | None,
    movement_id: str | None = None,
    sender_balance_minor: int | None = None,
    at: datetime | None = None,
) -> Movement:
    """The movement as the engine sees it; `device_id` is the session's device row id."""
    return Movement(
        id=movement_id or new_id(rt.random, "htr"),
        kind=kind,
        sender_id=sender_id,
        receiver_id=receiver_id,
        amount_minor=amount.minor,
        currency=amount.currency,
        amount_cny_minor=cny_amount,
        at=at or rt.clock.now(),
        device_id=fingerprint(rt, uow, device_id),
        ip=ip,
        sender_balance_minor=sender_balance_minor,
    )


def screen(
    rt: Runtime, uow: UnitOfWork, movement: Movement, *, note: str | None = None
) -> Screened:
    """Assess `movement`; the decision is stored in `uow` (not committed)."""
    return Screened(assess(rt, uow, movement), movement, note)


def screen_transfer(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    payer: User,
    recipient_id: str,
    amount: Money,
    cny_amount: int,
    note: str | None,
    locale: str,
    device_id: str | None,
    ip: str | None,
    movement_id: str | None = None,
    sender_balance_minor: int | None = None,
) -> Screened:
    """Assess the transfer (the decision is stored in `uow`, not committed). `cny_amount` is
    what `check_outgoing` returned; `movement_id` defaults to a new id, which becomes the held
    transfer's id when it is held. `locale` is the payer's, for the reasons shown to them."""
    del locale  # reasons carry both languages; kept so callers state it
    movement = movement_of(
        rt,
        uow,
        kind=MovementKind.TRANSFER,
        sender_id=payer.id,
        receiver_id=recipient_id,
        amount=amount,
        cny_amount=cny_amount,
        device_id=device_id,
        ip=ip,
        movement_id=movement_id,
        sender_balance_minor=sender_balance_minor,
    )
    return screen(rt, uow, movement, note=note)


class RefusedByRisk(Exception):  # noqa: N818 - a signal, not an error shown to anyone
    """Raised inside a movement's unit of work so that it rolls back; `refusals` outside
    that unit of work turns it into the coded error (see `refuse`)."""

    def __init__(self, screened: Screened) -> None:
        super().__init__(f"refused by the risk engine: {screened.decision.id}")
        self.screened = screened


def check_screened(screened: Screened, *, can_hold: bool = True) -> Screened:
    """Raise `RefusedByRisk` when the movement may not go ahead here (a decline or step-up,
    or a hold of a kind that cannot wait for a reviewer — or of one that can, when the
    caller cannot reserve it: `can_hold=False`, a card payment); else return it."""
    if screened.refused_here or (screened.held and not can_hold):
        raise RefusedByRisk(screened)
    return screened


@contextmanager
def refusals(rt: Runtime) -> Iterator[None]:
    """Around a movement's unit of work, OUTSIDE it (``with refusals(rt), rt.db.uow() as
    uow:``): the unit of work rolls back first, then the refusal's decision is kept in its
    own transaction and the coded error raised."""
    try:
        yield
    except RefusedByRisk as refused:
        raise refuse(rt, refused.screened) from None


def record_posted(uow: UnitOfWork, screened: Screened) -> None:
    """The approved movement posted in `uow`: add it to the engine's history."""
    record_movement(uow, screened.movement)


def refuse(rt: Runtime, screened: Screened) -> DomainError:
    """Keep the decision in its own transaction (the movement's unit of work has rolled back)
    and return the coded error to raise. A hold or freeze of a kind that cannot wait also
    joins the customer's review case, and a freeze freezes the wallet, in that transaction."""
    from walletdesk.risk.held_transfers import auto_freeze
    from walletdesk.risk.review import join_case  # review imports held_transfers

    with rt.db.uow() as uow:
        uow.risk.add_decision(screened.decision)
        if screened.held:
            case = join_case(rt, uow, screened.decision)
            if screened.action is Action.FREEZE:
                auto_freeze(
                    rt,
                    uow,
                    screened.decision.user_id,
                    case_id=case.id,
                    decision_id=screened.decision.id,
                )
                case.auto_frozen = True
                uow.risk_review.cases.save(case)
        uow.commit()
    return refusal(screened)


def refusal(screened: Screened) -> DomainError:
    """The coded, translated error a refused movement raises."""
    kind = screened.movement.kind
    if screened.action is Action.STEP_UP:
        return StepUpRequired(
            "step_up_required",
            N_(
                "Confirm it is you before this transfer: enter the code from your "
                "authenticator app or the code we sent."
            )
            if kind is MovementKind.TRANSFER
            else N_(
                "Confirm it is you first: enter the code from your authenticator app or the "
                "code we sent."
            ),
        )
    if kind is MovementKind.TRANSFER:
        return TransferDeclined()
    if screened.held and kind in _NEEDS_REVIEW:
        return MovementDeclined(f"{kind}_needs_review", _NEEDS_REVIEW[kind])
    return MovementDeclined(f"{kind}_declined", _DECLINED[kind])
