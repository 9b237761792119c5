"""/api/v1/staff/metrics: the support desk's figures for a period, for supervisors
(`cases.supervise`). Definitions: `support/metrics_facts.py`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import RuntimeDep
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.support import metrics

router = APIRouter(prefix="/api/v1/staff", tags=["support-metrics"])

Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]


class DurationsOut(BaseModel):
    count: int
    average_seconds: float | None
    median_seconds: float | None


class SlaOut(BaseModel):
    on_time: int
    late: int
    attainment: float | None = Field(description="on_time / (on_time + late)")


class FiguresOut(BaseModel):
    created: int
    solved: int
    first_response: DurationsOut
    resolution: DurationsOut
    sla: dict[str, SlaOut] = Field(description="By target: first_response, next_response, …")
    reopened: int
    reopen_rate: float | None
    csat_responses: int
    csat_average: float | None
    csat_satisfied_share: float | None = Field(description="Ratings of 4 or 5")
    bot_cases: int
    bot_resolved: int
    bot_handed_off: int
    bot_resolved_rate: float | None
    handed_off_rate: float | None
    verification: dict[str, int] = Field(description="Verification outcomes by name")

    @classmethod
    def of(cls, f: metrics.Figures) -> FiguresOut:
        return cls(
            created=f.created,
            solved=f.solved,
            first_response=DurationsOut(**vars(f.first_response)),
            resolution=DurationsOut(**vars(f.resolution)),
            sla={k: SlaOut(**vars(v)) for k, v in f.sla.items()},
            reopened=f.reopened,
            reopen_rate=f.reopen_rate,
            csat_responses=f.csat_responses,
            csat_average=f.csat_average,
            csat_satisfied_share=f.csat_satisfied_share,
            bot_cases=f.bot_cases,
            bot_resolved=f.bot_resolved,
            bot_handed_off=f.bot_handed_off,
            bot_resolved_rate=f.bot_resolved_rate,
            handed_off_rate=f.handed_off_rate,
            verification=f.verification,
        )


class BucketOut(BaseModel):
    start: date = Field(description="First day of the day, week (Monday) or month, Beijing")
    figures: FiguresOut


class GroupOut(BaseModel):
    key: str
    name: str | None = None
    figures: FiguresOut


class BacklogOut(BaseModel):
    at: datetime
    total: int = Field(description="Open cases with people (not solved, closed or with the bot)")
    with_bot: int
    by_queue: dict[str, int]
    by_priority: dict[str, int]
    by_channel: dict[str, int]


class MetricsOut(BaseModel):
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    interval: metrics.Interval
    totals: FiguresOut
    series: list[BucketOut]
    by_agent: list[GroupOut]
    by_queue: list[GroupOut]
    by_channel: list[GroupOut]
    backlog: BacklogOut


def _groups(groups: list[metrics.Group]) -> list[GroupOut]:
    return [GroupOut(key=g.key, name=g.name, figures=FiguresOut.of(g.figures)) for g in groups]


@router.get("/metrics", response_model_by_alias=True)
def support_metrics(
    auth: Supervisor,
    rt: RuntimeDep,
    start: datetime = Query(alias="from"),
    end: datetime = Query(alias="to"),
    interval: metrics.Interval = metrics.Interval.DAY,
) -> MetricsOut:
    found = metrics.support_metrics(rt, start=start, end=end, interval=interval)
    b = found.backlog
    return MetricsOut(
        start=found.start,
        end=found.end,
        interval=found.interval,
        totals=FiguresOut.of(found.totals),
        series=[BucketOut(start=x.start, figures=FiguresOut.of(x.figures)) for x in found.series],
        by_agent=_groups(found.by_agent),
        by_queue=_groups(found.by_queue),
        by_channel=_groups(found.by_channel),
        backlog=BacklogOut(
            at=b.at,
            total=b.total,
            with_bot=b.with_bot,
            by_queue=b.by_queue,
            by_priority=b.by_priority,
            by_channel=b.by_channel,
        ),
    )
