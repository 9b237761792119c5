"""Official channels registry documents uploaded from the admin console (issue 7, item 7).

Each row is a whole signed document exactly as uploaded; it is verified again whenever it is
read (`support/official_channels_store.py`), so a row written straight into the database
without the offline key is never believed. Append-only: the rows are the versions.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from walletdesk.storage.tables import AUTO_ID, ID, metadata
from walletdesk.storage.types import UTCDateTime

official_channel_registry_versions = Table(
    "official_channel_registry_versions",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("uploaded_by", String(ID)),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Index("ix_official_channel_registry_versions_version", "version", "id"),
)
