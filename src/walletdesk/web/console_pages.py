"""The agent console's page routers (/console), for `pages.install` to mount."""

from __future__ import annotations

from fastapi import APIRouter

from walletdesk.web import (
    console_action_pages,
    console_case_pages,
    console_complaint_pages,
    console_customer_pages,
    console_inbox_pages,
    console_verification_pages,
    risk_review_pages,
)

ROUTERS: tuple[APIRouter, ...] = (
    console_inbox_pages.router,
    console_action_pages.router,
    console_case_pages.router,
    console_customer_pages.router,
    console_verification_pages.router,
    console_complaint_pages.router,
    risk_review_pages.router,
)
