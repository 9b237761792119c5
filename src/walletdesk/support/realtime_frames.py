"""Frames a client sends on its chat socket: chat messages, ping, typing, read receipts, and
(staff) which case they watch. Each is parsed here and handed to one service; a refused frame
is answered with an `error` frame (with the frame's `client_id`) and the socket stays open.

A `message` frame is the same write as `POST …/messages` without a new HTTP request and
bearer check: the socket was authenticated when it opened, and its session is checked again
for every message. The customer's message goes to `conversations.post_customer_message`, an
agent's to `casework.agent_reply` (masking, reopening, follow-ups, SLA clocks and routing
all apply as over REST). The sender gets an `ack` with the stored message once it committed;
the other side gets the usual `message` push after commit.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from walletdesk.errors import (
    AuthenticationFailed,
    DomainError,
    Forbidden,
    RateLimited,
    ValidationFailed,
)
from walletdesk.i18n import N_, translate
from walletdesk.ratelimit import Rate
from walletdesk.support import casework, conversations
from walletdesk.support import realtime_presence as presence
from walletdesk.support import realtime_receipts as receipts
from walletdesk.support.access import may_work_cases
from walletdesk.support.cases import TEXT_MAX
from walletdesk.support.conversations import Posted
from walletdesk.support.models import Visibility
from walletdesk.support.realtime_fanout import utc_text
from walletdesk.support.realtime_listeners import Listener

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.support.realtime import ChatHub

logger = logging.getLogger(__name__)
T = TypeVar("T")

FRAME_MAX = 32_768
"""Characters in one frame: a message of TEXT_MAX characters fits even with every character
escaped as \\uXXXX."""
CLIENT_ID_MAX = 64
MESSAGES_PER_SOCKET = Rate(20, 10)
"""Chat messages one socket may send per 10-second window (a person types slower)."""
TYPING_EVERY = 0.5
"""Seconds between two typing frames a socket passes on; more are dropped."""


def _error(
    hub: ChatHub, listener: Listener, error: DomainError, client_id: str | None = None
) -> None:
    payload: dict[str, Any] = {
        "type": "error",
        "code": error.code,
        "message": translate(error.message, listener.locale, **error.params),
    }
    if client_id is not None:
        payload["client_id"] = client_id
    hub.send(listener, payload)


async def handle_frame(hub: ChatHub, listener: Listener, text: str) -> None:
    try:
        frame = json.loads(text) if len(text) <= FRAME_MAX else None
    except ValueError:
        frame = None
    kind = frame.get("type") if isinstance(frame, dict) else None
    client_id = frame.get("client_id") if isinstance(frame, dict) else None
    client_id = client_id[:CLIENT_ID_MAX] if isinstance(client_id, str) else None
    try:
        if not isinstance(frame, dict) or not isinstance(kind, str):
            raise DomainError("bad_frame")
        if kind == "message":
            await _message(hub, listener, frame, client_id)
        elif kind == "ping":
            hub.send(listener, {"type": "pong"})
        elif kind == "typing":
            await _typing(hub, listener, frame)
        elif kind == "read":
            await _read(hub, listener, frame)
        elif kind in ("watch", "unwatch") and listener.is_staff:
            await _watch(hub, listener, frame, watch=kind == "watch")
        else:
            raise DomainError("unknown_frame")
    except DomainError as error:
        _error(hub, listener, error, client_id)
    except Exception:
        # The socket stays open; the client may retry (a read receipt) or not (typing).
        logger.exception("chat frame %r from socket %s failed", kind, listener.id)
        _error(hub, listener, DomainError("internal_error"), client_id)


async def _message(
    hub: ChatHub, listener: Listener, frame: dict[str, Any], client_id: str | None
) -> None:
    text = frame.get("text", "")
    if not isinstance(text, str):
        raise DomainError("bad_frame")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            "text_too_long",
            N_("A message can be at most {limit} characters."),
            field="text",
            limit=TEXT_MAX,
        )
    _count_message(hub, listener)
    if listener.is_staff:
        case_id = frame.get("case_id")
        visibility = frame.get("visibility", Visibility.PUBLIC.value)
        conversation_id = frame.get("conversation_id")
        version = frame.get("expected_version")
        if (
            not isinstance(case_id, str)
            or not case_id
            or visibility not in (Visibility.PUBLIC.value, Visibility.INTERNAL.value)
            or not (conversation_id is None or isinstance(conversation_id, str))
            or not (version is None or (isinstance(version, int) and not isinstance(version, bool)))
        ):
            raise DomainError("bad_frame")
        posted = await hub.post(
            listener,
            casework.agent_reply,
            hub.rt,
            listener.actor,
            case_id,
            text=text,
            visibility=Visibility(visibility),
            conversation_id=conversation_id,
            expected_version=version,
        )
    else:
        assert listener.conversation_id is not None
        posted = await hub.post(
            listener,
            conversations.post_customer_message,
            hub.rt,
            listener.auth,
            listener.conversation_id,
            text=text,
        )
    ack: dict[str, Any] = {
        "type": "ack",
        "client_id": client_id,
        "case_id": posted.case.id,
        "conversation_id": posted.conversation.id,
        "follow_up": posted.follow_up,
        "message": message_frame(posted, listener),
    }
    hub.send(listener, ack)


def _count_message(hub: ChatHub, listener: Listener) -> None:
    """One more message from this socket in the current window (on the injected clock)."""
    epoch = int(hub.rt.clock.now().timestamp())
    window = epoch // MESSAGES_PER_SOCKET.seconds
    if listener.message_window[0] != window:
        listener.message_window = (window, 0)
    count = listener.message_window[1] + 1
    listener.message_window = (window, count)
    if count > MESSAGES_PER_SOCKET.count:
        raise RateLimited(retry_after=(window + 1) * MESSAGES_PER_SOCKET.seconds - epoch)


def message_frame(posted: Posted, listener: Listener) -> dict[str, Any]:
    """The stored message as the `message` push shows it to the sender's side."""
    message = posted.message
    author: dict[str, Any] = {"kind": message.author_kind, "name": listener.auth.user.display_name}
    if listener.is_staff:
        author["id"] = message.author_id
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "visibility": message.visibility,
        "author": author,
        "text": message.body,
        "created_at": utc_text(message.created_at.isoformat()),
        "attachments": [],
    }


def _conversation_of(listener: Listener, frame: dict[str, Any]) -> str:
    if not listener.is_staff:
        assert listener.conversation_id is not None
        return listener.conversation_id
    conversation_id = frame.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id:
        raise DomainError("bad_frame")
    return conversation_id


async def _typing(hub: ChatHub, listener: Listener, frame: dict[str, Any]) -> None:
    conversation_id = _conversation_of(listener, frame)
    typing = frame.get("typing", True) is not False
    now = time.monotonic()
    if typing and now - listener.last_typing < TYPING_EVERY:
        return
    listener.last_typing = now if typing else 0.0
    if listener.is_staff:
        case_id = listener.typing_in.get(conversation_id)
        if case_id is None:
            case_id = await hub.run(receipts.typing_target, hub.rt, listener.actor, conversation_id)
            listener.typing_in[conversation_id] = case_id
        public = frame.get("visibility", "public") == "public"
    else:
        assert listener.case_id is not None
        case_id, public = listener.case_id, True
    event = receipts.typing_event(
        case_id,
        conversation_id,
        listener.actor,
        listener.contact_id,
        typing=typing,
        public=public,
    )
    event["origin"] = listener.id
    hub.publish(event)


async def _read(hub: ChatHub, listener: Listener, frame: dict[str, Any]) -> None:
    conversation_id = _conversation_of(listener, frame)
    up_to = frame.get("up_to")
    if not isinstance(up_to, int) or isinstance(up_to, bool) or not 0 < up_to < 2**62:
        raise DomainError("bad_frame")
    await hub.run(receipts.mark_read, hub.rt, listener.actor, conversation_id, up_to, hub.publish)


async def _watch(hub: ChatHub, listener: Listener, frame: dict[str, Any], *, watch: bool) -> None:
    case_id = frame.get("case_id")
    if not isinstance(case_id, str) or not case_id:
        raise DomainError("bad_frame")
    if not watch:
        hub.unwatch(listener, case_id)
        return
    seen = await hub.run(presence.case_presence, hub.rt, listener.actor, case_id)
    hub.watch(listener, case_id)
    hub.send(
        listener,
        {
            "type": "watching",
            "case_id": case_id,
            "customer": {
                "status": seen.customer.status,
                "last_seen_at": utc_text(seen.customer.last_seen_iso),
            },
        },
    )


def post_checked(
    rt: Runtime, listener: Listener, service: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """The socket's session checked again, then the write (on a message thread)."""
    with rt.db.uow(read_only=True) as uow:
        session = uow.chat.fanout.sessions([listener.session_id]).get(listener.session_id)
    if session is None or not session.is_active(rt.clock.now()):
        raise AuthenticationFailed()
    if listener.is_staff and not may_work_cases(session.roles):
        raise Forbidden()
    return service(*args, **kwargs)
