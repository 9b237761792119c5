"""What every wallet page shares: rendering with the wallet's helpers, the names of kinds and
statuses, the help articles the hints link to, and the wallet's one-line notices.

Pages show what services return; the words for codes (a transaction kind, a status) live here
as msgids and are translated in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from fastapi import Request, Response

from walletdesk.banking.bins import BANKS
from walletdesk.banking.models import Card, CardStatus
from walletdesk.errors import DomainError
from walletdesk.i18n import N_, translate
from walletdesk.ledger.money import Money
from walletdesk.web.flash import FLASHES
from walletdesk.web.forms import FormState, failed_form, failure_headers, failure_status
from walletdesk.web.help_banner import pending_contacts_for
from walletdesk.web.rendering import BEIJING, page_locale, render

HELP_ARTICLES: Final = {
    "topup": "topup-failed",
    "withdrawal": "withdrawal-pending",
    "transfer": "transfer-limits",
    "fx": "international-payments-fx",
}
"""The help-centre article beside each key function (served under /help/articles/<slug>)."""

KIND_NAMES: Final = {
    "topup": N_("Top-up"),
    "withdrawal": N_("Withdrawal"),
    "transfer": N_("Transfer"),
    "payment": N_("Payment"),
    "refund": N_("Refund"),
    "fx": N_("Currency exchange"),
    "reversal": N_("Reversal"),
    "hold_capture": N_("Settled hold"),
    "adjustment": N_("Adjustment"),
}
FILTER_KINDS: Final = ("topup", "withdrawal", "transfer", "payment", "refund", "fx", "reversal")

STATUS_NAMES: Final = {
    "succeeded": N_("Succeeded"),
    "processing": N_("Processing"),
    "failed": N_("Failed"),
    "held": N_("Held for review"),
    "under_review": N_("Under review"),
    "approved": N_("Approved and sent"),
    "declined": N_("Not sent"),
    "timed_out": N_("Not sent"),
    "pending": N_("Waiting for payment"),
    "paying": N_("Paying"),
    "paid": N_("Paid"),
    "refunded": N_("Refunded"),
    "partially_refunded": N_("Partly refunded"),
    "expired": N_("Expired"),
    "cancelled": N_("Cancelled"),
}
CARD_TYPES: Final = {"debit": N_("Debit card"), "credit": N_("Credit card")}
CARD_STATUSES: Final[dict[str, str]] = {
    CardStatus.PENDING: N_("Waiting for the bank's code"),
    CardStatus.ACTIVE: N_("Ready to use"),
}

FLASHES.update(
    {
        "card_bound": ("success", N_("Your bank card is bound and ready to use.")),
        "card_removed": ("success", N_("The bank card has been removed from your wallet.")),
        "transfer_sent": ("success", N_("Transfer sent. The money is in their wallet now.")),
        "transfer_held": (
            "warning",
            N_(
                "Your transfer is under review. The money is reserved in your wallet until we "
                "decide."
            ),
        ),
        "transfer_cancelled": (
            "success",
            N_("The transfer is cancelled. The reserved money is available again."),
        ),
        "converted": ("success", N_("Exchange done. Both of your wallets are updated.")),
        "tour_done": ("info", N_("Tour closed. You can find help on every page.")),
    }
)


def money(value: Money, locale: str) -> str:
    return value.format(locale)


def signed_money(value: Money, locale: str) -> str:
    """+¥12.30 or -¥12.30: the direction of a movement, as statements show it."""
    text = value.format(locale) if value.minor >= 0 else (-value).format(locale)
    return ("+" if value.minor > 0 else "-" if value.minor < 0 else "") + text


def card_label(card: Card, locale: str) -> str:
    """ "中国工商银行 借记卡 (尾号 1234)": bank, type and last four digits."""
    bank = translate(BANKS[card.bank_code].name, locale) if card.bank_code in BANKS else ""
    kind = translate(CARD_TYPES.get(card.card_type, card.card_type), locale)
    return translate(
        N_("{bank} {kind} ending {last4}"), locale, bank=bank, kind=kind, last4=card.last4
    )


def beijing_month(now: datetime) -> str:
    return now.astimezone(BEIJING).strftime("%Y-%m")


def shifted_month(month: str, months: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def seconds_left(until: datetime, now: datetime) -> int:
    return max(int((until - now) / timedelta(seconds=1)), 0)


def wallet_render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`render` with the helpers wallet templates use, bound to the page's language."""
    locale = page_locale(request)

    def text(message: str, **params: object) -> str:
        return translate(message, locale, **params)

    def status_name(status: str) -> str:
        return text(STATUS_NAMES.get(status) or status)

    def card_status(card: Card) -> str:
        return text(CARD_STATUSES.get(card.status) or card.status)

    values: dict[str, Any] = {
        "money": lambda value: money(value, locale),
        "signed": lambda value: signed_money(value, locale),
        "kind_name": lambda kind: text(KIND_NAMES.get(kind, N_("Other"))),
        "status_name": status_name,
        "card_label": lambda card: card_label(card, locale),
        "card_status": card_status,
        "text": text,
        "help": HELP_ARTICLES,
        "Money": Money,
        "pending_contacts": pending_contacts_for(request),
    }
    values.update(context or {})
    return render(request, template, values, status_code=status_code, headers=headers)


def form_failure(
    request: Request,
    exc: DomainError,
    template: str,
    context: Mapping[str, Any],
    *,
    fields: tuple[str, ...],
    values: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> Response:
    """The form page again, with the refusal next to its field and what was typed kept."""
    form = failed_form(exc, page_locale(request), fields=fields, values=values, aliases=aliases)
    return wallet_render(
        request,
        template,
        {**context, "form": form},
        status_code=failure_status(exc),
        headers=failure_headers(exc),
    )


def blank_form(values: Mapping[str, str] | None = None) -> FormState:
    return FormState(values=dict(values or {}))
