"""/api/v1/staff/webhooks: the endpoints that receive case events (issue 5, item 15).

Only admins with `config.manage` register, list and disable them. The signing secret is in
the reply to the registration and nowhere else. Included by `support_staff.router`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep
from walletdesk.audit.services import Actor
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support.case_webhook_models import CaseWebhook
from walletdesk.support.case_webhooks import disable_endpoint, list_endpoints, register_endpoint

router = APIRouter(tags=["support-staff"])

ConfigAdmin = Annotated[Authenticated, Depends(requires(Permission.CONFIG_MANAGE))]


class WebhookIn(BaseModel):
    url: str = Field(max_length=500, examples=["https://crm.example.com/hooks/walletdesk"])
    kinds: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Event kinds to receive, e.g. case.created; empty: every kind",
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    kinds: list[str]
    active: bool
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, endpoint: CaseWebhook) -> WebhookOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            kinds=sorted(endpoint.kinds),
            active=endpoint.active,
            created_at=endpoint.created_at,
            disabled_at=endpoint.disabled_at,
        )


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="Verifies X-Walletdesk-Signature; shown only this once")


@router.post("/webhooks", status_code=status.HTTP_201_CREATED)
def register_webhook(
    body: WebhookIn, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context
) -> NewWebhookOut:
    new = register_endpoint(rt, Actor.staff(auth.user.id, ctx.ip), url=body.url, kinds=body.kinds)
    return NewWebhookOut(**WebhookOut.of(new.endpoint).model_dump(), secret=new.secret)


@router.get("/webhooks")
def list_webhooks(auth: ConfigAdmin, rt: RuntimeDep) -> list[WebhookOut]:
    return [WebhookOut.of(endpoint) for endpoint in list_endpoints(rt)]


@router.post("/webhooks/{endpoint_id}/disable")
def disable_webhook(
    endpoint_id: str, auth: ConfigAdmin, rt: RuntimeDep, ctx: Context
) -> WebhookOut:
    return WebhookOut.of(disable_endpoint(rt, Actor.staff(auth.user.id, ctx.ip), endpoint_id))
