"""Real-name verification (实名认证), tier 1: the resident ID number and the name on it.

KYC tiers: 0 registered; 1 real name and a well-formed resident ID number (GB 11643 check digit,
a real date of birth); 2 and 3 are granted after bank-card and enhanced checks by the ledger and
risk issues. Matching the name to the ID with an identity provider is an adapter for later; the
number is stored encrypted with a blind index so one ID opens one wallet.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record_for_user
from walletdesk.errors import Conflict, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.vault import ID_NUMBER, ID_NUMBER_INDEX, REAL_NAME

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
REAL_NAME_MAX = 30
BASIC_TIER = 1


def _bad_id() -> ValidationFailed:
    return ValidationFailed(
        "invalid_id_number",
        N_("Enter the 18-character number on your resident ID card."),
        field="id_number",
    )


def check_resident_id(raw: str, *, today: date) -> str:
    """Return the normalised 18-character resident ID number or raise `ValidationFailed`."""
    number = raw.strip().replace(" ", "").upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise _bad_id()
    if number[0] not in "12345678":
        raise _bad_id()  # no province code starts with 0 or 9
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    if _CHECK_CHARACTERS[total % 11] != number[17]:
        raise _bad_id()
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise _bad_id() from exc
    if born > today or born.year < 1900:
        raise _bad_id()
    return number


def check_real_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > REAL_NAME_MAX or any(char.isdigit() for char in name):
        raise ValidationFailed(
            "invalid_real_name",
            N_("Enter your name exactly as it is on your ID card."),
            field="real_name",
        )
    return name


def submit_real_name(
    rt: Runtime, actor: Authenticated, *, real_name: str, id_number: str, ip: str | None
) -> int:
    """check_submit_real_name: store the name and ID number encrypted; returns the new tier."""
    now = rt.clock.now()
    name = check_real_name(real_name)
    number = check_resident_id(id_number, today=now.date())
    index = rt.cipher.blind_index(number, ID_NUMBER_INDEX)
    with rt.db.uow() as uow:
        user = uow.users.get(actor.user.id, for_update=True)
        assert user is not None
        if user.id_number_index is not None:
            raise Conflict(
                "real_name_already_verified",
                N_("Your real name is already verified. Contact us to correct it."),
            )
        if uow.users.id_number_taken(index):
            raise Conflict(
                "id_number_taken",
                N_("This ID number is already linked to another wallet. Contact us for help."),
            )
        user.id_number_enc = rt.cipher.encrypt(number, ID_NUMBER)
        user.id_number_index = index
        user.real_name_enc = rt.cipher.encrypt(name, REAL_NAME)
        user.kyc_submitted_at = now
        user.kyc_tier = max(user.kyc_tier, BASIC_TIER)
        user.updated_at = now
        uow.users.save(user)
        record_for_user(
            uow,
            now,
            Actor.user(user.id, ip),
            "kyc.real_name_submitted",
            user.id,
            tier=user.kyc_tier,
        )
        uow.commit()
    return user.kyc_tier
