"""Screening a P2P transfer before it posts, inside the transfer's unit of work.

screened = screen_transfer(rt, uow, payer=..., recipient_id=..., amount=..., ...)
approve -> post as usual, then `record_posted(uow, screened)`
hold / freeze -> `held_transfers.hold_transfer(...)` instead of posting (freeze also
                 freezes the payer in the same transaction)
decline / step_up -> leave the unit of work WITHOUT committing (the limits counted and
                 anything else roll back), then `raise refuse(rt, screened)`, which keeps
                 the decision in its own short transaction and returns the error to raise.
"""

from __future__ import annotations

from dataclasses import dataclass
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


class TransferDeclined(DomainError):
    http_status = 422
    default_code = "transfer_declined"
    default_message = N_(
        "This transfer cannot be made. If you think this is a mistake, contact support in the app."
    )


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


def _fingerprint(uow: UnitOfWork, device_id: str | None) -> str | None:
    """The device fingerprint the engine compares (a session carries the device row's id)."""
    if device_id is None:
        return None
    device = uow.devices.get(device_id)
    return device.fingerprint if device is not None else device_id


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
    movement = Movement(
        id=movement_id or new_id(rt.random, "htr"),
        kind=MovementKind.TRANSFER,
        sender_id=payer.id,
        receiver_id=recipient_id,
        amount_minor=amount.minor,
        currency=amount.currency,
        amount_cny_minor=cny_amount,
        at=rt.clock.now(),
        device_id=_fingerprint(uow, device_id),
        ip=ip,
        sender_balance_minor=sender_balance_minor,
    )
    return Screened(assess(rt, uow, movement), movement, note)


def record_posted(uow: UnitOfWork, screened: Screened) -> None:
    """The approved transfer posted in `uow`: add it to the engine's history."""
    record_movement(uow, screened.movement)


def refuse(rt: Runtime, screened: Screened) -> DomainError:
    """Keep a decline or step-up decision in its own transaction (the transfer's unit of work
    has rolled back) and return the coded error to raise."""
    with rt.db.uow() as uow:
        uow.risk.add_decision(screened.decision)
        uow.commit()
    if screened.action is Action.STEP_UP:
        return StepUpRequired(
            "step_up_required",
            N_(
                "Confirm it is you before this transfer: enter the code from your "
                "authenticator app or the code we sent."
            ),
        )
    return TransferDeclined()
