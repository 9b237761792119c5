"""The coupon suggestion of proactive help: one of the customer's own coupons that fits a
merchant they keep paying.

"Usual merchants" are the merchants the customer paid at least `USUAL_PAYMENTS` times in the
last `USUAL_WINDOW`, read from their own payment history (the wallet's history page, so card
payments count too). A coupon fits such a merchant when it is still available, in the
currency they paid in, and their typical payment there (the median) reaches the coupon's
minimum spend — so the suggestion is one they can actually use on their next visit. The
soonest-expiring fitting coupon wins; the merchant named is the one they pay most often.

Only the one user's coupons and history are read: coupons are never offered from anyone
else's data, and nothing is issued here (issuing is an admin's act in `merchants.coupons`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median
from typing import TYPE_CHECKING

from walletdesk.ledger import wallets
from walletdesk.merchants.models import Coupon
from walletdesk.merchants.store import store

if TYPE_CHECKING:
    from walletdesk.runtime import Runtime

USUAL_WINDOW = timedelta(days=90)
USUAL_PAYMENTS = 2
"""Paid this many times in the window: a merchant the customer keeps going back to."""
PAYMENTS_READ = 50
"""The newest payments looked at; enough to find the few merchants someone returns to."""


@dataclass(frozen=True)
class UsualMerchant:
    name: str
    currency: str
    payments: int
    typical_spend: int
    """The median payment there, minor units."""


@dataclass(frozen=True)
class CouponMatch:
    coupon: Coupon
    merchant: UsualMerchant


def usual_merchants(rt: Runtime, user_id: str) -> list[UsualMerchant]:
    """The merchants `user_id` paid at least `USUAL_PAYMENTS` times lately, most paid first."""
    page = wallets.user_history_page(
        rt,
        user_id,
        cursor=None,
        limit=PAYMENTS_READ,
        filters=wallets.HistoryFilter(
            kinds=["payment"], since=rt.clock.now() - USUAL_WINDOW, direction="out"
        ),
    )
    spent: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in page.items:
        # A refund or a payment that never went through is not a visit.
        if item.kind != "payment" or item.status != "succeeded" or not item.counterparty:
            continue
        spent[(item.counterparty, item.amount.currency)].append(-item.amount.minor)
    found = [
        UsualMerchant(name, currency, len(amounts), int(median(amounts)))
        for (name, currency), amounts in spent.items()
        if len(amounts) >= USUAL_PAYMENTS
    ]
    return sorted(found, key=lambda m: (-m.payments, m.name))


def matching_coupon(rt: Runtime, user_id: str) -> CouponMatch | None:
    """The user's soonest-expiring available coupon that their usual spend at one of their
    usual merchants qualifies for; None when there is none."""
    merchants = usual_merchants(rt, user_id)
    if not merchants:
        return None
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        coupons = store(uow).coupons.for_user(user_id)  # ordered by expiry
    for coupon in coupons:
        if coupon.user_id != user_id or coupon.state_at(now) != "available":
            continue
        for merchant in merchants:
            if merchant.currency == coupon.currency and merchant.typical_spend >= coupon.min_spend:
                return CouponMatch(coupon, merchant)
    return None
