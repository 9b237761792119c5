"""Storage for the support desk: contacts, identities, cases, conversations, messages,
attachments, status labels and dispute links. The case history is in `support_history.py`,
the SLA side in `support_sla.py`; `SupportStore` bundles them for the unit of work
(`uow.support`)."""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
)

from walletdesk.storage import tables_routing
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import DataclassRepository, insert_ignoring_conflicts
from walletdesk.storage.repositories.support_history import BUMP_VERSION
from walletdesk.storage.repositories.support_history import (
    CaseEventRepository as CaseEventRepository,
)
from walletdesk.storage.repositories.support_sla import (
    HolidayYearRepository,
    SlaPolicyRepository,
    SlaTargetRepository,
    StaffDirectory,
)
from walletdesk.support.models import Attachment, Case, Contact, Conversation, Identity, Message
from walletdesk.support.queries import CaseFilter
from walletdesk.support.sla import TargetState
from walletdesk.support.statuses import StatusLabel


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class ContactRepository(DataclassRepository[Contact]):
    table = s.support_contacts
    model = Contact

    def get_by_user(self, user_id: str) -> Contact | None:
        return self._one(select(self.table).where(self.table.c.user_id == user_id))

    def add_for_user(self, contact: Contact) -> Contact:
        """Insert the user's contact unless one exists (a concurrent first chat may have
        just added it); returns the stored one either way."""
        assert contact.user_id is not None
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, self.table).values(self._values(contact))
        )
        stored = self.get_by_user(contact.user_id)
        assert stored is not None
        return stored


class IdentityRepository(DataclassRepository[Identity]):
    table = s.support_identities
    model = Identity

    def find(self, kind: str, value_index: str) -> Identity | None:
        c = self.table.c
        return self._one(select(self.table).where(c.kind == kind, c.value_index == value_index))

    def add_once(self, identity: Identity) -> Identity:
        """Insert unless this address is already known; returns the stored identity."""
        self.connection.execute(
            insert_ignoring_conflicts(self.connection, self.table).values(self._values(identity))
        )
        stored = self.find(identity.kind, identity.value_index)
        assert stored is not None
        return stored

    def for_contact(self, contact_id: str) -> list[Identity]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.contact_id == contact_id).order_by(c.created_at, c.id)
        )


class StatusLabelRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, key: str) -> StatusLabel | None:
        row = self.connection.execute(
            select(s.support_status_labels).where(s.support_status_labels.c.key == key)
        ).first()
        return StatusLabel(**row._mapping) if row else None

    def add(self, label: StatusLabel) -> StatusLabel:
        self.connection.execute(insert(s.support_status_labels).values(vars(label)))
        return label

    def all(self) -> list[StatusLabel]:
        rows = self.connection.execute(
            select(s.support_status_labels).order_by(s.support_status_labels.c.key)
        )
        return [StatusLabel(**row._mapping) for row in rows]


class CaseRepository(DataclassRepository[Case]):
    table = s.support_cases
    model = Case

    def bump_version(self, case_id: str) -> int:
        return int(self.connection.execute(BUMP_VERSION, {"case_id": case_id}).scalar_one())

    def for_contact(self, contact_id: str, *, limit: int = 100) -> list[Case]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.contact_id == contact_id)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
        )

    def follow_up_of(self, case_id: str) -> Case | None:
        c = self.table.c
        return self._one(select(self.table).where(c.follow_up_of == case_id).limit(1))

    def staff_page(self, filters: CaseFilter, *, limit: int) -> list[Case]:
        """Newest first, after the (created_at, id) position in `filters.before`."""
        c = self.table.c
        statement = select(self.table)
        if filters.categories:
            statement = statement.where(c.category.in_(filters.categories))
        if filters.label:
            statement = statement.where(c.label == filters.label)
        if filters.unassigned:
            statement = statement.where(c.assignee_id.is_(None))
        elif filters.assignee_id:
            statement = statement.where(c.assignee_id == filters.assignee_id)
        if filters.types:
            statement = statement.where(c.type.in_(filters.types))
        if filters.priorities:
            statement = statement.where(c.priority.in_(filters.priorities))
        if not filters.include_bot:
            statement = statement.where(c.with_bot.is_(False))
        if filters.contact_id:
            statement = statement.where(c.contact_id == filters.contact_id)
        if filters.channels:
            statement = statement.where(c.channel.in_(filters.channels))
        if filters.queue_id:
            r = tables_routing.routing_cases.c
            statement = statement.where(
                exists().where(r.case_id == c.id, r.queue_id == filters.queue_id)
            )
        if filters.search:
            escaped = re.sub(r"([\\%_])", r"\\\1", filters.search)
            statement = statement.where(
                or_(c.subject.ilike(f"%{escaped}%", escape="\\"), c.id == filters.search)
            )
        if filters.breached is not None:
            t = s.support_sla_targets.c
            late = exists().where(
                t.case_id == c.id, t.state == TargetState.BREACHED, t.fulfilled_at.is_(None)
            )
            statement = statement.where(late if filters.breached else ~late)
        if filters.before is not None:
            at, case_id = filters.before
            statement = statement.where(
                or_(c.created_at < at, and_(c.created_at == at, c.id < case_id))
            )
        return self._many(statement.order_by(c.created_at.desc(), c.id.desc()).limit(limit))

    def solved_before(self, cutoff: datetime, *, limit: int) -> list[str]:
        c = self.table.c
        rows = self.connection.execute(
            select(c.id)
            .where(c.category == "solved", c.solved_at < cutoff)
            .order_by(c.solved_at)
            .limit(limit)
        )
        return [row.id for row in rows]


# Built once: the chat path runs these for every message.
_ADD_MESSAGE = insert(s.support_messages).returning(s.support_messages.c.id)


@functools.cache
def _conversation_with_case(for_update: bool) -> Select[Any]:
    """A conversation, its case and the case's contact's user in one statement; with
    `for_update` the case row, then the conversation row, are locked (the order every writer
    takes them in: cases come first in FROM)."""
    cases, conversations, contacts = s.support_cases, s.support_conversations, s.support_contacts
    statement = (
        select(
            *[c.label(f"k_{c.name}") for c in cases.columns],
            *[c.label(f"v_{c.name}") for c in conversations.columns],
            contacts.c.user_id.label("contact_user_id"),
        )
        .select_from(cases)
        .join(conversations, conversations.c.case_id == cases.c.id)
        .outerjoin(contacts, contacts.c.id == cases.c.contact_id)
        .where(conversations.c.id == bindparam("conversation_id"))
    )
    if for_update:
        statement = statement.with_for_update(of=[cases, conversations])
    return statement


class ConversationRepository(DataclassRepository[Conversation]):
    table = s.support_conversations
    model = Conversation

    def with_case(
        self, conversation_id: str, *, for_update: bool = False
    ) -> tuple[Conversation, Case, str | None] | None:
        """(conversation, its case, the user id of the case's contact), in one round trip."""
        row = self.connection.execute(
            _conversation_with_case(for_update), {"conversation_id": conversation_id}
        ).first()
        if row is None:
            return None
        m = row._mapping
        case = Case(**{c.name: m[f"k_{c.name}"] for c in s.support_cases.columns})
        conversation = Conversation(
            **{c.name: m[f"v_{c.name}"] for c in s.support_conversations.columns}
        )
        return conversation, case, m["contact_user_id"]

    def for_case(self, case_id: str) -> list[Conversation]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id == case_id).order_by(c.created_at, c.id)
        )


class MessageRepository(DataclassRepository[Message]):
    table = s.support_messages
    model = Message

    def add(self, obj: Message) -> Message:
        values = self._values(obj)
        values.pop("id")
        new_id = self.connection.execute(_ADD_MESSAGE, values).scalar_one()
        obj.id = int(new_id)
        return obj

    def by_id(self, message_id: int) -> Message | None:
        return self._one(select(self.table).where(self.table.c.id == message_id))

    def page(
        self,
        conversation_id: str,
        *,
        public_only: bool,
        before: int | None,
        after: int | None,
        limit: int,
    ) -> list[Message]:
        """Up to `limit` messages, oldest first: the ones right after `after`, else the ones
        right before `before` (or the newest when neither is given)."""
        c = self.table.c
        statement = select(self.table).where(c.conversation_id == conversation_id)
        if public_only:
            statement = statement.where(c.visibility == "public")
        if after is not None:
            return self._many(statement.where(c.id > after).order_by(c.id).limit(limit))
        if before is not None:
            statement = statement.where(c.id < before)
        newest_first = self._many(statement.order_by(c.id.desc()).limit(limit))
        return list(reversed(newest_first))

    def exists_beyond(
        self, conversation_id: str, *, public_only: bool, older: int, newer: int
    ) -> tuple[bool, bool]:
        """Whether messages older than `older` / newer than `newer` exist."""
        c = self.table.c
        base = [c.conversation_id == conversation_id]
        if public_only:
            base.append(c.visibility == "public")
        found_older = self.connection.execute(
            select(c.id).where(*base, c.id < older).limit(1)
        ).first()
        found_newer = self.connection.execute(
            select(c.id).where(*base, c.id > newer).limit(1)
        ).first()
        return found_older is not None, found_newer is not None

    def for_case(self, case_id: str, *, limit: int = 1000) -> list[Message]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id == case_id).order_by(c.id).limit(limit)
        )


class AttachmentRepository(DataclassRepository[Attachment]):
    table = s.support_attachments
    model = Attachment

    def for_messages(self, message_ids: list[int]) -> list[Attachment]:
        if not message_ids:
            return []
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.message_id.in_(message_ids))
            .order_by(c.message_id, c.created_at, c.id)
        )


class DisputeRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def link(self, case_id: str, entry_id: str, at: datetime) -> None:
        self.connection.execute(
            insert(s.support_dispute_transactions).values(
                case_id=case_id, entry_id=entry_id, linked_at=at
            )
        )

    def for_case(self, case_id: str) -> list[str]:
        c = s.support_dispute_transactions.c
        rows = self.connection.execute(
            select(c.entry_id).where(c.case_id == case_id).order_by(c.linked_at, c.entry_id)
        )
        return [row.entry_id for row in rows]


class SupportStore:
    """The support repositories bound to one unit of work's connection (`uow.support`)."""

    def __init__(self, connection: Connection) -> None:
        self.contacts = ContactRepository(connection)
        self.identities = IdentityRepository(connection)
        self.labels = StatusLabelRepository(connection)
        self.cases = CaseRepository(connection)
        self.conversations = ConversationRepository(connection)
        self.messages = MessageRepository(connection)
        self.attachments = AttachmentRepository(connection)
        self.events = CaseEventRepository(connection)
        self.disputes = DisputeRepository(connection)
        self.sla_policies = SlaPolicyRepository(connection)
        self.sla_targets = SlaTargetRepository(connection)
        self.holiday_years = HolidayYearRepository(connection)
        self.staff = StaffDirectory(connection)
