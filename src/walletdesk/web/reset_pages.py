"""Forgot password: a code to the phone or email, then the code with a new password (and,
with two-factor sign-in on, an authenticator or recovery code as well)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.access import Public
from walletdesk.api.deps import RuntimeDep
from walletdesk.errors import DomainError
from walletdesk.identity import recovery
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
from walletdesk.web.session import PageContext

router = APIRouter(dependencies=[Depends(csrf_protected)], include_in_schema=False)

_CONFIRM_FIELDS = ("login", "code", "new_password", "second_factor")
_CONFIRM_ALIASES = {
    "phone": "login",
    "email": "login",
    "password": "new_password",
    "invalid_code": "code",
    "two_factor_required": "second_factor",
}


@router.get("/forgot", dependencies=[Public])
def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html", {"form": FormState()})


@router.post("/forgot", dependencies=[Public])
def forgot_submit(
    request: Request, rt: RuntimeDep, ctx: PageContext, login: FormText = ""
) -> Response:
    login_text = text(login, 254)
    try:
        requested = recovery.request_reset(rt, login_text=login_text, request=ctx)
    except DomainError as exc:
        form = failed_form(
            exc,
            page_locale(request),
            fields=("login",),
            values={"login": login_text},
            aliases={"phone": "login", "email": "login"},
        )
        return render(
            request,
            "forgot.html",
            {"form": form},
            status_code=failure_status(exc),
            headers=failure_headers(exc),
        )
    # The same answer whether or not the account exists: the page never tells.
    return render(
        request,
        "forgot_confirm.html",
        {
            "form": FormState(values={"login": login_text}),
            "sent": True,
            "minutes": max(1, requested.expires_in // 60),
            "page_path": "/forgot/confirm",
        },
    )


@router.get("/forgot/confirm", dependencies=[Public])
def forgot_confirm_page(request: Request) -> Response:
    return render(
        request, "forgot_confirm.html", {"form": FormState(), "sent": False, "minutes": 0}
    )


@router.post("/forgot/confirm", dependencies=[Public])
def forgot_confirm_submit(
    request: Request,
    rt: RuntimeDep,
    ctx: PageContext,
    login: FormText = "",
    code: FormText = "",
    new_password: FormText = "",
    second_factor: FormText = "",
) -> Response:
    login_text = text(login, 254)
    reset_code = text(code, 32)
    try:
        recovery.confirm_reset(
            rt,
            login_text=login_text,
            code=reset_code,
            new_password=text(new_password),
            second_factor=text(second_factor, 64).strip() or None,
            request=ctx,
        )
    except DomainError as exc:
        form = failed_form(
            exc,
            page_locale(request),
            fields=_CONFIRM_FIELDS,
            # The code stays (it may still be good when only the second factor was missing).
            values={"login": login_text, "code": reset_code},
            aliases=_CONFIRM_ALIASES,
        )
        return render(
            request,
            "forgot_confirm.html",
            {"form": form, "sent": False, "minutes": 0},
            status_code=failure_status(exc),
            headers=failure_headers(exc),
        )
    return redirect(request, "/login", flash="password_reset")
