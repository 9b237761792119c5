"""Coupons (优惠券): campaigns set by admins, coupons issued to users, spent once at payment.

A coupon takes `amount_off` off what the payer pays; the merchant still receives the full
order amount and the difference comes from the platform's coupon expense account. Each coupon
copies its campaign's terms when issued, so spending it needs only its own row, and the
guarded UPDATE that marks it used is what makes it single-use under concurrency.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record
from walletdesk.errors import Conflict, NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.ledger.money import Money
from walletdesk.merchants.errors import CampaignNotFound, CouponNotFound, CouponUnusable
from walletdesk.merchants.models import Coupon, CouponCampaign, PaymentOrder
from walletdesk.merchants.store import store
from walletdesk.randomness import new_id

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.repositories.merchants import MerchantStore

NAME_MAX = 100
QUANTITY_MAX = 10_000_000


def create_campaign(
    rt: Runtime,
    actor: Authenticated,
    *,
    name: str,
    amount_off: Money,
    min_spend: Money,
    expires_at: datetime,
    quantity: int,
) -> CouponCampaign:
    now = rt.clock.now()
    clean_name = name.strip()
    if not clean_name or len(clean_name) > NAME_MAX:
        raise ValidationFailed(
            "invalid_campaign_name",
            N_("Enter a campaign name of 1 to {max} characters."),
            field="name",
            max=NAME_MAX,
        )
    if min_spend.minor <= amount_off.minor:
        # Otherwise a payment could cost the payer nothing, or less than nothing.
        raise ValidationFailed(
            "coupon_terms_invalid",
            N_("The minimum spend must be more than the amount off."),
            field="min_spend",
        )
    if expires_at.tzinfo is None or expires_at <= now:
        raise ValidationFailed(
            "campaign_expiry_invalid",
            N_("The expiry must be a future time with a time zone."),
            field="expires_at",
        )
    if not 1 <= quantity <= QUANTITY_MAX:
        raise ValidationFailed(
            "campaign_quantity_invalid",
            N_("The quantity must be between 1 and {max}."),
            field="quantity",
            max=QUANTITY_MAX,
        )
    campaign = CouponCampaign(
        id=new_id(rt.random, "cmp"),
        name=clean_name,
        currency=amount_off.currency,
        amount_off=amount_off.minor,
        min_spend=min_spend.minor,
        expires_at=expires_at,
        quantity=quantity,
        issued=0,
        created_at=now,
        created_by=actor.user.id,
    )
    with rt.db.uow() as uow:
        store(uow).campaigns.add(campaign)
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user.id),
            action="coupon.campaign_created",
            subject_kind="coupon_campaign",
            subject_id=campaign.id,
            details={
                "amount_off": amount_off.to_string(),
                "min_spend": min_spend.to_string(),
                "currency": campaign.currency,
                "quantity": quantity,
            },
        )
        uow.commit()
    return campaign


def issue_coupon(rt: Runtime, actor: Authenticated, campaign_id: str, user_id: str) -> Coupon:
    """Give one coupon of the campaign to a user, unless the campaign ran out or ended."""
    now = rt.clock.now()
    with rt.db.uow() as uow:
        s = store(uow)
        campaign = s.campaigns.get(campaign_id)
        if campaign is None:
            raise CampaignNotFound()
        if uow.users.get(user_id) is None:
            raise NotFound("user_not_found", field="user_id")
        if not s.campaigns.take_one(campaign.id, now):
            raise Conflict(
                "campaign_exhausted",
                N_("This campaign has ended or has no coupons left to issue."),
            )
        coupon = Coupon(
            id=new_id(rt.random, "cpn"),
            campaign_id=campaign.id,
            user_id=user_id,
            currency=campaign.currency,
            amount_off=campaign.amount_off,
            min_spend=campaign.min_spend,
            expires_at=campaign.expires_at,
            issued_at=now,
        )
        s.coupons.add(coupon)
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user.id),
            action="coupon.issued",
            subject_kind="user",
            subject_id=user_id,
            details={"coupon_id": coupon.id, "campaign_id": campaign.id},
        )
        uow.commit()
    return coupon


def coupons_of(rt: Runtime, actor: Authenticated) -> list[Coupon]:
    with rt.db.uow(read_only=True) as uow:
        return store(uow).coupons.for_user(actor.user.id)


def spend_coupon(
    s: MerchantStore,
    *,
    user_id: str,
    coupon_id: str,
    order: PaymentOrder,
    now: datetime,
    locale: str,
) -> Coupon:
    """Check the coupon fits this order and mark it used, in the payment's transaction.

    The caller posts the discount; if the payment fails, rolling back un-spends the coupon."""
    coupon = s.coupons.get(coupon_id)
    if coupon is None or coupon.user_id != user_id:
        raise CouponNotFound(field="coupon_id")
    if coupon.currency != order.currency:
        raise CouponUnusable(
            "coupon_currency_mismatch",
            N_("This coupon is only for payments in {currency}."),
            field="coupon_id",
            currency=coupon.currency,
        )
    if order.amount < coupon.min_spend:
        raise CouponUnusable(
            "coupon_min_spend_not_met",
            N_("This coupon needs a payment of at least {min_spend}."),
            field="coupon_id",
            min_spend=Money(coupon.min_spend, coupon.currency).format(locale),
        )
    if not s.coupons.use(coupon.id, user_id, order.id, now):
        current = s.coupons.get(coupon.id) or coupon
        if current.used_at is not None:
            raise CouponUnusable(
                "coupon_already_used",
                N_("This coupon has already been used."),
                field="coupon_id",
            )
        raise CouponUnusable(
            "coupon_expired",
            N_("This coupon expired at {expired_at}."),
            field="coupon_id",
            expired_at=current.expires_at,
        )
    return coupon
