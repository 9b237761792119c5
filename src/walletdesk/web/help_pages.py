"""The help centre's page routers, for `pages.install` to mount."""

from __future__ import annotations

from fastapi import APIRouter

from walletdesk.web import (
    help_article_pages,
    help_complaint_pages,
    help_safety_pages,
    help_suggestion_pages,
)

ROUTERS: tuple[APIRouter, ...] = (
    help_article_pages.router,
    help_safety_pages.router,
    help_complaint_pages.router,
    help_suggestion_pages.router,
)
