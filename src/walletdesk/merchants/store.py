"""The merchant repositories for a unit of work, without importing SQLAlchemy here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from walletdesk.storage.repositories.merchants import MerchantStore
    from walletdesk.storage.uow import UnitOfWork


def store(uow: UnitOfWork) -> MerchantStore:
    # Imported on use so the domain package itself never pulls in the storage layer.
    from walletdesk.storage.repositories.merchants import MerchantStore

    return MerchantStore(uow.connection)
