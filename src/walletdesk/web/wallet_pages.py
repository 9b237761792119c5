"""The wallet app's page routers, for `pages.install` to mount."""

from __future__ import annotations

from fastapi import APIRouter

from walletdesk.web import (
    wallet_bank_pages,
    wallet_card_pages,
    wallet_fx_pages,
    wallet_history_pages,
    wallet_home_pages,
    wallet_pay_pages,
    wallet_rewards_pages,
    wallet_transfer_pages,
)

ROUTERS: tuple[APIRouter, ...] = (
    wallet_home_pages.router,
    wallet_card_pages.router,
    wallet_bank_pages.router,
    wallet_transfer_pages.router,
    wallet_fx_pages.router,
    wallet_pay_pages.router,
    wallet_history_pages.router,
    wallet_rewards_pages.router,
)
