"""What every agent-console page shares: who may open it, rendering with the console's frame,
the words for case codes (status, priority, type, channel, history events), SLA badges and
the console's one-line notices.

Pages show what the support services return; the words for codes live here as msgids and
are translated in the page's language. Nothing here decides a business rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import Depends, Request, Response

from walletdesk.errors import DomainError, Forbidden
from walletdesk.i18n import N_, translate
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.runtime import Runtime
from walletdesk.support import agents
from walletdesk.support.access import SupportActor
from walletdesk.support.realtime_presence import team_presence
from walletdesk.support.sla import SlaTarget, TargetState
from walletdesk.support.statuses import STAFF_NAMES
from walletdesk.web.flash import FLASHES
from walletdesk.web.forms import FormState, failed_form, failure_headers, failure_status
from walletdesk.web.rendering import page_locale, render
from walletdesk.web.session import PageUser

PRIORITY_NAMES: Final = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
}
TYPE_NAMES: Final = {
    "question": N_("Question"),
    "problem": N_("Problem"),
    "complaint": N_("Complaint"),
    "suggestion": N_("Suggestion"),
    "verification": N_("Verification"),
    "dispute": N_("Dispute"),
}
CHANNEL_NAMES: Final = {
    "chat": N_("In-app chat"),
    "call": N_("Phone"),
    # Its own message: in Chinese the channel is 邮件 (mail), the address field 邮箱 (mailbox).
    "email": N_("Email (channel)"),
    "wechat": N_("WeChat"),
}
PRESENCE_NAMES: Final = {
    "online": N_("Online"),
    "away": N_("Away"),
    "offline": N_("Offline"),
}
STATUS_NAMES: Final = {category.value: name for category, name in STAFF_NAMES.items()}
TARGET_NAMES: Final = {
    "first_response": N_("First response"),
    "next_response": N_("Next response"),
    "resolution": N_("Resolution"),
}
AUTHOR_NAMES: Final = {
    "contact": N_("Customer"),
    "agent": N_("Agent"),
    "bot": N_("Assistant"),
    "system": N_("walletdesk"),
}
EVENT_NAMES: Final = {
    "case.created": N_("Case opened"),
    "message.added": N_("Message added"),
    "status.changed": N_("Status changed"),
    "case.reopened": N_("Case reopened"),
    "case.follow_up_opened": N_("Follow-up case opened"),
    "conversation.handed_off": N_("Handed off by the assistant"),
    "case.assigned": N_("Assignee changed"),
    "case.priority_changed": N_("Priority changed"),
    "dispute.linked": N_("Disputed transactions linked"),
    "sla.breached": N_("SLA target breached"),
    "sla.met": N_("SLA target met"),
    "case.escalated": N_("Case escalated"),
    "case.queued": N_("Placed in a queue"),
    "case.risk_flagged": N_("Risk flag added"),
    "case.offer_accepted": N_("Offer accepted"),
    "note.mentioned": N_("Colleagues mentioned in a note"),
    "action.proposed": N_("Case action proposed"),
    "action.approved": N_("Case action approved"),
    "action.rejected": N_("Case action rejected"),
    "action.cancelled": N_("Case action cancelled"),
    "action.executed": N_("Case action carried out"),
    "action.failed": N_("Case action failed"),
    "verification.opened": N_("Verification opened"),
    "verification.challenge_requested": N_("In-app check requested"),
    "verification.challenge_passed": N_("In-app check passed"),
    "verification.challenge_failed": N_("In-app check failed"),
    "contact.registered": N_("Outbound contact registered"),
    "verification.decided": N_("Verification decided"),
    "complaint.received": N_("Complaint received"),
    "complaint.categorised": N_("Complaint category changed"),
    "complaint.investigating": N_("Complaint under investigation"),
    "complaint.result": N_("Complaint result given"),
    "complaint.appealed": N_("Complaint appealed"),
    "complaint.confirmed": N_("Customer confirmed the result"),
    "complaint.escalated": N_("Complaint escalated"),
    "suggestion.received": N_("Suggestion received"),
    "suggestion.answered": N_("Suggestion answered"),
    "csat.requested": N_("Satisfaction survey sent"),
    "csat.rated": N_("Customer rated the service"),
    "csat.low_score": N_("Low satisfaction score"),
}
OTHER_EVENT: Final = N_("Other change")
ACTION_NAMES: Final = {
    "refund": N_("Refund a payment"),
    "reverse": N_("Reverse a transaction"),
    "waive_fee": N_("Waive a fee"),
    "release_hold": N_("Release a hold"),
    "unfreeze": N_("Unfreeze the wallet"),
    "unlock": N_("Unlock the sign-in"),
    "raise_limit": N_("Raise the limits"),
    "freeze": N_("Freeze the wallet"),
}
ACTION_STATUS_NAMES: Final = {
    "pending": N_("Waiting for approval"),
    "executing": N_("Being carried out"),
    "executed": N_("Carried out"),
    "failed": N_("Failed"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
}
VERIFICATION_NAMES: Final = {
    "pending": N_("Waiting for the outcome"),
    "verified": N_("Verified"),
    "failed": N_("Failed"),
    "suspicious": N_("Suspicious"),
}
CHALLENGE_NAMES: Final = {
    "none": N_("Not asked"),
    "requested": N_("Asked, waiting for the customer"),
    "passed": N_("Passed"),
    "failed": N_("Failed"),
}
REASON_NAMES: Final = {
    "account_abnormality": N_("Unusual account activity"),
    "amount_abnormality": N_("Unusual amount"),
    "personal_info_change": N_("Change of personal information"),
    "large_transaction": N_("Large transaction"),
    "locked_feature": N_("Locked feature"),
}
FIELD_NAMES: Final = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "real_name": N_("Real name"),
    "id_number": N_("ID number"),
}
STEP_NAMES: Final = {
    "received": N_("Complaint received"),
    "assigned": N_("Handler assigned"),
    "investigating": N_("Under investigation"),
    "result": N_("Result given"),
    "appealed": N_("Appeal received"),
    "appeal_result": N_("Appeal result given"),
    "confirmed": N_("Customer confirmed the result"),
}

FLASHES.update(
    {
        "console_taken": ("success", N_("The case is yours now.")),
        "console_accepted": ("success", N_("You accepted the case: it stays yours.")),
        "console_given_back": ("info", N_("You gave the case back to its queue.")),
        "console_replied": ("success", N_("Your reply was sent to the customer.")),
        "console_noted": ("success", N_("Your internal note was added.")),
        "console_status": ("success", N_("The case status was changed.")),
        "console_priority": ("success", N_("The case priority was changed.")),
        "console_proposed": (
            "success",
            N_("The action was proposed. A second person must approve it."),
        ),
        "console_executed": ("success", N_("The action was carried out.")),
        "console_approved": ("success", N_("You approved the action; it was carried out.")),
        "console_rejected": ("info", N_("You rejected the action. Nothing was changed.")),
        "console_presence": ("success", N_("Your status was changed.")),
        "console_outcome": ("success", N_("The verification outcome was recorded.")),
        "console_challenge": ("info", N_("The customer was asked to confirm in the app.")),
        "console_complaint": ("success", N_("The complaint was updated.")),
    }
)


def console_agent(user: PageUser) -> Authenticated:
    """The signed-in person, if they work cases; everyone else is refused (403)."""
    if not has_permission(user.roles, Permission.CASES_WORK):
        raise Forbidden(
            "console_forbidden",
            N_("The agent console is for walletdesk support staff."),
        )
    return user


ConsoleAgent = Annotated[Authenticated, Depends(console_agent)]


def may_approve(auth: Authenticated) -> bool:
    return has_permission(auth.roles, Permission.CASES_APPROVE)


@dataclass(frozen=True)
class SlaBadge:
    """One SLA target as the inbox shows it: "2h 10m left", "breached", "paused", "met"."""

    kind: str
    state: str  # "left", "soon", "breached", "paused" or "met"
    due_at: datetime | None
    minutes_left: int | None


SOON_MINUTES: Final = 30
"""A target this close to its due time is shown in amber."""


def sla_badges(targets: list[SlaTarget], now: datetime) -> list[SlaBadge]:
    badges = []
    for target in targets:
        if not target.is_open:
            badges.append(SlaBadge(target.kind, "met", None, None))
        elif target.state == TargetState.BREACHED or (
            target.due_at is not None and now > target.due_at
        ):
            badges.append(SlaBadge(target.kind, "breached", target.due_at, None))
        elif not target.is_running or target.due_at is None:
            badges.append(SlaBadge(target.kind, "paused", None, None))
        else:
            left = int((target.due_at - now).total_seconds() // 60)
            state = "soon" if left < SOON_MINUTES else "left"
            badges.append(SlaBadge(target.kind, state, target.due_at, left))
    return badges


def duration_text(minutes: int, locale: str) -> str:
    """ "2h 05m" / "2小时05分" for the time left on a badge."""
    hours, rest = divmod(max(0, minutes), 60)
    if hours:
        return translate(N_("{hours}h {minutes}m"), locale, hours=hours, minutes=f"{rest:02d}")
    return translate(N_("{minutes}m"), locale, minutes=rest)


def staff_names(rt: Runtime) -> dict[str, str]:
    """Display names of everyone who works cases, for assignees and authors."""
    return {p.user_id: p.name for p in team_presence(rt)}


def presence_of(rt: Runtime, auth: Authenticated) -> str:
    """The agent's routing status; "offline" until they first set one."""
    try:
        return agents.agent_profile(rt, auth.user.id).status
    except DomainError:
        return "offline"


def console_render(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a console page with the frame's needs: the agent's status and the name maps."""
    values: dict[str, Any] = {
        "presence": presence_of(rt, auth),
        "may_approve": may_approve(auth),
        "may_work": has_permission(auth.roles, Permission.CASES_WORK),
        "may_review": has_permission(auth.roles, Permission.RISK_REVIEW),
        "may_supervise": has_permission(auth.roles, Permission.CASES_SUPERVISE),
        "names": {
            "status": STATUS_NAMES,
            "priority": PRIORITY_NAMES,
            "type": TYPE_NAMES,
            "channel": CHANNEL_NAMES,
            "presence": PRESENCE_NAMES,
            "target": TARGET_NAMES,
            "author": AUTHOR_NAMES,
            "event": EVENT_NAMES,
            "action": ACTION_NAMES,
            "action_status": ACTION_STATUS_NAMES,
            "verification": VERIFICATION_NAMES,
            "challenge": CHALLENGE_NAMES,
            "reason": REASON_NAMES,
            "field": FIELD_NAMES,
            "step": STEP_NAMES,
        },
        "other_event": OTHER_EVENT,
        "duration": lambda minutes: duration_text(minutes, page_locale(request)),
        "me": auth.user.id,
        "section": "inbox",
    }
    values.update(context or {})
    return render(request, template, values, status_code=status_code, headers=headers)


def blank_form(**values: str) -> FormState:
    return FormState(values=dict(values))


def form_error(
    request: Request,
    exc: DomainError,
    *,
    fields: tuple[str, ...],
    values: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> tuple[FormState, int, dict[str, str]]:
    """The failed form with the message beside its field, the status and headers to answer."""
    form = failed_form(exc, page_locale(request), fields=fields, values=values, aliases=aliases)
    return form, failure_status(exc), failure_headers(exc)


def actor_of(auth: Authenticated) -> SupportActor:
    return SupportActor.agent(auth)
