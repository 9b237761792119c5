"""Dependencies named like types: `rt: RuntimeDep`, `ctx: Context`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from walletdesk.errors import AuthenticationFailed
from walletdesk.i18n import from_accept_language, negotiate
from walletdesk.identity.authentication import Authenticated, authenticate
from walletdesk.identity.context import RequestContext
from walletdesk.identity.models import SessionKind
from walletdesk.runtime import Runtime

DEVICE_HEADER = "X-Device-Id"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_locale(request: Request) -> str:
    return negotiate(from_accept_language(request.headers.get("accept-language")))


def request_context(request: Request) -> RequestContext:
    device = request.headers.get(DEVICE_HEADER) or request.cookies.get("wd_device")
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        device_id=device[:128] if device else None,
        locale=request_locale(request),
    )


Context = Annotated[RequestContext, Depends(request_context)]


def bearer_actor(rt: Runtime, request: Request, *, ip: str | None) -> Authenticated:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("not_authenticated")
    return authenticate(rt, token.strip(), ip=ip, kind=SessionKind.API)
