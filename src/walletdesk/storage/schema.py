"""The whole schema: every module that defines tables on the shared `metadata` is imported
here, so migrations and the schema test see all of them."""

from walletdesk.storage import (
    tables,
    tables_agent_tools,  # noqa: F401 - registers its tables
    tables_bank_sim,  # noqa: F401 - registers its tables
    tables_banking,  # noqa: F401 - registers its tables
    tables_bot,  # noqa: F401 - registers its tables
    tables_case_webhooks,  # noqa: F401 - registers its tables
    tables_chat,  # noqa: F401 - registers its tables
    tables_complaints_kb,  # noqa: F401 - registers its tables
    tables_config,  # noqa: F401 - registers its tables
    tables_fx,  # noqa: F401 - registers its tables
    tables_merchants,  # noqa: F401 - registers its tables
    tables_official_channels,  # noqa: F401 - registers its tables
    tables_risk,  # noqa: F401 - registers its tables
    tables_risk_review,  # noqa: F401 - registers its tables
    tables_routing,  # noqa: F401 - registers its tables
    tables_support,  # noqa: F401 - registers its tables
    tables_verification,  # noqa: F401 - registers its tables
)
from walletdesk.storage.tables import metadata

__all__ = ["metadata", "tables"]
