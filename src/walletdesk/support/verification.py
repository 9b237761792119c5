"""The verification (审核) workflow: a case of type verification that unblocks, or cancels, a
pending operation once we are sure who the customer is.

1. Staff (`open_verification`) or the system (`request_verification`, for risk holds) open a
   verification for a wallet user with a `Reason` and, usually, an `OperationRef` to what it
   unblocks. The case goes straight to agents; the customer sees it in the app with a system
   message that says what will happen and that we never ask for passwords or codes.
2. The agent proves the customer's identity by an in-app challenge (`verification_challenge`:
   TOTP when enrolled, else a code to the registered phone; never knowledge questions) or a
   verified outbound call (`schedule_call`: the app shows the number and the contact code
   before the phone rings).
3. The agent records the outcome (`record_outcome`): verified runs the operation's
   `on_verified` callback, failed or suspicious its `on_rejected` callback, in the same
   transaction (`verification_operations`). "Verified" needs proof: a passed challenge or a
   call that was scheduled through the app.

Each step writes a case event (`verification_history`) and an audit entry where staff act.
The verification's door and the system's messages in its chat are in `verification_access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_, Text, translate
from walletdesk.identity.models import User
from walletdesk.notify.models import Channel as NoticeChannel
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.randomness import new_id
from walletdesk.support import verification_history
from walletdesk.support.access import ActorKind, SupportActor
from walletdesk.support.cases import do_open_case
from walletdesk.support.contacts import contact_for_user
from walletdesk.support.contacts_registry import RegisteredContact, do_register_contact
from walletdesk.support.holidays import load_calendars
from walletdesk.support.models import Assurance, By, Case, CaseType, Channel
from walletdesk.support.official_channels_store import hotline
from walletdesk.support.verification_access import access_verification_for, system_say
from walletdesk.support.verification_models import (
    REASON_NAMES,
    ChallengeState,
    ContactChannel,
    ContactPurpose,
    OutboundContact,
    Outcome,
    Reason,
    Verification,
    VerificationState,
    already_decided,
)
from walletdesk.support.verification_operations import (
    OPERATIONS,
    OperationRef,
    OperationRegistry,
    Resolution,
    unknown_operation,
)

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

NOTE_MAX = 500

SUBJECT = N_("Identity check: {reason}")
OPENING_MESSAGE = N_(
    "To protect your account we need to confirm it is you ({reason}). We will ask you to "
    "confirm in the app, or call you from our official number {hotline}; the app shows such "
    "a call and its code before we call. We never ask for your password or the codes we "
    "send you."
)
VERIFIED_MESSAGE = N_("Thank you, we have confirmed it is you.")
NOT_VERIFIED_MESSAGE = N_(
    "We could not confirm it was you, so what waited for this check will not go ahead. If it "
    "was you, write to us here or call {hotline}."
)

VERIFIED_NOTICE = "support.verification.verified"
NOT_VERIFIED_NOTICE = "support.verification.not_verified"
TEMPLATES[VERIFIED_NOTICE] = Template(
    VERIFIED_NOTICE,
    N_("Identity check complete"),
    N_("Thank you, we have confirmed it is you. What waited for this check can go ahead."),
)
TEMPLATES[NOT_VERIFIED_NOTICE] = Template(
    NOT_VERIFIED_NOTICE,
    N_("Identity check not passed"),
    N_(
        "We could not confirm it was you, so what waited for this check was cancelled. If it "
        "was you, contact us in the app or call {hotline}."
    ),
)


def unproven() -> Conflict:
    return Conflict(
        "verification_unproven",
        N_(
            "Record \u201cverified\u201d only after the customer passed the in-app check or "
            "you called them through a scheduled call."
        ),
    )


@dataclass(frozen=True)
class VerificationView:
    verification: Verification
    case: Case
    contacts: list[OutboundContact]


def do_open_verification(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    user: User,
    reason: Reason,
    by: By,
    operation: OperationRef | None = None,
    note: str | None = None,
    registry: OperationRegistry = OPERATIONS,
) -> Verification:
    """Open a verification case for `user`. A pending verification of the same operation is
    returned as it is (asking twice for one held transfer opens one case)."""
    if operation is not None:
        if not registry.knows(operation.kind):
            raise unknown_operation(operation.kind)
        existing = uow.verification.verifications.pending_for_operation(
            operation.kind, operation.ref
        )
        if existing is not None:
            return existing
    now = rt.clock.now()
    contact, identity = contact_for_user(rt, uow, user, Assurance.LOGGED_IN, now)
    reason_text = Text(REASON_NAMES[reason])
    case, _ = do_open_case(
        rt,
        uow,
        contact=contact,
        channel=Channel.CHAT,
        case_type=CaseType.VERIFICATION,
        with_bot=False,
        by=by,
        subject=translate(SUBJECT, contact.locale, reason=reason_text),
        now=now,
        calendars=load_calendars(uow),
        identity=identity,
        assurance=Assurance.LOGGED_IN,
    )
    verification = Verification(
        id=new_id(rt.random, "ver"),
        case_id=case.id,
        user_id=user.id,
        reason=reason.value,
        state=VerificationState.PENDING.value,
        created_at=now,
        opened_by_kind=by.kind.value,
        opened_by=by.id,
        operation_kind=operation.kind if operation else None,
        operation_ref=operation.ref if operation else None,
        note=note.strip()[:NOTE_MAX] if note and note.strip() else None,
    )
    uow.verification.verifications.add(verification)
    verification_history.opened(rt, uow, case, by, now, verification)
    system_say(rt, uow, case, OPENING_MESSAGE, reason=reason_text, hotline=hotline(rt, uow))
    uow.support.cases.save(case)
    return verification


def _user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound("user_not_found", field="user_id")
    return user


def open_verification(
    rt: Runtime,
    actor: SupportActor,
    *,
    user_id: str,
    reason: Reason,
    operation: OperationRef | None = None,
    note: str | None = None,
) -> Verification:
    """An agent opens a verification for a wallet user (the route checks `cases.work`)."""
    assert actor.kind is ActorKind.AGENT and actor.user_id is not None
    with rt.db.uow() as uow:
        user = _user(uow, user_id)
        verification = do_open_verification(
            rt,
            uow,
            user=user,
            reason=reason,
            by=By.agent(actor.user_id),
            operation=operation,
            note=note,
        )
        record(
            uow,
            at=rt.clock.now(),
            actor=Actor.staff(actor.user_id),
            action="support.verification_opened",
            subject_kind="user",
            subject_id=user.id,
            details={"verification_id": verification.id, "reason": reason.value},
        )
        uow.commit()
    return verification


def request_verification(
    rt: Runtime,
    *,
    user_id: str,
    reason: Reason,
    operation: OperationRef,
    note: str | None = None,
) -> Verification:
    """The system asks for a verification (the risk engine held a transfer, a feature was
    locked): for code that owns an operation registered in `verification_operations`."""
    with rt.db.uow() as uow:
        verification = do_open_verification(
            rt,
            uow,
            user=_user(uow, user_id),
            reason=reason,
            by=By.system(),
            operation=operation,
            note=note,
        )
        uow.commit()
    return verification


def verification_view(rt: Runtime, actor: SupportActor, verification_id: str) -> VerificationView:
    with rt.db.uow(read_only=True) as uow:
        verification, case = access_verification_for(uow, actor, verification_id)
        contacts = uow.verification.contacts.for_verification(verification.id)
    return VerificationView(verification, case, contacts)


def schedule_call(
    rt: Runtime, actor: SupportActor, verification_id: str, *, minutes: int | None = None
) -> RegisteredContact:
    """Announce a verified outbound call: the customer's app shows our number and the code
    the agent will say; the code checks out through "Is this really walletdesk?" meanwhile."""
    assert actor.user_id is not None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        verification, case = access_verification_for(uow, actor, verification_id, for_update=True)
        if not verification.is_pending:
            raise already_decided()
        agent = _user(uow, actor.user_id)
        registered = do_register_contact(
            rt,
            uow,
            case=case,
            agent=agent,
            channel=ContactChannel.CALL,
            purpose=ContactPurpose.VERIFICATION,
            now=now,
            window=timedelta(minutes=minutes) if minutes else None,
            verification_id=verification.id,
        )
        uow.support.cases.save(case)
        uow.commit()
    return registered


def _proven(uow: UnitOfWork, verification: Verification) -> bool:
    if verification.challenge_state == ChallengeState.PASSED:
        return True
    calls = uow.verification.contacts.for_verification(verification.id)
    return any(c.channel == ContactChannel.CALL for c in calls)


def record_outcome(
    rt: Runtime,
    actor: SupportActor,
    verification_id: str,
    outcome: Outcome,
    *,
    note: str | None = None,
    registry: OperationRegistry = OPERATIONS,
) -> Verification:
    """Decide a pending verification and settle what it unblocks, in one transaction."""
    assert actor.user_id is not None
    now = rt.clock.now()
    with rt.db.uow() as uow:
        verification, case = access_verification_for(uow, actor, verification_id, for_update=True)
        if not verification.is_pending:
            raise already_decided()
        if outcome is Outcome.VERIFIED and not _proven(uow, verification):
            raise unproven()
        if note is not None and len(note) > NOTE_MAX:
            raise ValidationFailed("note_too_long", field="note")
        by = By.agent(actor.user_id)
        verification.decide(outcome, by=actor.user_id, now=now, note=note)
        if verification.operation_kind and verification.operation_ref:
            verification.operation_result = registry.resolve(
                rt,
                uow,
                Resolution(
                    verification_id=verification.id,
                    case_id=case.id,
                    user_id=verification.user_id,
                    operation=OperationRef(verification.operation_kind, verification.operation_ref),
                    outcome=outcome,
                    by=by,
                    at=now,
                ),
            )
        uow.verification.verifications.save(verification)
        uow.verification.contacts.complete_for_verification(verification.id, now)
        verification_history.decided(rt, uow, case, by, now, verification)
        verified = outcome is Outcome.VERIFIED
        if verified:
            system_say(rt, uow, case, VERIFIED_MESSAGE)
        else:
            system_say(rt, uow, case, NOT_VERIFIED_MESSAGE, hotline=hotline(rt, uow))
        user = _user(uow, verification.user_id)
        rt.outbox.enqueue(
            uow,
            now=now,
            channel=NoticeChannel.INAPP,
            template=VERIFIED_NOTICE if verified else NOT_VERIFIED_NOTICE,
            params={} if verified else {"hotline": hotline(rt, uow)},
            locale=user.locale,
            user_id=user.id,
            destination=None,
        )
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user_id),
            action="support.verification_decided",
            subject_kind="user",
            subject_id=verification.user_id,
            details={
                "verification_id": verification.id,
                "outcome": outcome.value,
                "operation_kind": verification.operation_kind,
                "operation_result": verification.operation_result,
            },
        )
        uow.support.cases.save(case)
        uow.commit()
    return verification
