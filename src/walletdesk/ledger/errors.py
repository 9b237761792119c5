"""Coded ledger errors."""

from __future__ import annotations

from walletdesk.errors import Conflict, DomainError
from walletdesk.i18n import N_


class InsufficientFunds(Conflict):
    default_code = "insufficient_funds"
    default_message = N_("Your available balance is {available}, which is not enough.")


class WalletFrozen(DomainError):
    http_status = 423
    default_code = "wallet_frozen"
    default_message = N_(
        "Your wallet is frozen, so no money can leave it. To unfreeze it, open the security "
        "centre and confirm it is you."
    )


class LimitExceeded(Conflict):
    default_code = "limit_exceeded"
    default_message = N_(
        "This is over your {period} limit of {limit}. You can still send {remaining}."
    )


class AlreadyReversed(Conflict):
    default_code = "already_reversed"
    default_message = N_("This transaction has already been reversed.")
