"""Wiring the pages into the app: routers, static files, error pages, browser cookies."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from walletdesk.web import (
    admin_calendar_pages,
    admin_channel_pages,
    admin_fee_pages,
    admin_fx_pages,
    admin_limits_pages,
    admin_pages,
    admin_sla_pages,
    auth_pages,
    chat_widget_pages,
    console_pages,
    dashboard_pages,
    dev_pages,
    device_pages,
    freeze_pages,
    help_pages,
    home_pages,
    reset_pages,
    security_pages,
    twofactor_pages,
    wallet_pages,
)
from walletdesk.web.browser import install_browser_middleware
from walletdesk.web.errors import install_page_errors


class PublicStaticFiles(StaticFiles):
    """The stylesheet and scripts: anyone may fetch them (the route access test reads this)."""

    access_rule = "public"


def page_routers() -> tuple[APIRouter, ...]:
    """Every router of the pages, in the order they are installed."""
    return (
        home_pages.router,
        auth_pages.router,
        reset_pages.router,
        security_pages.router,
        twofactor_pages.router,
        device_pages.router,
        freeze_pages.router,
        dev_pages.router,
        *wallet_pages.ROUTERS,
        *help_pages.ROUTERS,
        *console_pages.ROUTERS,
        dashboard_pages.router,
        *admin_pages.admin_routers(),
        chat_widget_pages.router,
        admin_sla_pages.router,
        admin_calendar_pages.router,
        admin_limits_pages.router,
        admin_fee_pages.router,
        admin_fx_pages.router,
        admin_channel_pages.router,
    )


def install(app: FastAPI) -> None:
    for router in page_routers():
        app.include_router(router)
    app.mount(
        "/static",
        PublicStaticFiles(packages=[("walletdesk.web", "static")]),
        name="static",
    )
    install_page_errors(app)
    install_browser_middleware(app)
