"""Who is signed in to a page: the `wd_session` cookie, checked on every request.

`PageUser` (rule "authenticated_page") sends signed-out visitors to `/login?next=...`;
`MaybePageUser` (rule "public") lets anyone in and says who they are when signed in.
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from walletdesk.api.access import access_rule
from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import AuthenticationFailed
from walletdesk.identity.authentication import Authenticated, SignedIn, authenticate
from walletdesk.identity.context import RequestContext
from walletdesk.identity.models import SessionKind
from walletdesk.runtime import Runtime
from walletdesk.web.cookies import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    runtime_of,
    set_cookie,
)
from walletdesk.web.flash import redirect
from walletdesk.web.rendering import page_locale

_NEXT_MAX: Final = 512


class SignInRequired(Exception):
    """Raised by `PageUser` for a signed-out visitor; answered with a redirect to /login."""

    def __init__(self, next_path: str, *, expired: bool) -> None:
        super().__init__("sign in required")
        self.next_path = next_path
        self.expired = expired


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` if it is a path on this site, else `default`: never an open redirect."""
    if not value or len(value) > _NEXT_MAX:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return default
    return value


def login_url(next_path: str) -> str:
    target = safe_next(next_path)
    return "/login" if target == "/" else f"/login?{urlencode({'next': target})}"


def page_context(request: Request) -> RequestContext:
    """The caller's connection as services see it; the device id comes from `wd_device`."""
    device = getattr(request.state, "device_id", None) or request.cookies.get(DEVICE_COOKIE)
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        device_id=device[:128] if device else None,
        locale=page_locale(request),
    )


PageContext = Annotated[RequestContext, Depends(page_context)]


def current_page_user(rt: Runtime, request: Request) -> Authenticated | None:
    """The signed-in user of this browser, or None. Only browser sessions count here: an API
    token copied into the cookie is not accepted."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        actor = authenticate(rt, token, ip=client_ip(request), kind=SessionKind.WEB)
    except AuthenticationFailed:
        return None
    request.state.page_user = actor
    return actor


def _next_after_sign_in(request: Request) -> str:
    if request.method == "GET":
        query = f"?{request.url.query}" if request.url.query else ""
        return f"{request.url.path}{query}"
    # After a form post, come back to the page that holds the form.
    section = request.url.path.strip("/").split("/", 1)[0]
    return f"/{section}"


@access_rule("authenticated_page")
def authenticated_page(rt: RuntimeDep, request: Request) -> Authenticated:
    actor = current_page_user(rt, request)
    if actor is None:
        raise SignInRequired(
            _next_after_sign_in(request), expired=SESSION_COOKIE in request.cookies
        )
    return actor


@access_rule("public")
def optional_page_user(rt: RuntimeDep, request: Request) -> Authenticated | None:
    return current_page_user(rt, request)


PageUser = Annotated[Authenticated, Depends(authenticated_page)]
MaybePageUser = Annotated[Authenticated | None, Depends(optional_page_user)]


def sign_in_redirect(request: Request, exc: SignInRequired) -> Response:
    response = redirect(
        request, login_url(exc.next_path), flash="sign_in_again" if exc.expired else None
    )
    if exc.expired:
        clear_cookie(response, runtime_of(request), SESSION_COOKIE)
    return response


def start_session(response: RedirectResponse, rt: Runtime, signed_in: SignedIn) -> None:
    """Hand the browser its session cookie. It lasts until the browser closes; the server
    ends it sooner on sign-out, revocation, password change or idle expiry."""
    set_cookie(response, rt, SESSION_COOKIE, signed_in.token)
