"""/api/v1/bot/...: the customer's side of the assistant beyond typing (rate an answer, confirm
an offer, step up for full details, the one proactive suggestion and dismissing it), and
/api/v1/staff/metrics/bot for supervisors. The assistant itself answers in the chat
(`/api/v1/conversations`), see `bot/dialogue.py`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from pydantic import BaseModel, Field

from walletdesk.api.access import CurrentUser, requires
from walletdesk.api.deps import RuntimeDep, client_ip, request_locale
from walletdesk.bot import dialogue_actions, proactive
from walletdesk.bot import metrics as bot_metrics
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission

router = APIRouter(prefix="/api/v1", tags=["bot"])
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]
MESSAGE_ID_MAX = 2**62


class FeedbackIn(BaseModel):
    helpful: bool = Field(description="Thumbs up (true) or down (false)")


class ConfirmIn(BaseModel):
    tool: Literal["freeze_wallet", "password_reset", "open_complaint"]


class StepUpIn(BaseModel):
    code: str | None = Field(
        default=None,
        max_length=16,
        description="Authenticator or texted code; not needed when the session already "
        "passed two-factor",
    )


class ReplyOut(BaseModel):
    message_id: int | None = Field(description="The assistant's reply, when it answered")


class SentOut(BaseModel):
    channel: str
    expires_in: int


class SuggestionOut(BaseModel):
    key: str
    kind: str = Field(description="topup_failed, withdrawal_pending or limit_near")
    text: str


class SuggestionReplyOut(BaseModel):
    suggestion: SuggestionOut | None


class DismissIn(BaseModel):
    key: str = Field(max_length=120)


@router.post(
    "/bot/conversations/{conversation_id}/answers/{message_id}/feedback",
    status_code=status.HTTP_204_NO_CONTENT,
)
def rate_answer(
    conversation_id: str,
    message_id: Annotated[int, Path(ge=1, le=MESSAGE_ID_MAX)],
    body: FeedbackIn,
    auth: CurrentUser,
    rt: RuntimeDep,
) -> None:
    dialogue_actions.rate_answer(rt, auth, conversation_id, message_id, helpful=body.helpful)


@router.post("/bot/conversations/{conversation_id}/confirm")
def confirm_offer(
    conversation_id: str, body: ConfirmIn, auth: CurrentUser, rt: RuntimeDep
) -> ReplyOut:
    return ReplyOut(message_id=dialogue_actions.confirm(rt, auth, conversation_id, body.tool))


@router.post("/bot/conversations/{conversation_id}/step-up/code")
def send_step_up(
    conversation_id: str, auth: CurrentUser, rt: RuntimeDep, request: Request
) -> SentOut:
    sent = dialogue_actions.send_step_up_code(rt, auth, conversation_id, ip=client_ip(request))
    return SentOut(channel=str(sent.channel), expires_in=sent.expires_in)


@router.post("/bot/conversations/{conversation_id}/step-up")
def step_up(
    conversation_id: str, auth: CurrentUser, rt: RuntimeDep, body: StepUpIn | None = None
) -> ReplyOut:
    code = body.code if body else None
    return ReplyOut(message_id=dialogue_actions.step_up(rt, auth, conversation_id, code=code))


@router.get("/bot/suggestion")
def my_suggestion(auth: CurrentUser, rt: RuntimeDep, request: Request) -> SuggestionReplyOut:
    locale = request_locale(request)
    found = proactive.first_suggestion(rt, auth.user.id, locale)
    if found is None:
        return SuggestionReplyOut(suggestion=None)
    return SuggestionReplyOut(
        suggestion=SuggestionOut(key=found.key, kind=found.kind, text=found.text(locale))
    )


@router.post("/bot/suggestion/dismiss", status_code=status.HTTP_204_NO_CONTENT)
def dismiss_suggestion(body: DismissIn, auth: CurrentUser, rt: RuntimeDep) -> None:
    proactive.dismiss(rt, auth.user.id, body.key)


class ContainmentOut(BaseModel):
    cases: int
    contained: int = Field(description="Never handed to people")
    handed_off: int
    containment_rate: float | None
    helpful: int
    not_helpful: int

    @classmethod
    def of(cls, c: bot_metrics.Containment) -> ContainmentOut:
        return cls(
            cases=c.cases,
            contained=c.contained,
            handed_off=c.handed_off,
            containment_rate=c.containment_rate,
            helpful=c.helpful,
            not_helpful=c.not_helpful,
        )


class ArticleFeedbackOut(BaseModel):
    helpful: int
    not_helpful: int


class BotMetricsOut(BaseModel):
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    totals: ContainmentOut
    by_intent: dict[str, ContainmentOut]
    by_day: dict[date, ContainmentOut]
    by_article: dict[str, ArticleFeedbackOut]
    tools: dict[str, dict[str, int]] = Field(description="tier → outcome → calls")


@router.get("/staff/metrics/bot", response_model_by_alias=True)
def assistant_metrics(
    auth: Supervisor,
    rt: RuntimeDep,
    start: datetime = Query(alias="from"),
    end: datetime = Query(alias="to"),
) -> BotMetricsOut:
    found = bot_metrics.bot_metrics(rt, start=start, end=end)
    return BotMetricsOut(
        start=found.start,
        end=found.end,
        totals=ContainmentOut.of(found.totals),
        by_intent={k: ContainmentOut.of(v) for k, v in found.by_intent.items()},
        by_day={k: ContainmentOut.of(v) for k, v in found.by_day.items()},
        by_article={
            k: ArticleFeedbackOut(helpful=h, not_helpful=n)
            for k, (h, n) in found.by_article.items()
        },
        tools=found.tools,
    )
