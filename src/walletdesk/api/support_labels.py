"""Status labels over the API (issue 5, item 2): a team's own names for finer states, each
mapped onto one fixed category. Agents list them; supervisors define them (audited).
Included by `support_staff.router`, so the paths sit under `/api/v1/staff`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.audit.services import Actor
from walletdesk.i18n import translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support.casework import define_status_label
from walletdesk.support.status_labels import status_labels
from walletdesk.support.statuses import SLA_CLOCK_RUNS, STAFF_NAMES, Category, StatusLabel

router = APIRouter(tags=["support-staff"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]


class StatusLabelIn(BaseModel):
    key: str = Field(max_length=32, examples=["waiting_bank"])
    category: Category = Field(description="The fixed category the label belongs to")
    name_zh: str = Field(max_length=64, examples=["等待银行回复"])
    name_en: str = Field(max_length=64, examples=["Waiting for the bank"])


class StatusLabelOut(BaseModel):
    key: str
    category: str
    category_name: str = Field(description="The category's name in your language")
    name: str = Field(description="The label's name in your language")
    name_zh: str
    name_en: str
    sla_clock_runs: bool = Field(description="Whether SLA clocks run in this label's category")
    created_at: datetime

    @classmethod
    def of(cls, label: StatusLabel, locale: str) -> StatusLabelOut:
        category = Category(label.category)
        return cls(
            key=label.key,
            category=category.value,
            category_name=translate(STAFF_NAMES[category], locale),
            name=label.name(locale),
            name_zh=label.name_zh,
            name_en=label.name_en,
            sla_clock_runs=SLA_CLOCK_RUNS[category],
            created_at=label.created_at,
        )


@router.get("/status-labels")
def list_status_labels(auth: CaseWorker, rt: RuntimeDep, request: Request) -> list[StatusLabelOut]:
    """The labels agents may set as a case's status, besides the category codes."""
    locale = request_locale(request)
    return [StatusLabelOut.of(label, locale) for label in status_labels(rt)]


@router.post("/status-labels", status_code=status.HTTP_201_CREATED)
def add_status_label(
    body: StatusLabelIn, auth: Supervisor, rt: RuntimeDep, ctx: Context, request: Request
) -> StatusLabelOut:
    label = define_status_label(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        key=body.key,
        category=body.category,
        name_zh=body.name_zh,
        name_en=body.name_en,
    )
    return StatusLabelOut.of(label, request_locale(request))
