"""Coded errors of merchant payments, refunds and coupons. Clients switch on `code`."""

from __future__ import annotations

from walletdesk.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_


class InvalidApiKey(AuthenticationFailed):
    default_code = "invalid_api_key"
    default_message = N_("The merchant API key is missing or not valid.")


class PaymentNotFound(NotFound):
    default_code = "payment_not_found"
    default_message = N_("No payment order matches this id.")


class AlreadyPaid(Conflict):
    default_code = "payment_already_paid"
    default_message = N_("This order has already been paid.")


class PaymentExpired(Conflict):
    default_code = "payment_expired"
    default_message = N_(
        "This payment order expired at {expired_at}. Ask the merchant for a new one."
    )


class PaymentInProgress(Conflict):
    default_code = "payment_in_progress"
    default_message = N_(
        "This order is being paid by bank card. Wait for the bank's answer before paying again."
    )


class CnyAmountChanged(Conflict):
    default_code = "cny_amount_changed"
    default_message = N_(
        "The exchange rate has moved: this payment now needs {cny}, more than the {max_cny} "
        "you agreed to. Check the new amount and confirm again."
    )


class RefundExceedsPayment(Conflict):
    default_code = "refund_exceeds_payment"
    default_message = N_(
        "A refund cannot exceed the amount paid. At most {refundable} can still be refunded."
    )


class MerchantBalanceInsufficient(Conflict):
    default_code = "merchant_balance_insufficient"
    default_message = N_(
        "The merchant balance of {available} cannot cover this refund of {amount}. Try again "
        "once new payments have come in."
    )


class CouponNotFound(NotFound):
    default_code = "coupon_not_found"
    default_message = N_("You have no coupon with this id.")


class CouponUnusable(Conflict):
    default_code = "coupon_unusable"
    default_message = N_("This coupon cannot be used for this payment.")


class CampaignNotFound(NotFound):
    default_code = "campaign_not_found"
    default_message = N_("No coupon campaign matches this id.")


def invalid_webhook_url() -> ValidationFailed:
    return ValidationFailed(
        "invalid_webhook_url",
        N_("The webhook URL must be a full http:// or https:// address."),
        field="webhook_url",
    )
