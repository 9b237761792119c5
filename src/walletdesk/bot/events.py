"""The assistant's case events, one writer per kind (STYLE 9), all internal to staff:

- `bot.turn`: one per answered customer message: what was understood (intent, confidence,
  language), what the assistant did (`action`), the reply's message id, and what it waits
  for next (`awaiting`: a confirmation, a choice). The dialogue's state is the last one.
- `bot.tool`: every tool call, with its tier and outcome (the audit of issue 6, item 4).
- `bot.feedback`: a customer's thumbs up or down on one answer.
- `bot.request`: a money-moving request the assistant turned into a case for the
  maker-checker flow, with the draft an agent proposes from.

They go through `support.history._write` like the agents' tool events, so they bump the case
version and are announced after commit.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from walletdesk.support import history
from walletdesk.support.history import CaseEvent, EventKind

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork
    from walletdesk.support.models import By, Case


class BotEvent(StrEnum):
    TURN = "bot.turn"
    TOOL = "bot.tool"
    FEEDBACK = "bot.feedback"
    REQUEST = "bot.request"


class Tier(StrEnum):
    READ = "read"
    SENSITIVE_READ = "sensitive_read"
    REVERSIBLE = "reversible"
    MONEY = "money_moving"


def _internal(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    kind: BotEvent,
    at: datetime,
    after: dict[str, Any],
) -> CaseEvent:
    # `_write` only reads `kind.value`; the assistant's kinds live here.
    return history._write(rt, uow, case, by, cast(EventKind, kind), at, after=after, public=False)


def turn(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, after: dict[str, Any]
) -> CaseEvent:
    return _internal(rt, uow, case, by, BotEvent.TURN, at, after)


def tool_called(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    *,
    tool: str,
    tier: Tier,
    outcome: str,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    """`outcome`: done, refused_anonymous, needs_step_up, offered, declined, nothing_found,
    case_opened, failed."""
    after = {"tool": tool, "tier": tier.value, "outcome": outcome} | (details or {})
    return _internal(rt, uow, case, by, BotEvent.TOOL, at, after)


def feedback(
    rt: Runtime,
    uow: UnitOfWork,
    case: Case,
    by: By,
    at: datetime,
    *,
    message_id: int,
    helpful: bool,
    intent: str | None,
    article: str | None,
) -> CaseEvent:
    after = {"message_id": message_id, "helpful": helpful, "intent": intent, "article": article}
    return _internal(rt, uow, case, by, BotEvent.FEEDBACK, at, after)


def request_opened(
    rt: Runtime, uow: UnitOfWork, case: Case, by: By, at: datetime, draft: dict[str, Any]
) -> CaseEvent:
    return _internal(rt, uow, case, by, BotEvent.REQUEST, at, draft)
