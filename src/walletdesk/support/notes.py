"""Internal notes with @mentions.

A note is an internal message on the case (customers never see it). `@name` mentions a
colleague who works cases: the name is matched against staff display names, whole
(spaces removed) or any one word of it, longest first, so "@老周请看" finds 老周 and
"@Wang" finds "Wang Lei". A mentioned colleague gets an in-app notice (through the outbox,
written with the note) and the case history records whom the note mentioned. A name that
matches nobody, or more than one person, is returned as unresolved and notifies no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from walletdesk.i18n import N_
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.support import history_agent_tools
from walletdesk.support.access import SupportActor, access_case_for, may_work_cases
from walletdesk.support.cases import do_add_message
from walletdesk.support.errors import ConversationNotFound
from walletdesk.support.models import Case, Conversation, Message, Visibility
from walletdesk.support.versioning import check_version

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

MENTIONED = "support.mentioned"
TEMPLATES[MENTIONED] = Template(
    MENTIONED,
    N_("You were mentioned in a case note"),
    N_("{author} mentioned you in an internal note on case {case_ref}."),
)

_AT = re.compile(r"(?<![\w@.])@")
_TOKEN = re.compile(r"[\w.\-]{1,32}")


@dataclass(frozen=True)
class Mention:
    user_id: str
    name: str


@dataclass(frozen=True)
class NoteAdded:
    case: Case
    message: Message
    mentions: list[Mention]
    unresolved: list[str]
    """What followed an @ but named nobody (or more than one person)."""


def _aliases(staff: list[tuple[str, str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for user_id, name in staff:
        words = name.split()
        for alias in {"".join(words), *words}:
            if alias:
                found.setdefault(alias.casefold(), set()).add(user_id)
    return found


def _ends_cleanly(alias: str, rest: str) -> bool:
    """`@Wang` must not match inside `@Wangxu`; CJK names need no space after them."""
    if len(rest) == len(alias) or not alias[-1].isascii():
        return True
    following = rest[len(alias)]
    return not (following.isascii() and (following.isalnum() or following == "_"))


def find_mentions(text: str, staff: list[tuple[str, str]]) -> tuple[list[Mention], list[str]]:
    """The staff (user id, display name) mentioned in `text`, in order of first mention, and
    the @-words that matched no one (or several people)."""
    names = dict(staff)
    aliases = sorted(_aliases(staff).items(), key=lambda item: -len(item[0]))
    mentions: dict[str, Mention] = {}
    unresolved: list[str] = []
    for at in _AT.finditer(text):
        rest = text[at.end() :]
        folded = rest.casefold()
        match = next(
            (
                ids
                for alias, ids in aliases
                if folded.startswith(alias) and _ends_cleanly(alias, folded)
            ),
            None,
        )
        if match is not None and len(match) == 1:
            user_id = next(iter(match))
            mentions.setdefault(user_id, Mention(user_id, names[user_id]))
            continue
        token = _TOKEN.match(rest)
        if token and token.group(0) not in unresolved:
            unresolved.append(token.group(0))
    return list(mentions.values()), unresolved


def colleagues(uow: UnitOfWork) -> list[tuple[str, str]]:
    """Everyone who may be mentioned: staff who work cases."""
    return [
        (user_id, name)
        for user_id, name, roles in uow.agent_tools.reads.staff_names()
        if may_work_cases(roles)
    ]


def _conversation(uow: UnitOfWork, case: Case, conversation_id: str | None) -> Conversation:
    conversations = uow.support.conversations.for_case(case.id)
    if conversation_id is None:
        return conversations[-1]
    chosen = next((c for c in conversations if c.id == conversation_id), None)
    if chosen is None:
        raise ConversationNotFound()
    return chosen


def add_note(
    rt: Runtime,
    actor: SupportActor,
    case_id: str,
    *,
    text: str,
    expected_version: int | None = None,
    conversation_id: str | None = None,
) -> NoteAdded:
    """Add an internal note (into the latest conversation unless one is named) and notify
    the colleagues it mentions. `expected_version` refuses it if the case moved on."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        case = access_case_for(uow, actor, case_id, for_update=True)
        check_version(uow, case, expected_version)
        conversation = _conversation(uow, case, conversation_id)
        by = actor.by(case)
        message, _ = do_add_message(
            rt, uow, case, conversation, by, text=text, visibility=Visibility.INTERNAL, now=now
        )
        assert message.id is not None
        mentions, unresolved = find_mentions(message.body, colleagues(uow))
        author = uow.users.get(actor.user_id) if actor.user_id else None
        notified = [m for m in mentions if m.user_id != actor.user_id]
        for mention in notified:
            colleague = uow.users.get(mention.user_id)
            assert colleague is not None
            rt.outbox.notify_user(
                uow,
                now=now,
                user=colleague,
                template=MENTIONED,
                params={
                    "author": author.display_name if author else by.kind.value,
                    "case_ref": case.id,
                },
                contacts=[],
            )
        if mentions:
            history_agent_tools.note_mentioned(
                rt,
                uow,
                case,
                by,
                now,
                message_id=message.id,
                mentioned=[m.user_id for m in mentions],
            )
        uow.support.cases.save(case)
        uow.commit()
    return NoteAdded(case, message, mentions, unresolved)
