"""Opening and sealing the encrypted fields of a user. The purpose strings bind each
ciphertext to its column; the blind indexes make phones and emails findable."""

from __future__ import annotations

from walletdesk.fieldcrypt import FieldCipher
from walletdesk.identity.masking import mask_email, mask_id_number, mask_name, mask_phone
from walletdesk.identity.models import ContactKind, User
from walletdesk.notify.models import Channel

PHONE = "user.phone"
EMAIL = "user.email"
ID_NUMBER = "user.id_number"
REAL_NAME = "user.real_name"
TOTP_SECRET = "user.totp_secret"  # noqa: S105 - the column purpose, not a secret
LOGIN_INDEX = "user.login"
ID_NUMBER_INDEX = "user.id_number"


def login_index(cipher: FieldCipher, normalised_contact: str) -> str:
    """Phones and emails share one index space: either identifies the account at login."""
    return cipher.blind_index(normalised_contact, LOGIN_INDEX)


def set_contact(cipher: FieldCipher, user: User, kind: ContactKind, value: str) -> None:
    index = login_index(cipher, value)
    if kind is ContactKind.PHONE:
        user.phone_enc = cipher.encrypt(value, PHONE)
        user.phone_index = index
    else:
        user.email_enc = cipher.encrypt(value, EMAIL)
        user.email_index = index


def phone_of(cipher: FieldCipher, user: User) -> str | None:
    return cipher.decrypt(user.phone_enc, PHONE) if user.phone_enc else None


def email_of(cipher: FieldCipher, user: User) -> str | None:
    return cipher.decrypt(user.email_enc, EMAIL) if user.email_enc else None


def real_name_of(cipher: FieldCipher, user: User) -> str | None:
    return cipher.decrypt(user.real_name_enc, REAL_NAME) if user.real_name_enc else None


def id_number_of(cipher: FieldCipher, user: User) -> str | None:
    return cipher.decrypt(user.id_number_enc, ID_NUMBER) if user.id_number_enc else None


def contact_of(cipher: FieldCipher, user: User, kind: ContactKind) -> str | None:
    return phone_of(cipher, user) if kind is ContactKind.PHONE else email_of(cipher, user)


def contacts_for_notice(cipher: FieldCipher, user: User) -> list[tuple[Channel, str]]:
    """Every contact we hold, for security notices that must reach the owner wherever they are."""
    found: list[tuple[Channel, str]] = []
    phone = phone_of(cipher, user)
    if phone:
        found.append((Channel.SMS, phone))
    email = email_of(cipher, user)
    if email:
        found.append((Channel.EMAIL, email))
    return found


def masked_contacts(cipher: FieldCipher, user: User) -> dict[str, str | None]:
    phone = phone_of(cipher, user)
    email = email_of(cipher, user)
    id_number = id_number_of(cipher, user)
    real_name = real_name_of(cipher, user)
    return {
        "phone": mask_phone(phone) if phone else None,
        "email": mask_email(email) if email else None,
        "id_number": mask_id_number(id_number) if id_number else None,
        "real_name": mask_name(real_name) if real_name else None,
    }


def totp_secret_of(cipher: FieldCipher, user: User) -> str | None:
    return cipher.decrypt(user.totp_secret_enc, TOTP_SECRET) if user.totp_secret_enc else None
