"""The notices a payer gets about a movement held for review, per kind: held (with the
expected decision time), declined (the money is free again) and approved. The P2P transfer's
are in `notify.templates`; a payment's and a withdrawal's are registered here."""

from __future__ import annotations

from walletdesk.i18n import N_
from walletdesk.notify.templates import TEMPLATES, Template
from walletdesk.risk.models import MovementKind

TEMPLATES.update(
    (template.key, template)
    for template in (
        Template(
            "risk.payment_held",
            N_("Your payment is under review"),
            N_(
                "Your payment of {amount} is under review. The money is reserved in your "
                "wallet and we expect a decision by {expected_by}. You can cancel it in the app."
            ),
        ),
        Template(
            "risk.payment_declined",
            N_("Your payment was not made"),
            N_(
                "Your payment of {amount} was not made after review. The reserved money is "
                "available in your wallet again."
            ),
        ),
        Template(
            "risk.payment_approved",
            N_("Your payment was made"),
            N_("Your payment of {amount} was approved after review and made."),
        ),
        Template(
            "risk.withdrawal_held",
            N_("Your withdrawal is under review"),
            N_(
                "Your withdrawal of {amount} is under review. The money is reserved in your "
                "wallet and we expect a decision by {expected_by}. You can cancel it in the app."
            ),
        ),
        Template(
            "risk.withdrawal_declined",
            N_("Your withdrawal was not made"),
            N_(
                "Your withdrawal of {amount} was not made after review. The reserved money is "
                "available in your wallet again."
            ),
        ),
        Template(
            "risk.withdrawal_approved",
            N_("Your withdrawal was approved"),
            N_("Your withdrawal of {amount} was approved after review and sent to your bank."),
        ),
    )
)

TEMPLATES_BY_KIND = {
    MovementKind.TRANSFER: (
        "risk.transfer_held",
        "risk.transfer_declined",
        "risk.transfer_approved",
    ),
    MovementKind.PAYMENT: ("risk.payment_held", "risk.payment_declined", "risk.payment_approved"),
    MovementKind.WITHDRAWAL: (
        "risk.withdrawal_held",
        "risk.withdrawal_declined",
        "risk.withdrawal_approved",
    ),
}
"""The payer's notices (held, declined, approved) per kind; see `notify.templates`."""
