"""Coupons and points (优惠券和积分): what the user has, and what each is worth."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from walletdesk.api.deps import RuntimeDep
from walletdesk.merchants import coupons, points
from walletdesk.merchants.models import Coupon
from walletdesk.web.csrf import csrf_protected
from walletdesk.web.session import PageUser
from walletdesk.web.wallet_view import wallet_render

router = APIRouter(
    prefix="/wallet", dependencies=[Depends(csrf_protected)], include_in_schema=False
)


@router.get("/rewards")
def rewards_page(request: Request, actor: PageUser, rt: RuntimeDep) -> Response:
    now = rt.clock.now()
    grouped: dict[str, list[Coupon]] = {"available": [], "used": [], "expired": []}
    for coupon in coupons.coupons_of(rt, actor):
        grouped[coupon.state_at(now)].append(coupon)
    return wallet_render(
        request,
        "wallet/rewards.html",
        {"points": points.points_balance(rt, actor), "coupons": grouped},
    )
