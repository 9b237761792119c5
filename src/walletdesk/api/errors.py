"""Turning every failure into `{"error": {"code", "message", "request_id"}}` in the caller's
language. Nothing else ever reaches a client: no stack trace, no exception text."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from walletdesk.errors import AccountLocked, DomainError, RateLimited, ValidationFailed
from walletdesk.i18n import N_, from_accept_language, negotiate, translate

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    401: ("not_authenticated", N_("Please sign in again.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("We could not find what you asked for.")),
    405: ("method_not_allowed", N_("This action is not supported here.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("unsupported_media_type", N_("Send the request as JSON.")),
}
INTERNAL = N_("Something went wrong on our side. Please try again; nothing was charged.")
INVALID_REQUEST = N_("Some of the information you entered is not valid.")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def error_locale(request: Request) -> str:
    chosen = getattr(request.state, "locale", None)
    return negotiate(chosen, from_accept_language(request.headers.get("accept-language")))


def error_body(
    request: Request, code: str, message: str, *, field: str | None = None, **params: object
) -> dict[str, object]:
    error: dict[str, object] = {
        "code": code,
        "message": translate(message, error_locale(request), **params),
        "request_id": request_id(request),
    }
    if field:
        error["field"] = field
    return {"error": error}


def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    headers = {}
    if isinstance(exc, RateLimited | AccountLocked):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.http_status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(request, exc.code, exc.message, field=exc.field, **exc.params),
        status_code=exc.http_status,
        headers=headers,
    )


def install_api_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        handler = getattr(request.app.state, "page_error_handler", None)
        if handler is not None and not request.url.path.startswith("/api/"):
            page: Response = handler(request, exc)
            return page
        return domain_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        handler = getattr(request.app.state, "page_error_handler", None)
        if handler is not None and not request.url.path.startswith("/api/"):
            page: Response = handler(request, ValidationFailed("invalid_request", INVALID_REQUEST))
            return page
        return JSONResponse(
            error_body(
                request, "invalid_request", INVALID_REQUEST, field=".".join(location) or None
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        handler = getattr(request.app.state, "page_http_handler", None)
        if handler is not None and not request.url.path.startswith("/api/"):
            page: Response = handler(request, exc.status_code)
            return page
        code, message = _HTTP_CODES.get(exc.status_code, ("bad_request", INVALID_REQUEST))
        return JSONResponse(error_body(request, code, message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error request_id=%s", request_id(request))
        # This runs outside the request middleware, so it sets the request id itself.
        return JSONResponse(
            error_body(request, "internal_error", INTERNAL),
            status_code=500,
            headers={"X-Request-ID": request_id(request)},
        )
