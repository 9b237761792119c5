"""Merchant payments, points and coupons: their routes, mounted by `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from walletdesk.api import coupon_campaigns, merchant_api, payments
from walletdesk.merchants.webhooks import register_webhook_sender
from walletdesk.runtime import Runtime


def commerce_router(runtime: Runtime) -> APIRouter:
    """The routes, and the webhook outbox channel registered with this process's runtime so
    its dispatcher and outbox worker deliver merchant webhooks (also after a restart)."""
    register_webhook_sender(runtime)
    router = APIRouter()
    router.include_router(merchant_api.router)
    router.include_router(payments.router)
    router.include_router(coupon_campaigns.router)
    return router
