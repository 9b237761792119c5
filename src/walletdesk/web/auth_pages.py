"""Registering, signing in (with the two-factor step) and signing out. Staff who sign in
with no page in mind land on their console home (`console_home`)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.access import Public
from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.errors import DomainError
from walletdesk.identity import authentication, registration
from walletdesk.identity.models import SessionKind
from walletdesk.runtime import Runtime
from walletdesk.web.console_home import after_sign_in
from walletdesk.web.cookies import CHALLENGE_COOKIE, SESSION_COOKIE, clear_cookie, set_cookie
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.forms import (
    FormState,
    FormText,
    failed_form,
    failure_headers,
    failure_status,
    text,
)
from walletdesk.web.rendering import page_locale, render
from walletdesk.web.session import (
    MaybePageUser,
    PageContext,
    PageUser,
    safe_next,
    start_session,
)

router = APIRouter(dependencies=[Depends(csrf_protected)], include_in_schema=False)

_REGISTER_FIELDS = ("phone", "email", "display_name", "password")


def _two_factor_url(target: str) -> str:
    return "/login/2fa" if target == "/" else f"/login/2fa?{urlencode({'next': target})}"


def _landing(request: Request, rt: Runtime, signed: authentication.SignedIn, target: str) -> str:
    """`target`, or the console home of staff headed for a front door (their roles are read
    with the new session, as the next page will read them)."""
    auth = authentication.authenticate(
        rt, signed.token, ip=client_ip(request), kind=SessionKind.WEB
    )
    return after_sign_in(target, auth.roles)


@router.get("/register")
def register_page(request: Request, user: MaybePageUser) -> Response:
    if user is not None:
        return redirect(request, "/")
    return render(request, "register.html", {"form": FormState()})


@router.post("/register", dependencies=[Public])
def register_submit(
    request: Request,
    rt: RuntimeDep,
    ctx: PageContext,
    phone: FormText = "",
    email: FormText = "",
    display_name: FormText = "",
    password: FormText = "",
) -> Response:
    values = {
        "phone": text(phone, 64),
        "email": text(email, 254),
        "display_name": text(display_name, 200),
    }
    try:
        registration.register(
            rt,
            phone=values["phone"].strip() or None,
            email=values["email"].strip() or None,
            password=text(password),
            display_name=values["display_name"],
            locale=ctx.locale,
            request=ctx,
        )
    except DomainError as exc:
        form = failed_form(exc, page_locale(request), fields=_REGISTER_FIELDS, values=values)
        return render(
            request,
            "register.html",
            {"form": form},
            status_code=failure_status(exc),
            headers=failure_headers(exc),
        )
    return redirect(request, "/login", flash="registered")


@router.get("/login")
def login_page(request: Request, user: MaybePageUser, next: str = "/") -> Response:
    target = safe_next(next)
    if user is not None:
        return redirect(request, after_sign_in(target, user.roles))
    return render(request, "login.html", {"form": FormState(), "next": target})


@router.post("/login", dependencies=[Public])
def login_submit(
    request: Request,
    rt: RuntimeDep,
    ctx: PageContext,
    login: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    target = safe_next(next)
    login_text = text(login, 254)
    try:
        result = authentication.login(
            rt,
            login_text=login_text,
            password=text(password),
            kind=SessionKind.WEB,
            request=ctx,
        )
    except DomainError as exc:
        form = failed_form(
            exc,
            page_locale(request),
            fields=("login", "password"),
            values={"login": login_text},
            aliases={"phone": "login", "email": "login"},
        )
        return render(
            request,
            "login.html",
            {"form": form, "next": target},
            status_code=failure_status(exc),
            headers=failure_headers(exc),
        )
    if isinstance(result, authentication.TwoFactorChallenge):
        response = redirect(request, _two_factor_url(target))
        lifetime = int((result.expires_at - rt.clock.now()).total_seconds())
        set_cookie(response, rt, CHALLENGE_COOKIE, result.challenge_token, max_age=max(1, lifetime))
        return response
    response = redirect(request, _landing(request, rt, result, target))
    start_session(response, rt, result)
    return response


@router.get("/login/2fa", dependencies=[Public])
def two_factor_page(request: Request, next: str = "/") -> Response:
    target = safe_next(next)
    if not request.cookies.get(CHALLENGE_COOKIE):
        return redirect(request, "/login")
    return render(request, "login_2fa.html", {"form": FormState(), "next": target})


@router.post("/login/2fa", dependencies=[Public])
def two_factor_submit(
    request: Request,
    rt: RuntimeDep,
    ctx: PageContext,
    code: FormText = "",
    next: FormText = "/",
) -> Response:
    target = safe_next(next)
    challenge = request.cookies.get(CHALLENGE_COOKIE)
    if not challenge:
        return redirect(request, "/login", flash="sign_in_again")
    try:
        signed_in = authentication.complete_two_factor(
            rt, challenge_token=text(challenge, 200), code=text(code, 64), request=ctx
        )
    except DomainError as exc:
        if exc.code == "challenge_expired":
            response = redirect(request, "/login", flash="sign_in_again")
            clear_cookie(response, rt, CHALLENGE_COOKIE)
            return response
        form = failed_form(
            exc, page_locale(request), fields=("code",), aliases={"invalid_code": "code"}
        )
        return render(
            request,
            "login_2fa.html",
            {"form": form, "next": target},
            status_code=failure_status(exc),
            headers=failure_headers(exc),
        )
    response = redirect(request, _landing(request, rt, signed_in, target))
    start_session(response, rt, signed_in)
    clear_cookie(response, rt, CHALLENGE_COOKIE)
    return response


@router.post("/logout")
def logout_submit(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    authentication.logout(rt, actor, ip=client_ip(request))
    request.state.page_user = None
    response = redirect(request, "/", flash="signed_out")
    clear_cookie(response, rt, SESSION_COOKIE)
    return response
