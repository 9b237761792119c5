"""What the risk review pages show, gathered from the risk services: everything on a case
page (score, rule reasons, 24 h velocity context, counterparty history, the held movements,
the customer masked) and the frame of every risk page. The queue and the second-approver
inbox rows come whole from `risk.review_rows`.

The words for the risk package's codes are in `risk_review_names`. Nothing here decides a
business rule: who may act (`CaseView.may_decide`), four-eyes and the mandatory comment
are the services' (`risk.review_*`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, Request, Response

from walletdesk.errors import DomainError, Forbidden
from walletdesk.i18n import N_, translate
from walletdesk.identity import profile
from walletdesk.identity.authentication import Authenticated
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.ledger.money import Money
from walletdesk.risk import review_view
from walletdesk.risk.review_models import CaseStatus
from walletdesk.runtime import Runtime
from walletdesk.support.customer360 import mask_ip
from walletdesk.web.console_view import console_render, duration_text
from walletdesk.web.forms import FormState
from walletdesk.web.rendering import page_locale
from walletdesk.web.risk_review_names import (
    CASE_STATUS_NAMES,
    CONTEXT_FEATURES,
    DECISION_NAMES,
    DURATION_FEATURES,
    HELD_NAMES,
    KIND_NAMES,
    LABEL_NAMES,
    LOG_NAMES,
    MONEY_FEATURES,
    PENDING_NAMES,
    SECURITY_NAMES,
    WINDOW_NAMES,
    WINDOW_ROWS,
)
from walletdesk.web.session import PageUser

QUEUE_URL: Final = "/console/risk"
SECOND_URL: Final = "/console/risk/second"
REASONS_SHOWN: Final = 2
"""A queue row names this many rule reasons and counts the rest."""


def risk_reviewer(user: PageUser) -> Authenticated:
    """The signed-in person, if they review risk cases; everyone else is refused (403)."""
    if not has_permission(user.roles, Permission.RISK_REVIEW):
        raise Forbidden(
            "risk_pages_forbidden",
            N_("The risk review pages are for risk reviewers and supervisors."),
        )
    return user


RiskReviewer = Annotated[Authenticated, Depends(risk_reviewer)]


def case_url(case_id: str) -> str:
    return f"/console/risk/cases/{case_id}"


def cny(minor: int, locale: str) -> str:
    return Money(minor, "CNY").format(locale)


def long_duration(seconds: int, locale: str) -> str:
    """ "3d 04h" past a day, else "2h 05m" / "5m" (`console_view.duration_text`)."""
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return translate(N_("{days}d {hours}h"), locale, days=days, hours=f"{rest // 60:02d}")
    return duration_text(minutes, locale)


def feature_text(name: str, value: object, locale: str) -> str:
    """A feature value as a reviewer reads it; "—" when it was not known."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return translate(N_("Yes") if value else N_("No"), locale)
    if not isinstance(value, int):
        return str(value)
    if name in MONEY_FEATURES or name.endswith(("_sum_5m", "_sum_1h", "_sum_24h", "_sum_30d")):
        return cny(value, locale)
    if name in DURATION_FEATURES:
        return long_duration(value, locale)
    return str(value)


def person_names(rt: Runtime, auth: Authenticated, ids: set[str]) -> dict[str, str]:
    """Display names of customers and staff, read through the masked customer profile."""
    names: dict[str, str] = {}
    for user_id in sorted(ids):
        try:
            names[user_id] = profile.customer_profile(rt, auth, user_id).display_name
        except DomainError:
            continue
    return names


@dataclass(frozen=True)
class VelocityTable:
    windows: list[str]
    rows: list[tuple[str, list[tuple[str, str]]]]
    """(label msgid, [(count, amount) per window])."""
    facts: list[tuple[str, str]]
    """(label msgid, value text) of the other context features."""


def velocity(features: Mapping[str, object], locale: str) -> VelocityTable:
    windows = list(WINDOW_NAMES)
    rows = [
        (
            label,
            [
                (
                    feature_text(f"{count}_{w}", features.get(f"{count}_{w}"), locale),
                    feature_text(f"{total}_{w}", features.get(f"{total}_{w}"), locale),
                )
                for w in windows
            ],
        )
        for count, total, label in WINDOW_ROWS
    ]
    facts = [
        (label, feature_text(name, features.get(name), locale))
        for name, label in CONTEXT_FEATURES
        if name in features
    ]
    return VelocityTable(windows, rows, facts)


ACTION_FORMS: Final = ("approve", "decline", "freeze", "escalate", "ask", "unfreeze")


def case_page(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    case_id: str,
    failed: Mapping[str, FormState] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The case page; raises the service's NotFound / Forbidden for a case this reviewer may
    not see (missing and forbidden look the same to the error pages)."""
    locale = page_locale(request)
    view = review_view.case_view(rt, auth, case_id)
    case = view.case
    customer = profile.customer_profile(rt, auth, case.user_id)
    parties = {h.recipient_id for h in view.held if h.recipient_id}
    parties |= set(view.counterparty_history)
    parties |= {a.actor_id for a in view.actions}
    parties |= {p for p in (case.assigned_to, case.pending_by, case.closed_by) if p}
    names = person_names(rt, auth, parties)
    latest = view.decisions[-1] if view.decisions else None
    forms = {name: FormState() for name in ACTION_FORMS}
    forms.update(failed or {})
    return risk_render(
        request,
        rt,
        auth,
        "console/risk/case.html",
        {
            "view": view,
            "case": case,
            "customer": customer,
            "person": names,
            "velocity": velocity(latest.features, locale) if latest else None,
            "forms": forms,
            "devices": [(d, mask_ip(d.last_ip)) for d in view.devices],
            "pending_mine": case.pending_by == auth.user.id,
            "page_path": case_url(case.id),
        },
        status_code=status_code,
        headers=headers,
    )


def risk_render(
    request: Request,
    rt: Runtime,
    auth: Authenticated,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A risk page in the console's frame, with the risk name maps and money formatting."""
    locale = page_locale(request)
    values: dict[str, Any] = {
        "risk_names": {
            "decision": DECISION_NAMES,
            "kind": KIND_NAMES,
            "held": HELD_NAMES,
            "case_status": CASE_STATUS_NAMES,
            "label": LABEL_NAMES,
            "log": LOG_NAMES,
            "pending": PENDING_NAMES,
            "security": SECURITY_NAMES,
            "window": WINDOW_NAMES,
        },
        "cny": lambda minor: cny(minor, locale),
        "money": lambda minor, currency: Money(minor, currency).format(locale),
        "long_duration": lambda seconds: long_duration(int(seconds), locale),
        "labels": list(LABEL_NAMES),
        "section": "risk",
        "open_status": CaseStatus.OPEN.value,
        "reasons_shown": REASONS_SHOWN,
    }
    values.update(context or {})
    return console_render(
        request, rt, auth, template, values, status_code=status_code, headers=headers
    )
