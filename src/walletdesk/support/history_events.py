"""The vocabulary of the case history: the kinds of event, what the customer's timeline says
for the public ones, and the stored event. The writers are in `history`, which re-exports
these names (callers keep importing them from there); storage imports them from here without
pulling in the writers and their dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from walletdesk.i18n import N_


class EventKind(StrEnum):
    CASE_CREATED = "case.created"
    MESSAGE_ADDED = "message.added"
    STATUS_CHANGED = "status.changed"
    CASE_REOPENED = "case.reopened"
    FOLLOW_UP_OPENED = "case.follow_up_opened"
    HANDED_OFF = "conversation.handed_off"
    ASSIGNED = "case.assigned"
    PRIORITY_CHANGED = "case.priority_changed"
    DISPUTE_LINKED = "dispute.linked"
    SLA_BREACHED = "sla.breached"
    SLA_MET = "sla.met"
    ESCALATED = "case.escalated"


CUSTOMER_SENTENCES: dict[EventKind, str] = {
    EventKind.CASE_CREATED: N_("You asked for help."),
    EventKind.STATUS_CHANGED: N_("Status: {status}"),
    EventKind.CASE_REOPENED: N_("Your reply reopened the case."),
    EventKind.FOLLOW_UP_OPENED: N_("Your new message started a follow-up case."),
    EventKind.HANDED_OFF: N_("An agent will take over from the assistant."),
    EventKind.DISPUTE_LINKED: N_("The transactions you dispute were added to the case."),
}
"""What the customer's timeline says for each public event kind (messages show as messages).
`{status}` is the sentence of the category the case moved to."""


@dataclass
class CaseEvent:
    id: int | None
    case_id: str
    version: int
    at: datetime
    kind: str
    actor_kind: str
    actor_id: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    public: bool
