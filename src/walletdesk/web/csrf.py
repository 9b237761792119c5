"""Cross-site request forgery: a double-submit token on every form post.

The browser gets a random `wd_csrf` cookie on its first visit (see `browser.py`) and every
form repeats it in a hidden `csrf_token` field. A post whose field does not match the cookie
is refused with 403 before the route runs. Another site can make a browser post a form, but
it can neither read the cookie nor set it, so it cannot fill in the field.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from walletdesk.errors import Forbidden
from walletdesk.i18n import N_
from walletdesk.web.cookies import CSRF_COOKIE

CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_refused() -> Forbidden:
    return Forbidden(
        "csrf_failed",
        N_("This form has expired or did not come from walletdesk. Reload the page and try again."),
    )


async def csrf_protected(request: Request) -> None:
    """Router-wide dependency of the pages: every unsafe method must echo the cookie."""
    if request.method in _SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not sent:
        raise csrf_refused()
    if not hmac.compare_digest(sent.encode("utf-8"), cookie.encode("utf-8")):
        raise csrf_refused()
