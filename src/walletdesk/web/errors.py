"""Error pages: what a person sees when a page fails, in their language, never a stack trace.

`install_page_errors` sets the two hooks `walletdesk.api.errors` calls for non-API paths, and
answers `SignInRequired` with the redirect to /login.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from walletdesk.errors import AccountLocked, AuthenticationFailed, DomainError, RateLimited
from walletdesk.i18n import N_, translate
from walletdesk.web.rendering import page_locale, render
from walletdesk.web.session import SignInRequired, sign_in_redirect

logger = logging.getLogger("walletdesk.web")

_TITLES: Final = {
    400: N_("Something is not right"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not available here"),
    409: N_("Not possible right now"),
    413: N_("Too large"),
    422: N_("Please check what you entered"),
    423: N_("Account locked"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}
_MESSAGES: Final = {
    403: N_("You are not allowed to do this."),
    404: N_("We could not find the page you asked for. Check the address or go back home."),
    405: N_("This action is not supported here."),
    413: N_("What you sent is too large."),
    500: N_("Something went wrong on our side. Please try again; nothing was charged."),
}
_FALLBACK: Final = N_("The request could not be processed.")


def error_page(
    request: Request, status_code: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """Render the error page; `message` is already translated."""
    locale = page_locale(request)
    title = translate(_TITLES.get(status_code, _TITLES[400]), locale)
    return render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": title,
            "message": message,
            "request_id": str(getattr(request.state, "request_id", "")),
            "page_path": "/",
        },
        status_code=status_code,
        headers=headers,
    )


def page_http_error(request: Request, status_code: int) -> Response:
    message = _MESSAGES.get(status_code, _FALLBACK)
    return error_page(request, status_code, translate(message, page_locale(request)))


def page_domain_error(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, AuthenticationFailed):
        return sign_in_redirect(request, SignInRequired("/", expired=True))
    headers = {}
    if isinstance(exc, RateLimited | AccountLocked):
        headers["Retry-After"] = str(exc.retry_after)
    message = translate(exc.message, page_locale(request), **exc.params)
    return error_page(request, exc.http_status, message, headers=headers)


_BARE_500: Final = (
    "<!doctype html><meta charset=utf-8><title>500</title>"
    "<p>服务出错了，请稍后再试。Something went wrong on our side. Please try again.</p>"
)


def internal_error_page(request: Request) -> Response:
    """The 500 page, shown without the user menu: whatever failed may fail again (the
    database, for one), so this page asks for nothing it does not need."""
    request.state.page_user = None
    try:
        return page_http_error(request, 500)
    except Exception:  # the error page itself failed: fall back to fixed text
        logger.exception("the 500 page failed to render")
        return HTMLResponse(_BARE_500, status_code=500, headers={"Cache-Control": "no-store"})


def install_page_errors(app: FastAPI) -> None:
    app.state.page_error_handler = page_domain_error
    app.state.page_http_handler = page_http_error

    async def _sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return sign_in_redirect(request, exc)

    app.add_exception_handler(SignInRequired, _sign_in)
