"""The agents' tools beside a case, under /api/v1/staff and /api/v1/admin:

- internal notes with @mentions; macros (`/shortcut`) and knowledge-base insertion;
- "who is viewing" presence;
- the customer-360 panel and revealing a masked field (with a reason, time-boxed, audited);
- case actions under maker-checker, the approvals inbox, and the approval thresholds;
- macro administration.

A write that carries a stale case `version` answers 409 `case_changed` with the case's new
version and the events since (`install_agent_tool_handlers`).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from walletdesk.api.access import requires
from walletdesk.api.deps import Context, RuntimeDep, request_locale
from walletdesk.api.errors import error_body
from walletdesk.api.support import MessageOut
from walletdesk.api.support_staff import STAFF_BASE, EventOut
from walletdesk.api.wallets import MoneyOut, TransactionOut, WalletOut
from walletdesk.audit.services import Actor
from walletdesk.errors import ValidationFailed
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.money import Money
from walletdesk.support import actions, customer360, macros, notes, reveal, viewers, views
from walletdesk.support.access import SupportActor
from walletdesk.support.actions_model import ActionKind, ActionPolicy, Proposal
from walletdesk.support.actions_targets import ActionRequest
from walletdesk.support.history import CaseEvent
from walletdesk.support.versioning import CaseChanged

router = APIRouter(prefix="/api/v1", tags=["support-agent-tools"])

CaseWorker = Annotated[Authenticated, Depends(requires(Permission.CASES_WORK))]
Approver = Annotated[Authenticated, Depends(requires(Permission.CASES_APPROVE))]
MacroManager = Annotated[Authenticated, Depends(requires(Permission.MACROS_MANAGE))]
Supervisor = Annotated[Authenticated, Depends(requires(Permission.CASES_SUPERVISE))]


def event_out(event: CaseEvent) -> EventOut:
    return EventOut(
        version=event.version,
        kind=event.kind,
        at=event.at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        public=event.public,
        before=event.before,
        after=event.after,
    )


def install_agent_tool_handlers(app: FastAPI) -> None:
    """`case_changed` carries what the agent missed: `case` (its new version) and `events`."""

    @app.exception_handler(CaseChanged)
    async def _case_changed(request: Request, exc: CaseChanged) -> Response:
        handler = getattr(request.app.state, "page_error_handler", None)
        if handler is not None and not request.url.path.startswith("/api/"):
            page: Response = handler(request, exc)
            return page
        body: dict[str, Any] = error_body(request, exc.code, exc.message)
        body["case"] = {"id": exc.case_id, "version": exc.current_version}
        body["events"] = [event_out(e).model_dump(mode="json") for e in exc.events]
        return JSONResponse(body, status_code=exc.http_status)


# -- notes, macros, knowledge base ------------------------------------------------------------


class NoteIn(BaseModel):
    text: str = Field(max_length=4000, examples=["@老周 客户说退款没到账，请帮忙看一下"])
    version: int | None = Field(default=None, description="Refused with 409 if the case moved on")
    conversation_id: str | None = Field(default=None, max_length=40)


class MentionOut(BaseModel):
    user_id: str
    name: str


class NoteOut(BaseModel):
    case_id: str
    version: int
    message: MessageOut
    mentions: list[MentionOut]
    unresolved: list[str] = Field(description="@words that named nobody (or several people)")


@router.post("/staff/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def add_note(case_id: str, body: NoteIn, auth: CaseWorker, rt: RuntimeDep) -> NoteOut:
    added = notes.add_note(
        rt,
        SupportActor.agent(auth),
        case_id,
        text=body.text,
        expected_version=body.version,
        conversation_id=body.conversation_id,
    )
    message = views.MessageView(added.message, auth.user.display_name, [])
    return NoteOut(
        case_id=added.case.id,
        version=added.case.version,
        message=MessageOut.of(message, STAFF_BASE),
        mentions=[MentionOut(user_id=m.user_id, name=m.name) for m in added.mentions],
        unresolved=added.unresolved,
    )


class MacroOut(BaseModel):
    shortcut: str
    title: str = Field(description="In your language")
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    active: bool
    shipped: bool = Field(description="One of the starter macros, unchanged")

    @classmethod
    def of(cls, macro: macros.Macro, locale: str) -> MacroOut:
        return cls(
            shortcut=macro.shortcut,
            title=macro.title(locale),
            title_zh=macro.title_zh,
            title_en=macro.title_en,
            body_zh=macro.body_zh,
            body_en=macro.body_en,
            active=macro.active,
            shipped=macro.updated_at is None,
        )


@router.get("/staff/macros")
def list_macros(auth: CaseWorker, rt: RuntimeDep, request: Request) -> list[MacroOut]:
    locale = request_locale(request)
    return [MacroOut.of(m, locale) for m in macros.list_macros(rt, SupportActor.agent(auth))]


class ExpandIn(BaseModel):
    text: str = Field(max_length=4000, examples=["/greet"])
    locale: str | None = Field(
        default=None, max_length=8, description="zh-CN or en; default: the case's language"
    )


class ExpandOut(BaseModel):
    text: str
    locale: str
    used: list[str]
    unknown: list[str]


@router.post("/staff/cases/{case_id}/macros/expand")
def expand_macros(case_id: str, body: ExpandIn, auth: CaseWorker, rt: RuntimeDep) -> ExpandOut:
    done = macros.expand(rt, SupportActor.agent(auth), case_id, body.text, locale=body.locale)
    return ExpandOut(text=done.text, locale=done.locale, used=done.used, unknown=done.unknown)


class ArticleIn(BaseModel):
    article_id: str = Field(max_length=64)
    locale: str | None = Field(default=None, max_length=8)
    title: str = Field(default="", max_length=200, description="Used if the KB does not know it")
    text: str = Field(default="", max_length=4000)
    url: str = Field(default="", max_length=500)


class ArticleOut(BaseModel):
    article_id: str
    title: str
    text: str
    url: str
    snippet: str = Field(description="What to put into the draft: text, then the link")
    source: str = Field(description="kb or request")


@router.post("/staff/cases/{case_id}/articles")
def insert_article(case_id: str, body: ArticleIn, auth: CaseWorker, rt: RuntimeDep) -> ArticleOut:
    found = macros.insert_article(
        rt,
        SupportActor.agent(auth),
        case_id,
        article_id=body.article_id,
        locale=body.locale,
        supplied=macros.SuppliedArticle(body.title, body.text, body.url),
    )
    return ArticleOut(
        article_id=found.article_id,
        title=found.title,
        text=found.text,
        url=found.url,
        snippet=found.snippet,
        source=found.source,
    )


class MacroIn(BaseModel):
    title_zh: str = Field(max_length=80)
    title_en: str = Field(max_length=80)
    body_zh: str = Field(max_length=2000)
    body_en: str = Field(max_length=2000)
    active: bool = True


@router.put("/admin/macros/{shortcut}")
def save_macro(
    shortcut: str, body: MacroIn, auth: MacroManager, rt: RuntimeDep, ctx: Context
) -> MacroOut:
    saved = macros.save_macro(
        rt,
        Actor.staff(auth.user.id, ctx.ip),
        macros.Macro(
            shortcut, body.title_zh, body.title_en, body.body_zh, body.body_en, body.active
        ),
    )
    return MacroOut.of(saved, ctx.locale or "zh-CN")


@router.delete("/admin/macros/{shortcut}", status_code=status.HTTP_204_NO_CONTENT)
def retire_macro(shortcut: str, auth: MacroManager, rt: RuntimeDep, ctx: Context) -> None:
    macros.retire_macro(rt, Actor.staff(auth.user.id, ctx.ip), shortcut)


# -- presence ---------------------------------------------------------------------------------


class ViewerOut(BaseModel):
    user_id: str
    name: str | None
    until: datetime
    me: bool


class ViewersOut(BaseModel):
    ttl_seconds: int = Field(description="Say you are still viewing at least this often")
    viewers: list[ViewerOut]


def _viewers_out(found: list[viewers.Viewer]) -> ViewersOut:
    return ViewersOut(
        ttl_seconds=int(viewers.VIEW_TTL.total_seconds()),
        viewers=[ViewerOut(user_id=v.user_id, name=v.name, until=v.until, me=v.me) for v in found],
    )


@router.post("/staff/cases/{case_id}/viewers")
def view_case(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> ViewersOut:
    return _viewers_out(viewers.record_view(rt, SupportActor.agent(auth), case_id))


@router.get("/staff/cases/{case_id}/viewers")
def case_viewers(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> ViewersOut:
    return _viewers_out(viewers.viewers(rt, SupportActor.agent(auth), case_id))


@router.delete("/staff/cases/{case_id}/viewers", status_code=status.HTTP_204_NO_CONTENT)
def leave_case(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> None:
    viewers.leave(rt, SupportActor.agent(auth), case_id)


# -- customer 360 and reveal ------------------------------------------------------------------


class FieldOut(BaseModel):
    value: str | None = Field(description="Masked unless revealed")
    revealed: bool
    revealed_until: datetime | None


class CustomerOut(BaseModel):
    id: str
    display_name: str
    locale: str
    kyc_tier: int
    two_factor: bool
    frozen: bool
    frozen_at: datetime | None
    frozen_reason: str | None
    locked_until: datetime | None = Field(description="Set while a password lock-out lasts")
    created_at: datetime


class LimitsOut(BaseModel):
    per_transaction: MoneyOut
    per_day: MoneyOut
    per_year: MoneyOut
    raised_until: datetime | None = Field(description="Set while a case raised the limits")


class HoldOut(BaseModel):
    id: str
    amount: MoneyOut
    status: str
    purpose: str
    reference: str | None
    created_at: datetime
    expires_at: datetime


class RiskDecisionOut(BaseModel):
    id: str
    movement_id: str
    movement_kind: str
    action: str
    score: int
    amount: MoneyOut
    reasons: list[str] = Field(description="Of the rules that fired, in your language")
    failed_closed: bool
    created_at: datetime


class ReviewCaseOut(BaseModel):
    id: str
    status: str
    opened_at: datetime
    movement_id: str | None
    summary: str


class DeviceOut(BaseModel):
    id: str
    name: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_ip: str | None = Field(description="Masked to its network")


class SecurityEventOut(BaseModel):
    at: datetime
    action: str = Field(examples=["password_reset.completed", "contact.changed", "wallet.frozen"])
    actor_kind: str
    details: dict[str, Any]


class Customer360Out(BaseModel):
    case_id: str
    customer: CustomerOut
    fields: dict[str, FieldOut] = Field(description="phone, email, real_name, id_number")
    balances: list[WalletOut]
    limits: LimitsOut
    transactions: list[TransactionOut]
    holds: list[HoldOut]
    risk_decisions: list[RiskDecisionOut]
    review_cases: list[ReviewCaseOut]
    devices: list[DeviceOut]
    security_events: list[SecurityEventOut]


def _cny(minor: int) -> MoneyOut:
    return MoneyOut.of(Money(minor, "CNY"))


@router.get("/staff/cases/{case_id}/customer")
def customer_panel(
    case_id: str, auth: CaseWorker, rt: RuntimeDep, request: Request, ctx: Context
) -> Customer360Out:
    view = customer360.customer_360(rt, auth, case_id, ip=ctx.ip)
    locale = request_locale(request)
    return Customer360Out(
        case_id=case_id,
        customer=CustomerOut(
            id=view.user_id,
            display_name=view.display_name,
            locale=view.locale,
            kyc_tier=view.kyc_tier,
            two_factor=view.two_factor,
            frozen=view.frozen,
            frozen_at=view.frozen_at,
            frozen_reason=view.frozen_reason,
            locked_until=view.locked_until,
            created_at=view.created_at,
        ),
        fields={
            name: FieldOut(
                value=shown.value,
                revealed=shown.revealed_until is not None,
                revealed_until=shown.revealed_until,
            )
            for name, shown in view.fields.items()
        },
        balances=[
            WalletOut(
                currency=b.currency,
                available=b.available.to_string(),
                held=b.held.to_string(),
                total=b.total.to_string(),
            )
            for b in view.balances
        ],
        limits=LimitsOut(
            per_transaction=_cny(view.limit.per_transaction),
            per_day=_cny(view.limit.per_day),
            per_year=_cny(view.limit.per_year),
            raised_until=view.limit_raised_until,
        ),
        transactions=[TransactionOut.of(item, locale) for item in view.transactions],
        holds=[
            HoldOut(
                id=h.id,
                amount=MoneyOut.of(Money(h.amount, h.currency)),
                status=h.status,
                purpose=h.purpose,
                reference=h.reference,
                created_at=h.created_at,
                expires_at=h.expires_at,
            )
            for h in view.holds
        ],
        risk_decisions=[
            RiskDecisionOut(
                id=d.id,
                movement_id=d.movement_id,
                movement_kind=str(d.movement_kind),
                action=str(d.action),
                score=d.score,
                amount=MoneyOut.of(Money(d.amount_minor, d.currency)),
                reasons=[hit.reason(locale) for hit in d.hits],
                failed_closed=d.failed_closed,
                created_at=d.created_at,
            )
            for d in view.risk_decisions
        ],
        review_cases=[
            ReviewCaseOut(
                id=r.id,
                status=r.status,
                opened_at=r.opened_at,
                movement_id=r.movement_id,
                summary=r.summary,
            )
            for r in view.review_cases
        ],
        devices=[
            DeviceOut(
                id=d.id,
                name=d.name,
                first_seen_at=d.first_seen_at,
                last_seen_at=d.last_seen_at,
                last_ip=d.last_ip,
            )
            for d in view.devices
        ],
        security_events=[
            SecurityEventOut(at=e.at, action=e.action, actor_kind=e.actor_kind, details=e.details)
            for e in view.security_events
        ],
    )


class RevealIn(BaseModel):
    field: str = Field(max_length=16, description="phone, email, real_name or id_number")
    reason: str = Field(max_length=200, examples=["客户来电核对绑定手机号，用于本工单退款"])


class RevealOut(BaseModel):
    field: str
    value: str
    expires_at: datetime
    reveal_id: str


@router.post("/staff/cases/{case_id}/customer/reveal")
def reveal_field(
    case_id: str, body: RevealIn, auth: CaseWorker, rt: RuntimeDep, ctx: Context
) -> RevealOut:
    shown = reveal.reveal(
        rt, SupportActor.agent(auth), case_id, field=body.field, reason=body.reason, ip=ctx.ip
    )
    return RevealOut(
        field=shown.grant.field,
        value=shown.value,
        expires_at=shown.grant.expires_at,
        reveal_id=shown.grant.id,
    )


# -- case actions -----------------------------------------------------------------------------


class LimitsIn(BaseModel):
    per_transaction: str = Field(max_length=32, examples=["20000.00"])
    per_day: str = Field(max_length=32, examples=["50000.00"])
    per_year: str = Field(max_length=32, examples=["200000.00"])


class ActionIn(BaseModel):
    kind: ActionKind
    reason: str = Field(max_length=500)
    transaction_ids: list[str] = Field(default_factory=list, max_length=20)
    target_id: str | None = Field(
        default=None,
        max_length=40,
        description="refund: the payment id; reverse, waive_fee: the transaction id; "
        "release_hold: the hold id",
    )
    amount: str | None = Field(default=None, max_length=32, description="refund only")
    currency: str = Field(default="CNY", max_length=3)
    limits: LimitsIn | None = Field(default=None, description="raise_limit only, in CNY")
    days: int | None = Field(default=None, description="raise_limit only: how long it lasts")
    version: int | None = Field(default=None, description="Refused with 409 if the case moved on")

    def request(self) -> ActionRequest:
        limit = None
        if self.limits is not None:
            limit = Limit(
                Money.parse(self.limits.per_transaction, "CNY", field="limits").minor,
                Money.parse(self.limits.per_day, "CNY", field="limits").minor,
                Money.parse(self.limits.per_year, "CNY", field="limits").minor,
            )
        return ActionRequest(
            kind=self.kind,
            reason=self.reason,
            transaction_ids=tuple(self.transaction_ids),
            target_id=self.target_id,
            amount=Money.parse(self.amount, self.currency) if self.amount else None,
            limit=limit,
            days=self.days,
        )


class ActionOut(BaseModel):
    id: str
    case_id: str
    kind: str
    status: str = Field(description="pending, executing, executed, failed, rejected or cancelled")
    needs_approval: bool
    proposed_by: str
    reason: str
    target_id: str | None
    amount: MoneyOut | None
    transaction_ids: list[str]
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    executed_at: datetime | None
    result: dict[str, Any] | None
    failure_code: str | None
    idempotency_key: str
    created_at: datetime

    @classmethod
    def of(cls, p: Proposal) -> ActionOut:
        return cls(
            id=p.id,
            case_id=p.case_id,
            kind=p.kind,
            status=p.status,
            needs_approval=p.needs_approval,
            proposed_by=p.proposed_by,
            reason=p.reason,
            target_id=p.target_id,
            amount=MoneyOut.of(Money(p.amount, p.currency))
            if p.amount is not None and p.currency
            else None,
            transaction_ids=p.linked,
            decided_by=p.decided_by,
            decided_at=p.decided_at,
            decision_note=p.decision_note,
            executed_at=p.executed_at,
            result=p.outcome,
            failure_code=p.failure_code,
            idempotency_key=p.idempotency_key,
            created_at=p.created_at,
        )


@router.post("/staff/cases/{case_id}/actions", status_code=status.HTTP_201_CREATED)
def propose_action(case_id: str, body: ActionIn, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    proposal = actions.propose(
        rt, SupportActor.agent(auth), case_id, body.request(), expected_version=body.version
    )
    return ActionOut.of(proposal)


@router.get("/staff/cases/{case_id}/actions")
def case_actions(case_id: str, auth: CaseWorker, rt: RuntimeDep) -> list[ActionOut]:
    return [ActionOut.of(p) for p in actions.case_actions(rt, SupportActor.agent(auth), case_id)]


@router.get("/staff/actions/{action_id}")
def get_action(action_id: str, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.action(rt, SupportActor.agent(auth), action_id))


class DecisionIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class RejectIn(BaseModel):
    reason: str = Field(max_length=500)


@router.post("/staff/actions/{action_id}/approve")
def approve_action(
    action_id: str, auth: Approver, rt: RuntimeDep, body: DecisionIn | None = None
) -> ActionOut:
    note = body.note if body else None
    return ActionOut.of(actions.approve(rt, SupportActor.agent(auth), action_id, note=note))


@router.post("/staff/actions/{action_id}/reject")
def reject_action(action_id: str, body: RejectIn, auth: Approver, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.reject(rt, SupportActor.agent(auth), action_id, reason=body.reason))


@router.post("/staff/actions/{action_id}/cancel")
def cancel_action(action_id: str, auth: CaseWorker, rt: RuntimeDep) -> ActionOut:
    return ActionOut.of(actions.cancel(rt, SupportActor.agent(auth), action_id))


class AwaitingOut(ActionOut):
    case_subject: str
    proposer_name: str | None
    mine: bool = Field(description="You proposed it: someone else must approve it")


class ApprovalsOut(BaseModel):
    items: list[AwaitingOut]
    next_cursor: str | None


def _cursor(proposal: Proposal) -> str:
    text = f"{proposal.created_at.isoformat()}|{proposal.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, proposal_id = text.partition("|")
        parsed = datetime.fromisoformat(at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed("invalid_cursor", field="cursor") from None
    if parsed.tzinfo is None or not proposal_id:
        raise ValidationFailed("invalid_cursor", field="cursor")
    return parsed, proposal_id


@router.get("/staff/approvals")
def approvals(
    auth: Approver,
    rt: RuntimeDep,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=actions.INBOX_MAX),
) -> ApprovalsOut:
    found = actions.approvals_inbox(
        rt, SupportActor.agent(auth), limit=limit, after=_after(cursor) if cursor else None
    )
    return ApprovalsOut(
        items=[
            AwaitingOut(
                **ActionOut.of(item.proposal).model_dump(),
                case_subject=item.case_subject,
                proposer_name=item.proposer_name,
                mine=item.mine,
            )
            for item in found
        ],
        next_cursor=_cursor(found[-1].proposal) if len(found) == limit else None,
    )


class PolicyOut(BaseModel):
    kind: str
    approval_above: MoneyOut | None = Field(
        description="A second person approves above this amount; null: always"
    )
    updated_at: datetime | None
    updated_by: str | None


class PolicyIn(BaseModel):
    approval_above: str | None = Field(
        max_length=32, description="CNY; null: every such action needs a second person"
    )


def _policy_out(policy: ActionPolicy) -> PolicyOut:
    return PolicyOut(
        kind=policy.kind,
        approval_above=_cny(policy.approval_above) if policy.approval_above is not None else None,
        updated_at=policy.updated_at,
        updated_by=policy.updated_by,
    )


def _threshold(text: str) -> Money:
    """A threshold may be zero (every such action waits), unlike an amount to move."""
    if text.strip() in ("0", "0.0", "0.00"):
        return Money.zero("CNY")
    return Money.parse(text, "CNY", field="approval_above")


@router.get("/admin/case-action-policies")
def action_policies(auth: Supervisor, rt: RuntimeDep) -> list[PolicyOut]:
    return [_policy_out(p) for p in actions.policies(rt)]


@router.put("/admin/case-action-policies/{kind}")
def set_action_policy(
    kind: ActionKind, body: PolicyIn, auth: Supervisor, rt: RuntimeDep, ctx: Context
) -> PolicyOut:
    above = _threshold(body.approval_above) if body.approval_above is not None else None
    return _policy_out(actions.set_policy(rt, Actor.staff(auth.user.id, ctx.ip), kind, above))
