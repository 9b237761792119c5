"""create_app(): the one composition root of the web process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from walletdesk import __version__, heap
from walletdesk.api import (
    auth,
    banking,
    bills,
    bot,
    chat_ws,
    me,
    staff,
    support_agent_tools,
    support_staff,
    system,
    wallets,
)
from walletdesk.api import complaints as complaints_api
from walletdesk.api import complaints_staff as complaints_staff_api
from walletdesk.api import fx as fx_api
from walletdesk.api import help_centre as help_centre_api
from walletdesk.api import risk_review as risk_review_api
from walletdesk.api import routing as routing_api
from walletdesk.api import support as support_api
from walletdesk.api import support_metrics as support_metrics_api
from walletdesk.api import verification as verification_api
from walletdesk.api import verification_staff as verification_staff_api
from walletdesk.api.commerce import commerce_router
from walletdesk.api.errors import install_api_error_handlers
from walletdesk.bot import dialogue
from walletdesk.randomness import new_id
from walletdesk.runtime import Runtime, build_runtime
from walletdesk.settings import Settings
from walletdesk.support.case_webhooks import register_case_webhook_sender
from walletdesk.support.realtime import ChatHub
from walletdesk.support.sweeper import Sweeper

logger = logging.getLogger("walletdesk.http")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Pages carry no inline script or style (issue 7): everything comes from /static, and
    # live parts talk to this origin over HTTP and WebSockets only.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    ),
}
HSTS = "max-age=31536000; includeSubDomains"  # production only: dev serves plain HTTP


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    background_worker: bool = True,
) -> FastAPI:
    runtime = runtime or build_runtime(settings or Settings())

    sweeper = Sweeper(runtime, runtime.settings.support_sweep_seconds)
    chat_hub = ChatHub(runtime)
    dialogue.attach(runtime)  # the assistant answers customers in bot-owned chats

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await chat_hub.start()
        if background_worker:
            runtime.dispatcher.start(runtime.settings.outbox_poll_seconds)
            sweeper.start()
            warm_ups = [runtime.bot_brain.warm_up()] if runtime.bot_brain is not None else []
            # A serving process (not the tests' apps): what it has loaded by then stays for
            # its lifetime and is left out of full collections (`heap`).
            heap.freeze_after(warm_ups)
        try:
            yield
        finally:
            sweeper.stop()
            runtime.dispatcher.stop()
            await chat_hub.stop()

    app = FastAPI(
        title="walletdesk",
        version=__version__,
        description="Digital wallet with its customer-service centre built in.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.chat_hub = chat_hub
    install_api_error_handlers(app)
    support_agent_tools.install_agent_tool_handlers(app)

    @app.middleware("http")
    async def request_id_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        valid = incoming.isascii() and incoming.replace("-", "").isalnum()
        request.state.request_id = (
            incoming[:64] if incoming and valid else new_id(runtime.random, "req")
        )
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if not runtime.settings.is_dev:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        # Paths only: query strings and bodies may carry codes or tokens and are never logged.
        logger.info(
            "%s %s %s request_id=%s",
            request.method,
            request.url.path,
            response.status_code,
            request.state.request_id,
        )
        return response

    app.include_router(system.router)
    app.include_router(auth.router)
    app.include_router(me.router)
    app.include_router(staff.router)
    app.include_router(wallets.router)
    app.include_router(banking.router)
    app.include_router(commerce_router(runtime))
    register_case_webhook_sender(runtime)  # delivers queued case webhooks after a restart
    app.include_router(fx_api.router)
    app.include_router(bills.router)
    app.include_router(support_api.router)
    app.include_router(support_staff.router)
    app.include_router(complaints_api.router)
    app.include_router(complaints_staff_api.router)
    app.include_router(help_centre_api.router)
    app.include_router(help_centre_api.staff_router)
    app.include_router(support_metrics_api.router)
    app.include_router(support_agent_tools.router)
    app.include_router(verification_api.router)
    app.include_router(verification_staff_api.router)
    app.include_router(chat_ws.router)
    app.include_router(routing_api.router)
    app.include_router(bot.router)
    app.include_router(risk_review_api.router)
    from walletdesk.web import install_web

    install_web(app)
    return app
