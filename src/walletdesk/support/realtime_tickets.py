"""Who opens a chat socket.

A browser cannot set an `Authorization` header on a WebSocket, and a long-lived token must
never sit in a URL (it ends up in logs and histories). A socket therefore authenticates with
either

- the bearer token in `Sec-WebSocket-Protocol` (`bearer.<token>`, offered beside the protocol
  name `walletdesk.chat.v1`, which is the one the server answers with), or an `Authorization`
  header from clients that can send one; or
- a **ticket**: a random value from `POST /api/v1/chat/tickets`, valid once and for
  `TICKET_TTL`, passed as `?ticket=`. Only its digest is stored; it is bound to the session
  that asked for it, so signing out also ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.errors import AuthenticationFailed
from walletdesk.identity.authentication import Authenticated, authenticate, token_hash
from walletdesk.identity.models import SessionKind
from walletdesk.randomness import token_urlsafe

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

TICKET_TTL = timedelta(seconds=60)
PROTOCOL = "walletdesk.chat.v1"
BEARER_PREFIX = "bearer."
_TICKET_KINDS = frozenset({SessionKind.API, SessionKind.WEB})
"""API sessions, and browser sessions through the chat widget's same-origin ticket route."""


@dataclass(frozen=True)
class Ticket:
    value: str
    expires_at: datetime


def issue_ticket(rt: Runtime, auth: Authenticated) -> Ticket:
    now = rt.clock.now()
    value = token_urlsafe(rt.random)
    expires_at = now + TICKET_TTL
    with rt.db.uow() as uow:
        uow.chat.tickets.add(token_hash(value), auth.session.id, now, expires_at)
        uow.commit()
    return Ticket(value, expires_at)


def redeem_ticket(rt: Runtime, value: str) -> Authenticated:
    """The session a ticket was issued to, if the ticket is fresh and unused (it is used up)."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        session_id = uow.chat.tickets.use(token_hash(value), now)
        uow.commit()
    if session_id is None:
        raise AuthenticationFailed()
    return session_by_id(rt, session_id)


def session_by_id(rt: Runtime, session_id: str) -> Authenticated:
    """The live API session `session_id` with its user and current roles."""
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        session = uow.sessions.get(session_id)
        if session is None or not session.is_active(now) or session.kind not in _TICKET_KINDS:
            raise AuthenticationFailed()
        user = uow.users.get(session.user_id)
        roles = uow.staff_roles.roles_of(session.user_id)
    if user is None:
        raise AuthenticationFailed()
    return Authenticated(user=user, session=session, roles=roles)


def bearer_in_protocols(protocols: list[str]) -> str | None:
    for offered in protocols:
        if offered.startswith(BEARER_PREFIX) and len(offered) > len(BEARER_PREFIX):
            return offered[len(BEARER_PREFIX) :]
    return None


def socket_identity(
    rt: Runtime,
    *,
    protocols: list[str],
    authorization: str | None,
    ticket: str | None,
    ip: str | None,
) -> Authenticated:
    """Authenticate a socket from its handshake; AuthenticationFailed when nothing fits."""
    if ticket:
        return redeem_ticket(rt, ticket)
    token = bearer_in_protocols(protocols)
    if token is None and authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
    if token is None:
        raise AuthenticationFailed("not_authenticated")
    return authenticate(rt, token, ip=ip, kind=SessionKind.API)
