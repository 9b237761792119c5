"""Storage for the agents' tools: macros, reveal grants, case-action proposals and their
thresholds, fee waivers, limit overrides, plus the reads they need from other areas (the
staff directory for @mentions, a case's events since a version, a wallet's holds).
`AgentToolsStore` bundles them for the unit of work (`uow.agent_tools`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, and_, or_, select, update

from walletdesk.ledger.limits import Limit
from walletdesk.ledger.models import Hold
from walletdesk.storage import tables as t
from walletdesk.storage import tables_agent_tools as a
from walletdesk.storage import tables_support as s
from walletdesk.storage.repositories.base import DataclassRepository, insert_ignoring_conflicts
from walletdesk.storage.repositories.support import CaseEventRepository
from walletdesk.support.actions_model import ActionPolicy, Proposal
from walletdesk.support.history import CaseEvent
from walletdesk.support.macros import Macro
from walletdesk.support.reveal import RevealGrant


def _upsert(
    connection: Connection, table: Table, key: Column[Any], value: str, values: dict[str, Any]
) -> None:
    """Insert the row, or change it when its key is taken (a concurrent insert of the same
    key waits for the first and then updates it)."""
    inserted = connection.execute(
        insert_ignoring_conflicts(connection, table).values(values).returning(key)
    ).first()
    if inserted is None:
        connection.execute(update(table).where(key == value).values(values))


class MacroRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def all(self) -> list[Macro]:
        rows = self.connection.execute(
            select(a.support_macros).order_by(a.support_macros.c.shortcut)
        )
        return [Macro(**row._mapping) for row in rows]

    def get(self, shortcut: str) -> Macro | None:
        row = self.connection.execute(
            select(a.support_macros).where(a.support_macros.c.shortcut == shortcut)
        ).first()
        return Macro(**row._mapping) if row else None

    def put(self, macro: Macro) -> None:
        c = a.support_macros.c
        _upsert(self.connection, a.support_macros, c.shortcut, macro.shortcut, vars(macro))


class RevealGrantRepository(DataclassRepository[RevealGrant]):
    table = a.support_reveal_grants
    model = RevealGrant

    def active(self, staff_id: str, case_id: str, now: datetime) -> list[RevealGrant]:
        """The staff member's grants on this case that have not expired, oldest first."""
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.staff_id == staff_id, c.case_id == case_id, c.expires_at > now)
            .order_by(c.created_at, c.id)
        )


class ActionPolicyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def all(self) -> dict[str, ActionPolicy]:
        rows = self.connection.execute(select(a.case_action_policies))
        return {row.kind: ActionPolicy(**row._mapping) for row in rows}

    def put(self, policy: ActionPolicy) -> None:
        c = a.case_action_policies.c
        _upsert(self.connection, a.case_action_policies, c.kind, policy.kind, vars(policy))


class ProposalRepository(DataclassRepository[Proposal]):
    table = a.case_action_proposals
    model = Proposal

    def for_case(self, case_id: str) -> list[Proposal]:
        c = self.table.c
        return self._many(
            select(self.table).where(c.case_id == case_id).order_by(c.created_at, c.id)
        )

    def with_status(
        self, statuses: list[str], *, limit: int, after: tuple[datetime, str] | None = None
    ) -> list[Proposal]:
        """Oldest first (an approvals inbox works through the queue in order)."""
        c = self.table.c
        statement = select(self.table).where(c.status.in_(statuses))
        if after is not None:
            at, proposal_id = after
            statement = statement.where(
                or_(c.created_at > at, and_(c.created_at == at, c.id > proposal_id))
            )
        return self._many(statement.order_by(c.created_at, c.id).limit(limit))

    def executing_since_before(self, cutoff: datetime, *, limit: int) -> list[str]:
        c = self.table.c
        rows = self.connection.execute(
            select(c.id)
            .where(c.status == "executing", c.executing_since < cutoff)
            .order_by(c.executing_since)
            .limit(limit)
        )
        return [row.id for row in rows]


class FeeWaiverRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_once(self, entry_id: str, proposal_id: str, waiver_entry_id: str, at: datetime) -> bool:
        """False when this entry's fee was already waived (the first waiver stands)."""
        # RETURNING, not the rowcount: psycopg 3 reports -1 for inserts under SQLAlchemy.
        inserted = self.connection.execute(
            insert_ignoring_conflicts(self.connection, a.case_fee_waivers)
            .values(
                entry_id=entry_id,
                proposal_id=proposal_id,
                waiver_entry_id=waiver_entry_id,
                created_at=at,
            )
            .returning(a.case_fee_waivers.c.entry_id)
        ).first()
        return inserted is not None

    def waived(self, entry_id: str) -> bool:
        c = a.case_fee_waivers.c
        found = self.connection.execute(select(c.entry_id).where(c.entry_id == entry_id))
        return found.first() is not None


class LimitOverrideRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def in_effect(self, user_id: str, at: datetime | None) -> Limit | None:
        """The user's raised limits if they have not expired at `at` (None: any stored)."""
        c = a.limit_overrides.c
        statement = select(c.per_transaction, c.per_day, c.per_year).where(c.user_id == user_id)
        if at is not None:
            statement = statement.where(c.expires_at > at)
        row = self.connection.execute(statement).first()
        if row is None:
            return None
        return Limit(int(row.per_transaction), int(row.per_day), int(row.per_year))

    def expiry(self, user_id: str) -> datetime | None:
        c = a.limit_overrides.c
        row = self.connection.execute(select(c.expires_at).where(c.user_id == user_id)).first()
        return row.expires_at if row else None

    def put(
        self,
        user_id: str,
        limit: Limit,
        *,
        expires_at: datetime,
        case_id: str,
        proposal_id: str,
        at: datetime,
    ) -> None:
        """One override per user: a newer one replaces the older."""
        values = {
            "per_transaction": limit.per_transaction,
            "per_day": limit.per_day,
            "per_year": limit.per_year,
            "expires_at": expires_at,
            "case_id": case_id,
            "proposal_id": proposal_id,
            "created_at": at,
        }
        c = a.limit_overrides.c
        _upsert(
            self.connection, a.limit_overrides, c.user_id, user_id, {"user_id": user_id} | values
        )


class AgentReads:
    """Reads of other areas' tables that only the agents' tools need."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def staff_names(self) -> list[tuple[str, str, frozenset[str]]]:
        """(user id, display name, roles) of everyone holding a staff role."""
        r, u = t.staff_roles.c, t.users.c
        rows = self.connection.execute(
            select(u.id, u.display_name, r.role)
            .join_from(t.staff_roles, t.users, r.user_id == u.id)
            .order_by(u.id, r.role)
        )
        found: dict[str, tuple[str, set[str]]] = {}
        for row in rows:
            found.setdefault(row.id, (row.display_name, set()))[1].add(row.role)
        return [(user_id, name, frozenset(roles)) for user_id, (name, roles) in found.items()]

    def events_since(self, case_id: str, version: int) -> list[CaseEvent]:
        c = s.support_case_events.c
        rows = self.connection.execute(
            select(s.support_case_events)
            .where(c.case_id == case_id, c.version > version)
            .order_by(c.version)
        )
        return [CaseEventRepository._event(row) for row in rows]

    def holds_of(self, account_ids: list[str], *, limit: int) -> list[Hold]:
        """Pending holds first, then the latest settled ones, newest first within each."""
        if not account_ids:
            return []
        c = t.holds.c
        rows = self.connection.execute(
            select(t.holds)
            .where(c.account_id.in_(account_ids))
            .order_by((c.status == "pending").desc(), c.created_at.desc(), c.id.desc())
            .limit(limit)
        )
        return [Hold(**row._mapping) for row in rows]


class AgentToolsStore:
    """The agents' tools repositories bound to one unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.macros = MacroRepository(connection)
        self.reveals = RevealGrantRepository(connection)
        self.policies = ActionPolicyRepository(connection)
        self.proposals = ProposalRepository(connection)
        self.fee_waivers = FeeWaiverRepository(connection)
        self.limit_overrides = LimitOverrideRepository(connection)
        self.reads = AgentReads(connection)
