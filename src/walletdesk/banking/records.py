"""The banking repositories of a unit of work.

Storage is imported when first asked for, so importing the banking domain pulls in no
SQLAlchemy (the layering rule); the repositories share the unit of work's connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from walletdesk.storage.repositories.banking import BankOperationRepository, CardRepository
    from walletdesk.storage.uow import UnitOfWork


def cards(uow: UnitOfWork) -> CardRepository:
    from walletdesk.storage.repositories.banking import CardRepository

    return CardRepository(uow.connection)


def operations(uow: UnitOfWork) -> BankOperationRepository:
    from walletdesk.storage.repositories.banking import BankOperationRepository

    return BankOperationRepository(uow.connection)
