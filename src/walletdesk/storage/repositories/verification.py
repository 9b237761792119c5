"""Storage for verifications and registered outbound contacts (`uow.verification`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from walletdesk.storage import tables_verification as v
from walletdesk.storage.repositories.base import DataclassRepository
from walletdesk.support.verification_models import (
    OutboundContact,
    Verification,
    VerificationState,
)


class VerificationRepository(DataclassRepository[Verification]):
    table = v.support_verifications
    model = Verification

    def for_case(self, case_id: str, *, for_update: bool = False) -> Verification | None:
        statement = select(self.table).where(self.table.c.case_id == case_id)
        if for_update:
            statement = statement.with_for_update()
        return self._one(statement)

    def pending_for_operation(self, kind: str, ref: str) -> Verification | None:
        c = self.table.c
        return self._one(
            select(self.table)
            .where(
                c.operation_kind == kind,
                c.operation_ref == ref,
                c.state == VerificationState.PENDING.value,
            )
            .limit(1)
        )

    def pending_for_user(self, user_id: str, *, limit: int = 20) -> list[Verification]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.user_id == user_id, c.state == VerificationState.PENDING.value)
            .order_by(c.created_at.desc(), c.id.desc())
            .limit(limit)
        )


class OutboundContactRepository(DataclassRepository[OutboundContact]):
    table = v.support_outbound_contacts
    model = OutboundContact

    def live_with_code(self, code_digest: str, now: datetime) -> list[OutboundContact]:
        """Contacts whose window holds `now` and whose code has this digest, newest first."""
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.code_digest == code_digest, c.window_end > now, c.window_start <= now)
            .order_by(c.created_at.desc(), c.id.desc())
        )

    def code_taken(self, code_digest: str, now: datetime) -> bool:
        """Whether a contact that has not ended yet already uses this code."""
        c = self.table.c
        found = self.connection.execute(
            select(c.id).where(c.code_digest == code_digest, c.window_end > now).limit(1)
        ).first()
        return found is not None

    def pending_for_user(
        self, user_id: str, now: datetime, *, limit: int = 20
    ) -> list[OutboundContact]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.user_id == user_id, c.window_end > now, c.completed_at.is_(None))
            .order_by(c.window_start, c.id)
            .limit(limit)
        )

    def for_verification(self, verification_id: str) -> list[OutboundContact]:
        c = self.table.c
        return self._many(
            select(self.table)
            .where(c.verification_id == verification_id)
            .order_by(c.created_at, c.id)
        )

    def complete_for_verification(self, verification_id: str, now: datetime) -> None:
        c = self.table.c
        self.connection.execute(
            update(self.table)
            .where(c.verification_id == verification_id, c.completed_at.is_(None))
            .values(completed_at=now)
        )


class VerificationStore:
    """The verification repositories bound to one unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.verifications = VerificationRepository(connection)
        self.contacts = OutboundContactRepository(connection)
