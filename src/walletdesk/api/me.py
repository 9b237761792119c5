"""/api/v1/me: the signed-in user's profile, security settings, sessions and inbox."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.identity import (
    contact_change,
    freeze,
    kyc,
    profile,
    recovery,
    sessions,
    twofactor,
)
from walletdesk.identity.models import ContactKind
from walletdesk.notify import inbox

router = APIRouter(prefix="/api/v1/me", tags=["me"])


class ProfileOut(BaseModel):
    id: str
    display_name: str
    phone: str | None
    email: str | None
    real_name: str | None
    id_number: str | None = Field(description="Always masked, e.g. 1101**********4578")
    locale: str
    kyc_tier: int
    two_factor: bool
    frozen: bool
    frozen_at: datetime | None
    roles: list[str]
    created_at: datetime

    @classmethod
    def of(cls, view: profile.Profile) -> ProfileOut:
        return cls(
            id=view.id,
            display_name=view.display_name,
            phone=view.phone,
            email=view.email,
            real_name=view.real_name,
            id_number=view.id_number,
            locale=view.locale,
            kyc_tier=view.kyc_tier,
            two_factor=view.two_factor,
            frozen=view.frozen,
            frozen_at=view.frozen_at,
            roles=list(view.roles),
            created_at=view.created_at,
        )


class ProfileIn(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=16)


class StepUp(BaseModel):
    totp_code: str | None = Field(default=None, max_length=32)
    otp_code: str | None = Field(default=None, max_length=16)


class CodeSentOut(BaseModel):
    channel: str
    expires_in: int


class TotpEnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


class CodeIn(BaseModel):
    code: str = Field(max_length=32)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class FreezeIn(BaseModel):
    reason: str = Field(max_length=32, examples=["lost_phone"])
    note: str | None = Field(default=None, max_length=500)


class ContactChangeIn(StepUp):
    kind: ContactKind
    value: str = Field(max_length=254)


class ContactConfirmIn(BaseModel):
    kind: ContactKind
    value: str = Field(max_length=254)
    code: str = Field(max_length=16)


class RealNameIn(BaseModel):
    real_name: str = Field(max_length=60)
    id_number: str = Field(max_length=32, description="18-character resident ID number")


class RealNameOut(BaseModel):
    kyc_tier: int


class SessionOut(BaseModel):
    id: str
    kind: str
    device_name: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class NotificationOut(BaseModel):
    id: str
    title: str
    body: str
    created_at: datetime
    read: bool


@router.get("")
def me(actor: CurrentUser, rt: RuntimeDep) -> ProfileOut:
    return ProfileOut.of(profile.own_profile(rt, actor))


@router.patch("")
def update_me(body: ProfileIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> ProfileOut:
    view = profile.update_profile(
        rt, actor, display_name=body.display_name, locale=body.locale, ip=ctx.ip
    )
    return ProfileOut.of(view)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChangeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> None:
    recovery.change_password(
        rt,
        actor,
        current_password=body.current_password,
        new_password=body.new_password,
        ip=ctx.ip,
    )


@router.post("/step-up/code")
def send_step_up_code(actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> CodeSentOut:
    sent = twofactor.send_step_up_code(rt, actor, ip=ctx.ip)
    return CodeSentOut(channel=sent.channel, expires_in=sent.expires_in)


@router.post("/2fa/totp")
def begin_totp(actor: CurrentUser, rt: RuntimeDep) -> TotpEnrolmentOut:
    enrolment = twofactor.begin_totp(rt, actor)
    return TotpEnrolmentOut(
        secret=enrolment.secret,
        otpauth_uri=enrolment.otpauth_uri,
        qr_svg_data_uri=enrolment.qr_svg_data_uri,
    )


@router.post("/2fa/totp/confirm")
def confirm_totp(
    body: CodeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> RecoveryCodesOut:
    return RecoveryCodesOut(recovery_codes=twofactor.confirm_totp(rt, actor, body.code, ip=ctx.ip))


@router.post("/2fa/totp/disable", status_code=status.HTTP_204_NO_CONTENT)
def disable_totp(body: CodeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> None:
    twofactor.disable_totp(rt, actor, body.code, ip=ctx.ip)


@router.post("/2fa/recovery-codes")
def regenerate_recovery_codes(
    body: CodeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> RecoveryCodesOut:
    codes = twofactor.regenerate_recovery_codes(rt, actor, body.code, ip=ctx.ip)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/freeze", status_code=status.HTTP_204_NO_CONTENT)
def freeze_wallet(body: FreezeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> None:
    freeze.freeze_wallet(rt, actor, reason=body.reason, note=body.note, ip=ctx.ip)


@router.post("/unfreeze", status_code=status.HTTP_204_NO_CONTENT)
def unfreeze_wallet(body: StepUp, actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> None:
    freeze.unfreeze_wallet(rt, actor, totp_code=body.totp_code, otp_code=body.otp_code, ip=ctx.ip)


@router.post("/contact/change", status_code=status.HTTP_202_ACCEPTED)
def start_contact_change(
    body: ContactChangeIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> CodeSentOut:
    started = contact_change.start_contact_change(
        rt,
        actor,
        kind=body.kind,
        value=body.value,
        totp_code=body.totp_code,
        otp_code=body.otp_code,
        ip=ctx.ip,
    )
    channel = "sms" if body.kind is ContactKind.PHONE else "email"
    return CodeSentOut(channel=channel, expires_in=started.expires_in)


@router.post("/contact/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_contact_change(
    body: ContactConfirmIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> None:
    contact_change.confirm_contact_change(
        rt, actor, kind=body.kind, value=body.value, code=body.code, ip=ctx.ip
    )


@router.post("/real-name")
def submit_real_name(
    body: RealNameIn, actor: CurrentUser, rt: RuntimeDep, ctx: Context
) -> RealNameOut:
    tier = kyc.submit_real_name(
        rt, actor, real_name=body.real_name, id_number=body.id_number, ip=ctx.ip
    )
    return RealNameOut(kyc_tier=tier)


@router.get("/sessions")
def list_sessions(actor: CurrentUser, rt: RuntimeDep) -> list[SessionOut]:
    return [SessionOut(**vars(view)) for view in sessions.list_sessions(rt, actor)]


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_session(session_id: str, actor: CurrentUser, rt: RuntimeDep, ctx: Context) -> None:
    sessions.revoke_session(rt, actor, session_id, ip=ctx.ip)


@router.get("/notifications")
def list_notifications(actor: CurrentUser, rt: RuntimeDep) -> list[NotificationOut]:
    return [
        NotificationOut(
            id=n.id, title=n.title, body=n.body, created_at=n.created_at, read=n.read_at is not None
        )
        for n in inbox.list_inbox(rt, actor.user.id)
    ]


@router.post("/notifications/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_notifications_read(actor: CurrentUser, rt: RuntimeDep) -> None:
    inbox.mark_all_read(rt, actor.user.id)
