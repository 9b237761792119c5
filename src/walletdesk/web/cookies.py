"""The cookies the pages use, and the one way they are written.

    wd_session    the session token (HttpOnly): who is signed in
    wd_challenge  a password-ok sign-in waiting for its second factor (HttpOnly, minutes)
    wd_device     a random id that lets a browser be recognised as the same device
    wd_csrf       the double-submit CSRF token, echoed in every form's `csrf_token` field
    wd_locale     the language chosen with `?lang=`
    wd_flash      the key of a one-line notice shown by the next page (never free text)

Every cookie is SameSite=Lax, Path=/, HttpOnly, and Secure unless the settings allow plain
HTTP for local development (`cookie_secure=False`, refused outside dev mode).
"""

from __future__ import annotations

from typing import Final

from fastapi import Request, Response

from walletdesk.runtime import Runtime

SESSION_COOKIE: Final = "wd_session"
CHALLENGE_COOKIE: Final = "wd_challenge"
DEVICE_COOKIE: Final = "wd_device"
CSRF_COOKIE: Final = "wd_csrf"
LOCALE_COOKIE: Final = "wd_locale"
FLASH_COOKIE: Final = "wd_flash"

DEVICE_MAX_AGE: Final = 400 * 24 * 3600  # the longest lifetime browsers accept
LOCALE_MAX_AGE: Final = 365 * 24 * 3600
FLASH_MAX_AGE: Final = 120


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def set_cookie(
    response: Response, rt: Runtime, name: str, value: str, *, max_age: int | None = None
) -> None:
    """Write a cookie with the attributes every page cookie shares; `max_age=None` makes it
    last until the browser closes."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=rt.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, rt: Runtime, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=rt.settings.cookie_secure, httponly=True, samesite="lax"
    )
