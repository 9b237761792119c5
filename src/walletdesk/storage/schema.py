"""The whole schema: every module that defines tables on the shared `metadata` is imported
here, so migrations and the schema test see all of them."""

from walletdesk.storage import tables
from walletdesk.storage.tables import metadata

__all__ = ["metadata", "tables"]
