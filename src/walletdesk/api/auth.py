"""/api/v1/auth: register, login (+2FA), logout, password reset."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, Public
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.identity import authentication, recovery, registration
from walletdesk.identity.models import SessionKind

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class RegisterIn(BaseModel):
    phone: str | None = Field(default=None, max_length=32, examples=["13812345678"])
    email: str | None = Field(default=None, max_length=254)
    password: str = Field(max_length=1024)
    display_name: str = Field(max_length=200)
    locale: str | None = Field(default=None, max_length=16)


class UserOut(BaseModel):
    id: str
    display_name: str
    locale: str


class LoginIn(BaseModel):
    login: str = Field(max_length=254, description="Phone number or email")
    password: str = Field(max_length=1024)


class LoginOut(BaseModel):
    """Either `access_token` (signed in) or `challenge_token` (two-factor step needed)."""

    access_token: str | None = None
    token_type: str | None = None
    expires_at: datetime | None = None
    two_factor_required: bool = False
    challenge_token: str | None = None
    methods: list[str] | None = None


class TwoFactorIn(BaseModel):
    challenge_token: str = Field(max_length=200)
    code: str = Field(max_length=32, description="TOTP code or a recovery code")


class ResetRequestIn(BaseModel):
    login: str = Field(max_length=254)


class ResetRequestOut(BaseModel):
    accepted: bool = True
    expires_in: int


class ResetConfirmIn(BaseModel):
    login: str = Field(max_length=254)
    code: str = Field(max_length=16)
    new_password: str = Field(max_length=1024)
    second_factor: str | None = Field(
        default=None, max_length=32, description="TOTP or recovery code when 2FA is on"
    )


def _signed_in(result: authentication.SignedIn) -> LoginOut:
    return LoginOut(
        access_token=result.token,
        token_type="bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_at=result.session.expires_at,
    )


@router.post("/register", status_code=status.HTTP_201_CREATED, dependencies=[Public])
def register(body: RegisterIn, rt: RuntimeDep, ctx: Context) -> UserOut:
    user = registration.register(
        rt,
        phone=body.phone,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        locale=body.locale,
        request=ctx,
    )
    return UserOut(id=user.id, display_name=user.display_name, locale=user.locale)


@router.post("/login", dependencies=[Public])
def login(body: LoginIn, rt: RuntimeDep, ctx: Context) -> LoginOut:
    result = authentication.login(
        rt, login_text=body.login, password=body.password, kind=SessionKind.API, request=ctx
    )
    if isinstance(result, authentication.TwoFactorChallenge):
        return LoginOut(
            two_factor_required=True,
            challenge_token=result.challenge_token,
            methods=list(result.methods),
            expires_at=result.expires_at,
        )
    return _signed_in(result)


@router.post("/2fa/verify", dependencies=[Public])
def verify_two_factor(body: TwoFactorIn, rt: RuntimeDep, ctx: Context) -> LoginOut:
    result = authentication.complete_two_factor(
        rt, challenge_token=body.challenge_token, code=body.code, request=ctx
    )
    return _signed_in(result)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> None:
    authentication.logout(rt, actor, ip=ctx.ip)


@router.post("/password-reset/request", status_code=status.HTTP_202_ACCEPTED, dependencies=[Public])
def request_password_reset(body: ResetRequestIn, rt: RuntimeDep, ctx: Context) -> ResetRequestOut:
    result = recovery.request_reset(rt, login_text=body.login, request=ctx)
    return ResetRequestOut(expires_in=result.expires_in)


@router.post(
    "/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Public]
)
def confirm_password_reset(body: ResetConfirmIn, rt: RuntimeDep, ctx: Context) -> None:
    recovery.confirm_reset(
        rt,
        login_text=body.login,
        code=body.code,
        new_password=body.new_password,
        second_factor=body.second_factor,
        request=ctx,
    )
