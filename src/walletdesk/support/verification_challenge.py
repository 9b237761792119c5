"""The in-app challenge of a verification: the customer proves it is them with a factor they
hold, which raises the verification conversation's assurance (logged in → stepped up).

- With two-factor sign-in on, the factor is the authenticator app (TOTP; a recovery code also
  works), as for any step-up (`identity.factors.check_step_up`).
- Otherwise it is a one-time code texted to the registered phone (emailed when the account
  has no phone), sent on the customer's request (`identity.twofactor.send_step_up_code`, with
  its rate limits).

Knowledge questions (mother's maiden name, last transaction amount) are never used: anyone
who stole the account, or a scammer on the phone, can know them. A challenge runs
`CHALLENGE_TTL` and allows `MAX_ATTEMPTS` wrong codes; then the agent may ask again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict
from walletdesk.i18n import N_, Text
from walletdesk.identity.codes import SentCode, invalid_code
from walletdesk.identity.factors import check_step_up
from walletdesk.identity.twofactor import send_step_up_code
from walletdesk.notify.models import Channel as NoticeChannel
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.support import verification_history
from walletdesk.support.access import SupportActor
from walletdesk.support.models import Assurance, By, Case
from walletdesk.support.verification_access import (
    access_verification_for,
    chat_conversation,
    system_say,
)
from walletdesk.support.verification_models import (
    REASON_NAMES,
    ChallengeMethod,
    Reason,
    Verification,
)

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

CHALLENGE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5

ASK_TOTP = N_(
    "Please confirm it is you: in this case in the app, enter the 6-digit code from your "
    "authenticator app. Do not tell the code to anyone, our agents included."
)
ASK_CODE = N_(
    "Please confirm it is you: in this case in the app, ask for a code and enter the code "
    "we text to your registered phone. Do not tell the code to anyone, our agents included."
)
PASSED_MESSAGE = N_("You confirmed it is you in the app. Thank you.")

CHALLENGE_NOTICE = "support.verification.challenge"
TEMPLATES[CHALLENGE_NOTICE] = Template(
    CHALLENGE_NOTICE,
    N_("Please confirm it is you"),
    N_(
        "For {reason}, please confirm it is you in the walletdesk app within {minutes} "
        "minutes. Enter the code only in the app; never tell it to anyone."
    ),
)


def no_open_challenge() -> Conflict:
    return Conflict(
        "no_open_challenge",
        N_("There is no confirmation waiting for you here, or its time ran out."),
    )


@dataclass(frozen=True)
class CustomerVerification:
    verification: Verification
    case: Case


def request_challenge(rt: Runtime, actor: SupportActor, verification_id: str) -> Verification:
    """An agent asks the customer to confirm in the app (again, after a failed attempt)."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        verification, case = access_verification_for(uow, actor, verification_id, for_update=True)
        user = uow.users.get(verification.user_id)
        assert user is not None
        method = ChallengeMethod.TOTP if user.has_totp else ChallengeMethod.CODE
        verification.request_challenge(method, now, CHALLENGE_TTL)
        uow.verification.verifications.save(verification)
        verification_history.challenge_requested(rt, uow, case, actor.by(case), now, verification)
        system_say(rt, uow, case, ASK_TOTP if method is ChallengeMethod.TOTP else ASK_CODE)
        rt.outbox.enqueue(
            uow,
            now=now,
            channel=NoticeChannel.INAPP,
            template=CHALLENGE_NOTICE,
            params={
                "reason": Text(REASON_NAMES[Reason(verification.reason)]),
                "minutes": int(CHALLENGE_TTL.total_seconds() // 60),
            },
            locale=user.locale,
            user_id=user.id,
            destination=None,
        )
        uow.support.cases.save(case)
        uow.commit()
    return verification


def my_verifications(rt: Runtime, auth: Authenticated) -> list[CustomerVerification]:
    """The signed-in customer's verifications that are still pending."""
    actor = SupportActor.customer(auth)
    with rt.db.uow(read_only=True) as uow:
        found = []
        for pending in uow.verification.verifications.pending_for_user(auth.user.id):
            verification, case = access_verification_for(uow, actor, pending.id)
            found.append(CustomerVerification(verification, case))
    return found


def send_challenge_code(
    rt: Runtime, auth: Authenticated, verification_id: str, *, ip: str | None
) -> SentCode:
    """Text the customer a code for an open challenge that uses one."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        verification, _ = access_verification_for(uow, SupportActor.customer(auth), verification_id)
        if not verification.challenge_open(now) or auth.user.has_totp:
            raise no_open_challenge()
    return send_step_up_code(rt, auth, ip=ip)


def answer_challenge(
    rt: Runtime, auth: Authenticated, verification_id: str, code: str, *, ip: str | None
) -> Verification:
    """Check the customer's code; on success the conversation is stepped up. A wrong code
    counts (and is committed) before `invalid_code` is raised."""
    actor = SupportActor.customer(auth)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        verification, case = access_verification_for(uow, actor, verification_id, for_update=True)
        if not verification.challenge_open(now):
            raise no_open_challenge()
        user = uow.users.get(auth.user.id, for_update=True)
        assert user is not None
        with_totp = user.has_totp
        method = check_step_up(
            rt,
            uow,
            user,
            totp_code=code if with_totp else None,
            otp_code=None if with_totp else code,
        )
        uow.users.save(user)
        by = By.contact(case.contact_id)
        if method is None:
            if verification.record_wrong_answer(MAX_ATTEMPTS):
                verification_history.challenge_failed(rt, uow, case, by, now, verification)
            uow.verification.verifications.save(verification)
            uow.support.cases.save(case)
            uow.commit()
            raise invalid_code()
        verification.pass_challenge(method, now)
        uow.verification.verifications.save(verification)
        conversation = chat_conversation(uow, case)
        before = conversation.assurance
        conversation.assurance = Assurance(before).raised_to(Assurance.STEPPED_UP).value
        uow.support.conversations.save(conversation)
        verification_history.challenge_passed(
            rt, uow, case, by, now, verification, conversation, before
        )
        system_say(rt, uow, case, PASSED_MESSAGE)
        record(
            uow,
            at=now,
            actor=Actor.user(user.id, ip),
            action="support.verification_challenge_passed",
            subject_kind="user",
            subject_id=user.id,
            details={"verification_id": verification.id, "method": method},
        )
        uow.support.cases.save(case)
        uow.commit()
    return verification
