"""Health, the OpenAPI document and its docs page, and the dev-only outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from walletdesk.api.access import DevOnly, Public
from walletdesk.api.deps import RuntimeDep
from walletdesk.api.reference import render_reference
from walletdesk.notify.inbox import simulated_outbox

router = APIRouter(tags=["system"])


class HealthOut(BaseModel):
    status: str
    database: str


@router.get("/healthz", dependencies=[Public])
def healthz(rt: RuntimeDep) -> JSONResponse:
    database = "ok" if rt.db.ping() else "unavailable"
    healthy = database == "ok"
    body = HealthOut(status="ok" if healthy else "degraded", database=database)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


@router.get("/api/v1/openapi.json", dependencies=[Public], include_in_schema=False)
def openapi_document(request: Request) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/api/docs", dependencies=[Public], include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference, rendered here from the OpenAPI document (works offline)."""
    return HTMLResponse(render_reference(request.app.openapi()))


class SentMessageOut(BaseModel):
    id: str
    channel: str
    destination: str
    subject: str | None
    body: str
    sent_at: datetime


@router.get("/dev/outbox", dependencies=[DevOnly])
def dev_outbox(rt: RuntimeDep) -> list[SentMessageOut]:
    """What the SMS and email simulators sent (dev mode only: codes are visible here)."""
    return [SentMessageOut(**vars(message)) for message in simulated_outbox(rt)]
