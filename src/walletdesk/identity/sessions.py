"""A user's own sessions and devices: list them, sign one out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record, record_for_user
from walletdesk.identity.access import access_session_for
from walletdesk.identity.models import Device, Session

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime


@dataclass(frozen=True)
class SessionView:
    id: str
    kind: str
    device_name: str
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


def list_sessions(rt: Runtime, actor: Authenticated) -> list[SessionView]:
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        sessions = uow.sessions.list_active_for_user(actor.user.id, now)
        devices = {device.id: device for device in uow.devices.list_for_user(actor.user.id)}
    return [_view(session, devices, actor) for session in sessions]


def _view(session: Session, devices: dict[str, Device], actor: Authenticated) -> SessionView:
    device = devices.get(session.device_id or "")
    return SessionView(
        id=session.id,
        kind=session.kind,
        device_name=device.name if device else "Unknown device",
        ip=session.ip,
        created_at=session.created_at,
        last_seen_at=session.last_seen_at,
        current=session.id == actor.session.id,
    )


def list_devices(rt: Runtime, actor: Authenticated) -> list[Device]:
    with rt.db.uow(read_only=True) as uow:
        return uow.devices.list_for_user(actor.user.id)


def revoke_session(rt: Runtime, actor: Authenticated, session_id: str, *, ip: str | None) -> None:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        session = access_session_for(uow, actor, session_id)
        if session.revoked_at is not None:
            return
        session.revoked_at = now
        session.revoked_reason = "revoked_by_user"
        uow.sessions.save(session)
        record(
            uow,
            at=now,
            actor=Actor.user(actor.user.id, ip),
            action="session.revoked",
            subject_kind="session",
            subject_id=session.id,
        )
        uow.commit()


def revoke_other_sessions(rt: Runtime, actor: Authenticated, *, ip: str | None) -> int:
    now = rt.clock.now()
    with rt.db.uow() as uow:
        count = uow.sessions.revoke_all_for_user(
            actor.user.id, now, "revoked_by_user", except_id=actor.session.id
        )
        record_for_user(
            uow,
            now,
            Actor.user(actor.user.id, ip),
            "session.revoked_others",
            actor.user.id,
            count=count,
        )
        uow.commit()
    return count
