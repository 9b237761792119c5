"""Devices and sessions in the security centre: sign one out, or all but this one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep, client_ip
from walletdesk.identity import sessions
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.flash import redirect
from walletdesk.web.session import PageUser

router = APIRouter(
    prefix="/security/sessions", dependencies=[Depends(csrf_protected)], include_in_schema=False
)


@router.post("/{session_id}/revoke")
def revoke_session(request: Request, session_id: str, actor: PageUser, rt: RuntimeDep) -> Response:
    """Someone else's session id is answered like a missing one (404 page)."""
    sessions.revoke_session(rt, actor, session_id[:64], ip=client_ip(request))
    return redirect(request, "/security#devices", flash="session_revoked")


@router.post("/revoke-others")
def revoke_other_sessions(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    sessions.revoke_other_sessions(rt, actor, ip=client_ip(request))
    return redirect(request, "/security#devices", flash="others_revoked")
