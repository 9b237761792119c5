"""/api/v1/admin/coupon-campaigns: admins create campaigns and issue coupons to users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import RuntimeDep
from walletdesk.api.payments import CouponOut
from walletdesk.api.wallets import MoneyOut
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.ledger.money import Money
from walletdesk.merchants import coupons
from walletdesk.merchants.models import CouponCampaign

router = APIRouter(prefix="/api/v1/admin", tags=["coupons"])

CouponManager = Annotated[Authenticated, Depends(requires(Permission.COUPONS_MANAGE))]


class CampaignIn(BaseModel):
    name: str = Field(max_length=100, examples=["双十二满100减10"])
    currency: str = Field(default="CNY", max_length=3)
    amount_off: str = Field(max_length=32, examples=["10.00"])
    min_spend: str = Field(max_length=32, examples=["100.00"])
    expires_at: datetime = Field(description="With a time zone, e.g. 2026-12-31T23:59:59+08:00")
    quantity: int = Field(ge=1, le=coupons.QUANTITY_MAX, description="Coupons it may issue")


class CampaignOut(BaseModel):
    id: str
    name: str
    amount_off: MoneyOut
    min_spend: MoneyOut
    expires_at: datetime
    quantity: int
    issued: int

    @classmethod
    def of(cls, campaign: CouponCampaign) -> CampaignOut:
        return cls(
            id=campaign.id,
            name=campaign.name,
            amount_off=MoneyOut.of(Money(campaign.amount_off, campaign.currency)),
            min_spend=MoneyOut.of(Money(campaign.min_spend, campaign.currency)),
            expires_at=campaign.expires_at,
            quantity=campaign.quantity,
            issued=campaign.issued,
        )


class IssueIn(BaseModel):
    user_id: str = Field(max_length=32, description="The wallet id (usr_...) to give it to")


@router.post("/coupon-campaigns", status_code=201)
def create_campaign(body: CampaignIn, admin: CouponManager, rt: RuntimeDep) -> CampaignOut:
    campaign = coupons.create_campaign(
        rt,
        admin,
        name=body.name,
        amount_off=Money.parse(body.amount_off, body.currency, field="amount_off"),
        min_spend=Money.parse(body.min_spend, body.currency, field="min_spend"),
        expires_at=body.expires_at,
        quantity=body.quantity,
    )
    return CampaignOut.of(campaign)


@router.post("/coupon-campaigns/{campaign_id}/coupons", status_code=201)
def issue_coupon(
    campaign_id: str, body: IssueIn, admin: CouponManager, rt: RuntimeDep
) -> CouponOut:
    coupon = coupons.issue_coupon(rt, admin, campaign_id, body.user_id)
    return CouponOut.of(coupon, rt.clock.now())
