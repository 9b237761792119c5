"""One-line notices carried across a redirect (post, redirect, get).

The cookie holds only a key from `FLASHES`, never text, so nothing a visitor sets can be
shown as a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from fastapi import Request
from fastapi.responses import RedirectResponse

from walletdesk.i18n import N_, translate
from walletdesk.web.cookies import FLASH_COOKIE, FLASH_MAX_AGE, runtime_of, set_cookie


@dataclass(frozen=True)
class Flash:
    kind: str  # "success", "info" or "warning": the colour of the notice
    text: str


FLASHES: Final[dict[str, tuple[str, str]]] = {
    "registered": ("success", N_("Your account is ready. Please sign in.")),
    "signed_out": ("info", N_("You have signed out.")),
    "password_reset": (
        "success",
        N_("Your password has been changed and every device signed out. Please sign in."),
    ),
    "password_changed": (
        "success",
        N_("Your password has been changed. Your other devices were signed out."),
    ),
    "two_factor_off": ("warning", N_("Two-factor sign-in is now off.")),
    "code_sent_sms": ("info", N_("We sent a verification code to your phone.")),
    "code_sent_email": ("info", N_("We sent a verification code to your email.")),
    "contact_changed": ("success", N_("Your contact details have been updated.")),
    "session_revoked": ("success", N_("That device has been signed out.")),
    "others_revoked": ("success", N_("All your other devices have been signed out.")),
    "frozen": (
        "warning",
        N_("Your wallet is frozen. No money can leave it until you unfreeze it."),
    ),
    "unfrozen": ("success", N_("Your wallet is unfrozen.")),
    "sign_in_again": ("info", N_("Your sign-in has expired. Please sign in again.")),
}


def redirect(request: Request, url: str, *, flash: str | None = None) -> RedirectResponse:
    """303 See Other to `url` (a local path), optionally with a notice for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        assert flash in FLASHES, flash
        set_cookie(response, runtime_of(request), FLASH_COOKIE, flash, max_age=FLASH_MAX_AGE)
    return response


def pending_flash(request: Request, locale: str) -> Flash | None:
    key = request.cookies.get(FLASH_COOKIE)
    if key is None or key not in FLASHES:
        return None
    kind, message = FLASHES[key]
    return Flash(kind=kind, text=translate(message, locale))
