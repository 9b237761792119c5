"""The words the risk review pages use for the risk package's codes (decision actions,
movement kinds, closing labels, the reviewers' log, security events, velocity features) and
their one-line notices, as msgids translated in the page's language."""

from __future__ import annotations

from typing import Final

from walletdesk.i18n import N_
from walletdesk.web.flash import FLASHES

DECISION_NAMES: Final = {
    "approve": N_("Approve"),
    "step_up": N_("Ask for a second factor"),
    "hold": N_("Hold for review"),
    "decline": N_("Decline"),
    "freeze": N_("Freeze the account"),
}
KIND_NAMES: Final = {
    "transfer": N_("Transfer"),
    "payment": N_("Payment"),
    "withdrawal": N_("Withdrawal"),
    "topup": N_("Top-up"),
    "fx": N_("Currency exchange"),
}
HELD_NAMES: Final = {
    "under_review": N_("Under review"),
    "approved": N_("Approved and sent"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled by the customer"),
    "timed_out": N_("Declined at the final timeout"),
}
CASE_STATUS_NAMES: Final = {
    "open": N_("Waiting for a decision"),
    "awaiting_second": N_("Waiting for a second reviewer"),
    "closed": N_("Closed"),
}
LABEL_NAMES: Final = {
    "false_positive": N_("False positive"),
    "valuable_alert": N_("Valuable alert"),
    "confirmed_fraud": N_("Confirmed fraud"),
}
LOG_NAMES: Final = {
    "approve": N_("Approved"),
    "decline": N_("Declined"),
    "freeze": N_("Declined and froze the wallet"),
    "unfreeze": N_("Unfreeze"),
    "ask_customer": N_("Asked the customer"),
    "escalate": N_("Escalated to a supervisor"),
    "close": N_("Closed"),
    "assign": N_("Taken from the queue"),
}
PENDING_NAMES: Final = {
    "approve": N_("Approval of the held movements"),
    "unfreeze": N_("Unfreezing the wallet"),
}
SECURITY_NAMES: Final = {
    "password_reset.completed": N_("Password reset"),
    "password.reset_done": N_("Password reset"),
    "password.changed": N_("Password changed"),
    "contact.changed": N_("Phone or email changed"),
    "login.succeeded": N_("Signed in on a new device"),
    "wallet.frozen": N_("Wallet frozen"),
    "wallet.unfrozen": N_("Wallet unfrozen"),
    "two_factor.disabled": N_("Two-factor sign-in turned off"),
}
WINDOW_NAMES: Final = {
    "5m": N_("5 minutes"),
    "1h": N_("1 hour"),
    "24h": N_("24 hours"),
    "30d": N_("30 days"),
}
WINDOW_ROWS: Final = (
    ("sender_out_count", "sender_out_sum", N_("Sent by the customer")),
    ("receiver_in_count", "receiver_in_sum", N_("Received by the counterparty")),
    ("device_count", "device_sum", N_("From this device")),
    ("ip_count", "ip_sum", N_("From this IP address")),
)
"""The velocity table: one row per party, one column per window (count and amount)."""
CONTEXT_FEATURES: Final = (
    ("payee_is_new", N_("First time to this counterparty")),
    ("sender_out_receivers_8h", N_("Distinct receivers, 8 hours")),
    ("sender_out_receivers_24h", N_("Distinct receivers, 24 hours")),
    ("sender_in_count_24h", N_("Received by the customer, 24 hours")),
    ("sender_in_sum_24h", N_("Amount received by the customer, 24 hours")),
    ("receiver_in_senders_24h", N_("Distinct senders to the counterparty, 24 hours")),
    ("receiver_similar_24h", N_("Similar amounts to the counterparty, 24 hours")),
    ("sender_avg_out_90d", N_("Customer's average outgoing amount, 90 days")),
    ("since_last_out", N_("Since the customer's previous outgoing movement")),
    ("sender_account_age", N_("Age of the customer's account")),
    ("receiver_account_age", N_("Age of the counterparty's account")),
    ("since_password_reset", N_("Since the last password reset")),
    ("since_contact_change", N_("Since the phone or email changed")),
    ("since_new_device", N_("Since this new device was added")),
    ("support_contact", N_("In a call or chat with someone claiming to be support")),
)
MONEY_FEATURES: Final = frozenset({"sender_in_sum_24h", "sender_avg_out_90d"})
DURATION_FEATURES: Final = frozenset(
    {
        "since_last_out",
        "sender_account_age",
        "receiver_account_age",
        "since_password_reset",
        "since_contact_change",
        "since_new_device",
    }
)

FLASHES.update(
    {
        "risk_queue_empty": (
            "info",
            N_("No case is waiting for a reviewer. New alerts join the queue as they come."),
        ),
        "risk_taken": ("success", N_("This case is yours now.")),
        "risk_approved": ("success", N_("You approved the case; the held movements were sent.")),
        "risk_first_approval": (
            "info",
            N_(
                "Your approval is recorded. "
                "A second reviewer must confirm it before anything is sent."
            ),
        ),
        "risk_declined": (
            "success",
            N_("You declined the case; the money went back to the customer."),
        ),
        "risk_frozen": ("warning", N_("You declined the case and froze the customer's wallet.")),
        "risk_escalated": ("info", N_("The case was escalated to a supervisor.")),
        "risk_asked": ("info", N_("The customer was asked in the app to confirm.")),
        "risk_first_unfreeze": (
            "info",
            N_("Your unfreeze request is recorded. A second reviewer must confirm it."),
        ),
        "risk_unfrozen": ("success", N_("The customer's wallet is unfrozen.")),
    }
)
