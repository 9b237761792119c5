"""Who receives an event, and what they see of it.

`plan` runs on a worker thread for a batch of events, in one read-only unit of work. For each
event it finds this process's sockets that may care (the customer's sockets on the
conversation or case; the assignee's, the watchers' and the named recipients' inbox sockets);
`realtime_checks.Checks` then checks each of them again through the doors, as of now, with
one query per kind of row for the whole batch. A socket whose session ended is closed.

Customers get public events only, shaped for them: no internal notes, no staff ids, no
status labels, sentences in their language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from walletdesk.i18n import translate
from walletdesk.support.history import CUSTOMER_SENTENCES, EventKind
from walletdesk.support.models import AuthorKind, Case
from walletdesk.support.queries import CaseFilter
from walletdesk.support.realtime_checks import Checks, Envelope, Pending, Plan, utc_text
from walletdesk.support.realtime_listeners import EMPTY, Audience, Group, Listener
from walletdesk.support.realtime_presence import assigned_agent
from walletdesk.support.statuses import CUSTOMER_SENTENCES as STATUS_SENTENCES
from walletdesk.support.statuses import Category

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

__all__ = ["Envelope", "Plan", "plan", "utc_text"]
QUEUE_EVENTS = frozenset({EventKind.HANDED_OFF.value, EventKind.ASSIGNED.value})
"""Events every inbox sees: a case joined the agents' queue or changed hands (so does a new
case that starts with people rather than the assistant)."""


def plan(rt: Runtime, envelopes: list[Envelope], audience: Audience) -> Plan:
    result = Plan()
    with rt.db.uow(read_only=True) as uow:
        checks = Checks(uow, rt.clock.now(), result)
        checks.prefetch(envelopes)
        for envelope in envelopes:
            kind = envelope.get("kind")
            if kind == "case":
                _case_event(checks, envelope["event"], audience, result)
            elif kind == "typing":
                _typing(checks, envelope, audience, result)
            elif kind == "read":
                _read(checks, envelope, audience, result)
            elif kind == "presence":
                _presence(checks, envelope, audience, result)
        checks.settle()
    return result


def _staff_of_case(
    case: Case, audience: Audience, extra_users: Iterable[str] = (), *, everyone: bool = False
) -> Group:
    group: Group = audience.all_staff if everyone else EMPTY
    for user_id in {case.assignee_id, *extra_users}:
        if user_id:
            group = group | audience.staff_by_user.get(user_id, EMPTY)
    return group | audience.watchers.get(case.id, EMPTY)


def _send(
    checks: Checks,
    plan: Plan,
    listeners: Iterable[Listener],
    case_id: str,
    payload: dict[str, Any],
    *,
    skip: str | None = None,
) -> None:
    for listener in listeners:
        if listener.id != skip:
            checks.pending.append(Pending(listener, case_id, payload))


def _customers(audience: Audience, case_id: str, conversation_id: str | None) -> Group:
    if conversation_id:
        return audience.by_conversation.get(conversation_id, EMPTY)
    return audience.by_case.get(case_id, EMPTY)


def _message(message: dict[str, Any], checks: Checks, *, staff: bool) -> dict[str, Any]:
    case_id = message.get("case_id")
    base = "/api/v1/staff" if staff else "/api/v1"
    author: dict[str, Any] = {
        "kind": message["author_kind"],
        "name": checks.name(message["author_kind"], message.get("author_id")),
    }
    if staff:
        author["id"] = message.get("author_id")
    return {
        "id": message["id"],
        "conversation_id": message["conversation_id"],
        "visibility": message["visibility"],
        "author": author,
        "text": message["text"],
        "created_at": utc_text(message["created_at"]),
        "attachments": [
            a | {"url": f"{base}/cases/{case_id}/attachments/{a['id']}"}
            for a in message.get("attachments", [])
        ],
    }


def _case_event(checks: Checks, event: Envelope, audience: Audience, plan: Plan) -> None:
    case = checks.case(event["case_id"])
    if case is None:
        return
    kind = event["kind"]
    message = event.get("message")
    if message is not None:
        message = message | {"case_id": case.id}
    recipients = event.get("recipients") or ()
    joins_queue = kind == EventKind.CASE_CREATED and not (event.get("after") or {}).get("with_bot")
    staff = _staff_of_case(case, audience, recipients, everyone=kind in QUEUE_EVENTS or joins_queue)
    if message is not None:
        staff_payload: dict[str, Any] = {
            "type": "message",
            "case_id": case.id,
            "conversation_id": event.get("conversation_id"),
            "message": _message(message, checks, staff=True),
        }
    else:
        staff_payload = {
            "type": "case",
            "event": kind,
            "case_id": case.id,
            "version": event["version"],
            "at": utc_text(event["at"]),
            "actor": {"kind": event["actor_kind"], "id": event.get("actor_id")},
            "conversation_id": event.get("conversation_id"),
            "after": event.get("after", {}),
            "status": {"category": case.category, "label": case.label},
            "assignee_id": case.assignee_id,
        }
    _send(checks, plan, staff, case.id, staff_payload)
    if kind == EventKind.ASSIGNED.value:
        _new_agent_for_customers(checks, case, audience, plan)
    if not event.get("public"):
        return  # internal notes, assignment, SLA: never to a customer
    if message is not None and message.get("visibility") != "public":
        return
    customers = _customers(audience, case.id, event.get("conversation_id"))
    if not customers:
        return
    if message is not None:
        _send(
            checks,
            plan,
            customers,
            case.id,
            {
                "type": "message",
                "case_id": case.id,
                "conversation_id": event.get("conversation_id"),
                "message": _message(message, checks, staff=False),
            },
        )
        return
    for locale, group in _by_locale(customers).items():
        _send(checks, plan, group, case.id, _customer_case(event, case, locale))


def _by_locale(listeners: Group) -> dict[str, list[Listener]]:
    groups: dict[str, list[Listener]] = {}
    for listener in listeners:
        groups.setdefault(listener.locale, []).append(listener)
    return groups


def _customer_case(event: Envelope, case: Case, locale: str) -> dict[str, Any]:
    after = event.get("after") or {}
    category = Category(after.get("category") or case.category)
    status_text = translate(STATUS_SENTENCES[category], locale)
    payload: dict[str, Any] = {
        "type": "case",
        "event": event["kind"],
        "case_id": case.id,
        "version": event["version"],
        "at": utc_text(event["at"]),
        "status": {"code": category.value, "text": status_text},
    }
    try:
        sentence = CUSTOMER_SENTENCES.get(EventKind(event["kind"]))
    except ValueError:
        sentence = None  # a kind written by a newer module, with no customer sentence yet
    if sentence is not None:
        payload["text"] = translate(sentence, locale, status=status_text)
    if after.get("follow_up_case_id"):
        payload["follow_up_case_id"] = after["follow_up_case_id"]
    return payload


def _typing(checks: Checks, envelope: Envelope, audience: Audience, plan: Plan) -> None:
    case = checks.case(envelope["case_id"])
    if case is None:
        return
    by = envelope["by"]
    origin = envelope.get("origin")
    staff_view = {
        "type": "typing",
        "case_id": case.id,
        "conversation_id": envelope["conversation_id"],
        "by": by | {"name": checks.name(by["kind"], by["id"])},
        "typing": envelope["typing"],
        "public": envelope["public"],
    }
    _send(checks, plan, _staff_of_case(case, audience), case.id, staff_view, skip=origin)
    if by["kind"] == AuthorKind.AGENT and envelope["public"]:
        customer_view = {
            "type": "typing",
            "conversation_id": envelope["conversation_id"],
            "by": {"kind": "agent", "name": checks.name(by["kind"], by["id"])},
            "typing": envelope["typing"],
        }
        customers = audience.by_conversation.get(envelope["conversation_id"], EMPTY)
        _send(checks, plan, customers, case.id, customer_view)


def _read(checks: Checks, envelope: Envelope, audience: Audience, plan: Plan) -> None:
    case = checks.case(envelope["case_id"])
    if case is None:
        return
    reader = envelope["reader"]
    staff_view = {
        "type": "read",
        "case_id": case.id,
        "conversation_id": envelope["conversation_id"],
        "reader": reader | {"name": checks.name(reader["kind"], reader["id"])},
        "up_to": envelope["up_to"],
        "at": utc_text(envelope["at"]),
    }
    _send(checks, plan, _staff_of_case(case, audience), case.id, staff_view)
    up_to = envelope["up_to"] if reader["kind"] == "contact" else envelope.get("public_up_to")
    if not up_to:
        return
    customer_view = {
        "type": "read",
        "conversation_id": envelope["conversation_id"],
        "reader": {"kind": reader["kind"], "name": checks.name(reader["kind"], reader["id"])},
        "up_to": up_to,
        "at": utc_text(envelope["at"]),
    }
    customers = audience.by_conversation.get(envelope["conversation_id"], EMPTY)
    _send(checks, plan, customers, case.id, customer_view)


def _presence(checks: Checks, envelope: Envelope, audience: Audience, plan: Plan) -> None:
    if envelope["subject"] == "agent":
        user_id = envelope["user_id"]
        payload = {
            "type": "presence",
            "agent": {
                "user_id": user_id,
                "name": checks.name(AuthorKind.AGENT, user_id),
                "status": envelope["status"],
                "last_seen_at": utc_text(envelope.get("last_seen_at")),
            },
        }
        for listener in audience.supervisors | audience.staff_by_user.get(user_id, EMPTY):
            checks.pending.append(Pending(listener, None, payload, about_agent=user_id))
        _agent_for_customers(checks, user_id, envelope["status"], audience, plan)
        return
    contact_id = envelope["contact_id"]
    cases = [c for c in checks.uow.support.cases.for_contact(contact_id) if not c.is_closed]
    sent: set[str] = set()
    for case in cases:
        checks.remember(case)
        payload = {
            "type": "presence",
            "customer": {
                "contact_id": contact_id,
                "case_id": case.id,
                "status": envelope["status"],
                "last_seen_at": utc_text(envelope.get("last_seen_at")),
            },
        }
        # Staff see every case or none (the door is their role), so one frame per socket.
        listeners = [x for x in _staff_of_case(case, audience) if x.id not in sent]
        _send(checks, plan, listeners, case.id, payload)
        sent.update(listener.id for listener in listeners)


ASSIGNED_CASES = 1000
"""Cases of one agent looked at when their status changes (newest first)."""


def _customer_presence(name: str | None, status: str) -> dict[str, Any]:
    """The customer's view of their case's agent: display name and status, nothing else."""
    return {"type": "presence", "agent": {"name": name or "", "status": status}}


def _agent_for_customers(
    checks: Checks, user_id: str, status: str, audience: Audience, plan: Plan
) -> None:
    """An agent's status changed: the customers of their open cases on this process see it."""
    if not audience.by_case:
        return
    assigned = checks.uow.support.cases.staff_page(
        CaseFilter(assignee_id=user_id, include_bot=True), limit=ASSIGNED_CASES
    )
    payload = _customer_presence(checks.name(AuthorKind.AGENT, user_id), status)
    for case in assigned:
        customers = audience.by_case.get(case.id, EMPTY)
        if customers and not case.is_closed:
            checks.remember(case)
            _send(checks, plan, customers, case.id, payload)


def _new_agent_for_customers(checks: Checks, case: Case, audience: Audience, plan: Plan) -> None:
    """The case changed hands: its customer sees the new agent's status (or nobody)."""
    customers = audience.by_case.get(case.id, EMPTY)
    if not customers:
        return
    agent = assigned_agent(checks.uow, case.assignee_id)
    payload: dict[str, Any] = {"type": "presence", "agent": agent.as_frame() if agent else None}
    _send(checks, plan, customers, case.id, payload)
