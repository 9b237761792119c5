"""One-time codes sent by SMS or email: 6 digits, 5 minutes, one purpose, 5 attempts.

Only an HMAC of the code is stored. Sending a new code for the same destination and purpose
closes the older ones, so only the latest code works.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.models import CodePurpose, ContactKind, OneTimeCode
from walletdesk.identity.vault import login_index
from walletdesk.notify.models import Channel
from walletdesk.randomness import new_id, numeric_code

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

CODE_DIGITS = 6

_TEMPLATES = {
    CodePurpose.PASSWORD_RESET: "code.password_reset",
    CodePurpose.STEP_UP: "code.step_up",
    CodePurpose.CONTACT_VERIFY: "code.contact_verify",
}


def invalid_code() -> ValidationFailed:
    """A wrong code is bad input (422), not a lost session: clients must not sign out on it."""
    return ValidationFailed(
        "invalid_code",
        N_("The code is wrong or has expired. Request a new one if needed."),
    )


@dataclass(frozen=True)
class SentCode:
    code_id: str
    channel: Channel
    expires_in: int


def send_code(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    purpose: CodePurpose,
    kind: ContactKind,
    destination: str,
    locale: str,
    actor: Actor,
    user_id: str | None,
    context_enc: str | None = None,
) -> SentCode:
    """Issue a code inside `uow`; the message goes out after the caller commits."""
    now = rt.clock.now()
    index = login_index(rt.cipher, destination)
    rt.limiter.hit("code_destination", index, rt.rates.code_destination)
    if actor.ip:
        rt.limiter.hit("code_ip", actor.ip, rt.rates.code_ip)
    uow.codes.close_open(index, purpose, now)
    code = numeric_code(rt.random, CODE_DIGITS)
    ttl = rt.settings.otp_ttl_seconds
    channel = Channel.SMS if kind is ContactKind.PHONE else Channel.EMAIL
    row = OneTimeCode(
        id=new_id(rt.random, "otp"),
        purpose=purpose,
        channel=channel,
        destination_index=index,
        code_digest=rt.cipher.keyed_digest(code, purpose),
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
        user_id=user_id,
        context_enc=context_enc,
    )
    uow.codes.add(row)
    rt.outbox.enqueue(
        uow,
        now=now,
        channel=channel,
        template=_TEMPLATES[purpose],
        params={"code": code, "minutes": ttl // 60},
        locale=locale,
        user_id=user_id,
        destination=destination,
    )
    record(
        uow,
        at=now,
        actor=actor,
        action="code.sent",
        subject_kind="user" if user_id else None,
        subject_id=user_id,
        details={"purpose": purpose, "channel": channel, "code_id": row.id},
    )
    return SentCode(code_id=row.id, channel=channel, expires_in=ttl)


def check_code(
    rt: Runtime,
    uow: UnitOfWork,
    *,
    purpose: CodePurpose,
    destination: str,
    code: str,
    user_id: str | None = None,
    consume: bool = True,
) -> OneTimeCode | None:
    """Consume the latest open code if `code` matches; count the attempt either way.

    Returns None on any failure (wrong, expired, used up, other user). The caller commits
    before raising so the attempt is counted. With `consume=False` a match is left open so
    the caller can check another factor first and then call `consume_code`.
    """
    now = rt.clock.now()
    index = login_index(rt.cipher, destination)
    row = uow.codes.latest_open(index, purpose, now)
    if row is None:
        return None
    if user_id is not None and row.user_id != user_id:
        return None
    if row.attempts >= rt.settings.otp_max_attempts:
        return None
    row.attempts += 1
    cleaned = code.strip().replace(" ", "")
    matches = hmac.compare_digest(row.code_digest, rt.cipher.keyed_digest(cleaned, purpose))
    if matches and consume:
        row.consumed_at = now
    elif row.attempts >= rt.settings.otp_max_attempts:
        row.consumed_at = now  # the fifth wrong try burns the code
    uow.codes.save(row)
    return row if matches else None


def consume_code(rt: Runtime, uow: UnitOfWork, row: OneTimeCode) -> None:
    row.consumed_at = rt.clock.now()
    uow.codes.save(row)
