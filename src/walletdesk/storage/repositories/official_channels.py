"""Storage of uploaded official channels registry documents. Rows are only ever added; the
service verifies each document again when it reads it, so this layer trusts nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from walletdesk.storage.tables_official_channels import official_channel_registry_versions
from walletdesk.support.official_channels_store import StoredRegistry

_T = official_channel_registry_versions


def _stored(row: Any) -> StoredRegistry:
    return StoredRegistry(
        id=int(row.id),
        version=int(row.version),
        key_id=row.key_id,
        document=row.document,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


class OfficialChannelsRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def newest(self, *, limit: int) -> list[StoredRegistry]:
        """The stored documents with the highest versions first (the later upload on a tie)."""
        rows = self.connection.execute(
            select(_T).order_by(_T.c.version.desc(), _T.c.id.desc()).limit(limit)
        )
        return [_stored(row) for row in rows]

    def add(
        self, *, version: int, key_id: str, document: str, uploaded_by: str | None, at: datetime
    ) -> StoredRegistry:
        new_id = self.connection.execute(
            insert(_T)
            .values(
                version=version,
                key_id=key_id,
                document=document,
                uploaded_by=uploaded_by,
                uploaded_at=at,
            )
            .returning(_T.c.id)
        ).scalar_one()
        return StoredRegistry(int(new_id), version, key_id, document, uploaded_by, at)
