"""Why a bank operation failed or is still open, and what the user can do next.

The one vocabulary for bank outcomes: the API, the transaction history, and later the bot and
the agents explain a top-up or withdrawal with these codes and sentences (msgids, translated
where the reader is known).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from walletdesk.i18n import N_, translate


class Reason(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    DAILY_LIMIT_EXCEEDED = "daily_limit_exceeded"
    CARD_EXPIRED = "card_expired"
    CARD_FROZEN = "card_frozen"
    NETWORK_TIMEOUT = "network_timeout"
    """Not a failure: the answer was lost and we are asking the bank again."""
    BANK_DECLINED = "bank_declined"
    """Any other refusal by the bank."""


@dataclass(frozen=True)
class Explanation:
    code: str
    message: str
    next_step: str


_EXPLANATIONS = {
    Reason.INSUFFICIENT_FUNDS: Explanation(
        Reason.INSUFFICIENT_FUNDS,
        N_("Your bank card does not have enough money for this."),
        N_("Use another card, or try a smaller amount."),
    ),
    Reason.DAILY_LIMIT_EXCEEDED: Explanation(
        Reason.DAILY_LIMIT_EXCEEDED,
        N_("This card has reached its bank's daily limit."),
        N_("Try again tomorrow, or use another card."),
    ),
    Reason.CARD_EXPIRED: Explanation(
        Reason.CARD_EXPIRED,
        N_("This bank card has expired."),
        N_("Bind the new card your bank sent you, then remove this one."),
    ),
    Reason.CARD_FROZEN: Explanation(
        Reason.CARD_FROZEN,
        N_("Your bank has frozen this card."),
        N_("Contact your bank to unfreeze it, or use another card."),
    ),
    Reason.NETWORK_TIMEOUT: Explanation(
        Reason.NETWORK_TIMEOUT,
        N_("Your bank did not answer in time."),
        N_("We are checking with the bank; nothing is lost. The result will show here soon."),
    ),
    Reason.BANK_DECLINED: Explanation(
        Reason.BANK_DECLINED,
        N_("Your bank declined this request."),
        N_("Contact your bank, or use another card."),
    ),
}


def explanation(code: str) -> Explanation:
    """The explanation of a reason code; an unknown code reads as a plain decline."""
    try:
        return _EXPLANATIONS[Reason(code)]
    except ValueError:
        return _EXPLANATIONS[Reason.BANK_DECLINED]


@dataclass(frozen=True)
class TranslatedReason:
    code: str
    message: str
    next_step: str


def explain(code: str, locale: str) -> TranslatedReason:
    found = explanation(code)
    return TranslatedReason(
        code=found.code,
        message=translate(found.message, locale),
        next_step=translate(found.next_step, locale),
    )
