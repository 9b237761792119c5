"""Mainland mobile numbers and email addresses: validation and one normal form each."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from walletdesk.errors import ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.models import ContactKind

_PHONE_LIKE = re.compile(r"^[+\d][\d\s\-()]{5,}$")


def normalise_phone(raw: str) -> str:
    """Return +86 E.164 (``+8613812345678``) for a valid mainland China mobile number."""
    text = raw.strip()
    if not _PHONE_LIKE.match(text):
        raise _bad_phone()  # phonenumbers would read letters as a vanity number
    if text.startswith("0086"):
        text = "+86" + text[4:]
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise _bad_phone() from exc
    valid_mobile = (
        number.country_code == 86
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number)
        in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    )
    if not valid_mobile:
        raise _bad_phone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _bad_phone() -> ValidationFailed:
    return ValidationFailed(
        "invalid_phone",
        N_("Enter a valid mainland China mobile number, for example 138 1234 5678."),
        field="phone",
    )


def normalise_email(raw: str) -> str:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(
            "invalid_email", N_("Enter a valid email address."), field="email"
        ) from exc
    return result.normalized.lower()


def looks_like_phone(raw: str) -> bool:
    return bool(_PHONE_LIKE.match(raw.strip())) and "@" not in raw


def parse_login(raw: str) -> tuple[ContactKind, str]:
    """Read what a person typed in the login box as a phone number or an email address."""
    if looks_like_phone(raw):
        return ContactKind.PHONE, normalise_phone(raw)
    return ContactKind.EMAIL, normalise_email(raw)


def normalise_contact(kind: ContactKind, raw: str) -> str:
    return normalise_phone(raw) if kind is ContactKind.PHONE else normalise_email(raw)
