"""Per-browser state every page needs before it runs, and the last line of defence.

On page paths this middleware gives a new browser its device id and CSRF token (as cookies,
and on `request.state` so the very first request already uses them), and turns an unexpected
exception into the translated 500 page instead of a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import FastAPI, Request, Response

from walletdesk.randomness import token_urlsafe
from walletdesk.web.cookies import (
    CSRF_COOKIE,
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    runtime_of,
    set_cookie,
)
from walletdesk.web.errors import internal_error_page

logger = logging.getLogger("walletdesk.web")

_NOT_PAGES: Final = ("/api/", "/static/", "/healthz")


def is_page_path(path: str) -> bool:
    return not path.startswith(_NOT_PAGES)


def install_browser_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def browser_state(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not is_page_path(request.url.path):
            return await call_next(request)
        rt = runtime_of(request)
        new_device = None if request.cookies.get(DEVICE_COOKIE) else token_urlsafe(rt.random)
        new_csrf = None if request.cookies.get(CSRF_COOKIE) else token_urlsafe(rt.random)
        request.state.device_id = new_device or request.cookies.get(DEVICE_COOKIE)
        request.state.csrf_token = new_csrf or request.cookies.get(CSRF_COOKIE)
        try:
            response = await call_next(request)
        except Exception:
            logger.exception(
                "unhandled page error request_id=%s", getattr(request.state, "request_id", "-")
            )
            response = internal_error_page(request)
            # The app's own middleware never finished, so add what it would have added.
            from walletdesk.app import SECURITY_HEADERS

            response.headers["X-Request-ID"] = str(getattr(request.state, "request_id", ""))
            for header, value in SECURITY_HEADERS.items():
                response.headers.setdefault(header, value)
        if new_device is not None:
            set_cookie(response, rt, DEVICE_COOKIE, new_device, max_age=DEVICE_MAX_AGE)
        if new_csrf is not None:
            set_cookie(response, rt, CSRF_COOKIE, new_csrf)
        return response
