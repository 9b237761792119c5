"""Customer 360: everything an agent needs about the case's customer beside the case, masked.

Wallet balances (available and held per currency), the latest transactions with their
statuses and failure reasons (the same items the customer's own history shows, bank
operations still processing or declined included), holds, the limits in effect, risk
decisions and review cases, devices and security events (new device, password reset,
contact change, lock-out, freeze). Contact and identity fields are masked unless this agent
revealed one on this case (`support.reveal`); showing a revealed value is audited.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import walletdesk.banking.history  # noqa: F401 - registers bank operations with the history
from walletdesk.audit.services import Actor, record
from walletdesk.identity.access import check_permission
from walletdesk.identity.permissions import Permission, has_permission
from walletdesk.identity.vault import masked_contacts
from walletdesk.ledger import wallets
from walletdesk.ledger.limits import Limit, limit_for
from walletdesk.ledger.models import AccountKind, Hold
from walletdesk.risk.decisions import decisions_for_user
from walletdesk.risk.models import Decision
from walletdesk.support.access import SupportActor, access_case_for
from walletdesk.support.reveal import OPENERS, customer_of, revealed_fields

if TYPE_CHECKING:
    from walletdesk.audit.chain import AuditEntry
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.identity.models import Device
    from walletdesk.runtime import Runtime

TRANSACTIONS = 20
HOLDS = 20
DECISIONS = 20
SECURITY_EVENTS = 30
AUDIT_SCAN = 300

SECURITY_ACTIONS = frozenset(
    {
        "login.succeeded",  # only with a new device, see _security_events
        "account.locked",
        "account.unlocked",
        "password.changed",
        "password_reset.completed",
        "password.reset_done",
        "contact.changed",
        "wallet.frozen",
        "wallet.unfrozen",
        "two_factor.enabled",
        "two_factor.disabled",
        "2fa.enabled",
        "2fa.disabled",
        "limits.raised",
    }
)
SAFE_DETAILS = ("kind", "reason", "by", "method", "step_up", "case_id", "minutes", "device_id")
"""Only these details of an audit entry are shown; the rest may hold more than an agent needs."""


@dataclass(frozen=True)
class ShownField:
    value: str | None
    revealed_until: datetime | None = None
    """None: `value` is masked. Otherwise the full value, shown until this instant."""


@dataclass(frozen=True)
class DeviceSeen:
    id: str
    name: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_ip: str | None
    """Masked to its network (203.0.113.*)."""


@dataclass(frozen=True)
class SecurityEvent:
    at: datetime
    action: str
    actor_kind: str
    details: dict[str, object]


@dataclass(frozen=True)
class ReviewCaseSummary:
    id: str
    status: str
    opened_at: datetime
    movement_id: str | None
    summary: str


ReviewCaseReader = Callable[["Runtime", "Authenticated", str], list[ReviewCaseSummary]]
REVIEW_CASE_READERS: list[ReviewCaseReader] = []
"""Where the risk package's review cases come in: a reader registered here answers a
customer's review cases (open and recent) for a staff member with `risk.read`. The risk
package has no review cases yet, so nothing is registered and the panel shows none."""


def review_cases_for(rt: Runtime, auth: Authenticated, user_id: str) -> list[ReviewCaseSummary]:
    return [found for reader in REVIEW_CASE_READERS for found in reader(rt, auth, user_id)]


@dataclass(frozen=True)
class Customer360:
    user_id: str
    display_name: str
    locale: str
    kyc_tier: int
    two_factor: bool
    frozen: bool
    frozen_at: datetime | None
    frozen_reason: str | None
    locked_until: datetime | None
    """Set only while a password lock-out is in effect."""
    created_at: datetime
    fields: dict[str, ShownField]
    balances: list[wallets.WalletBalance]
    limit: Limit
    """The limits in effect (CNY fen): the KYC tier's, raised by a case action if any."""
    limit_raised_until: datetime | None
    transactions: list[wallets.HistoryItem]
    holds: list[Hold]
    risk_decisions: list[Decision]
    review_cases: list[ReviewCaseSummary]
    devices: list[DeviceSeen]
    security_events: list[SecurityEvent]


def mask_ip(text: str | None) -> str | None:
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "*"
    if address.version == 4:
        return ".".join(text.split(".")[:3] + ["*"])
    return ":".join(address.exploded.split(":")[:4] + ["*"])


def _device(device: Device) -> DeviceSeen:
    return DeviceSeen(
        device.id,
        device.name,
        device.first_seen_at,
        device.last_seen_at,
        mask_ip(device.last_ip),
    )


def _security_events(entries: list[AuditEntry]) -> list[SecurityEvent]:
    found: list[SecurityEvent] = []
    for entry in entries:
        if entry.action not in SECURITY_ACTIONS:
            continue
        details = json.loads(entry.details or "{}")
        if entry.action == "login.succeeded" and not details.get("new_device"):
            continue
        shown = {key: details[key] for key in SAFE_DETAILS if key in details}
        found.append(SecurityEvent(entry.at, entry.action, entry.actor_kind, shown))
        if len(found) == SECURITY_EVENTS:
            break
    return found


def customer_360(
    rt: Runtime, auth: Authenticated, case_id: str, *, ip: str | None = None
) -> Customer360:
    """The panel for the case's customer, as `auth` (staff who work cases) may see it."""
    check_permission(auth, Permission.CUSTOMER_READ)
    actor = SupportActor.agent(auth)
    now = rt.clock.now()
    with rt.db.uow(read_only=True) as uow:
        case = access_case_for(uow, actor, case_id)
        user = customer_of(uow, case)
        devices = [_device(d) for d in uow.devices.list_for_user(user.id)]
        events = _security_events(uow.audit.recent(subject_id=user.id, limit=AUDIT_SCAN))
        accounts = [a.id for a in uow.accounts.for_owner(user.id) if a.kind == AccountKind.WALLET]
        holds = uow.agent_tools.reads.holds_of(accounts, limit=HOLDS)
        limit = limit_for(user.kyc_tier, uow=uow, user_id=user.id, at=now)
        raised = uow.agent_tools.limit_overrides.in_effect(user.id, now)
        raised_until = uow.agent_tools.limit_overrides.expiry(user.id) if raised else None
        revealed = revealed_fields(rt, uow, actor, case, user)
    masked = masked_contacts(rt.cipher, user)
    fields = {
        name: ShownField(revealed[name].value, revealed[name].grant.expires_at)
        if name in revealed
        else ShownField(masked[name])
        for name in OPENERS
    }
    if revealed:
        with rt.db.uow() as uow:
            record(
                uow,
                at=now,
                actor=Actor.staff(auth.user.id, ip),
                action="customer.field_read",
                subject_kind="user",
                subject_id=user.id,
                details={"fields": sorted(revealed), "case_id": case.id, "view": "customer_360"},
            )
            uow.commit()
    page = wallets.user_history_page(
        rt, user.id, cursor=None, limit=TRANSACTIONS, filters=wallets.HistoryFilter()
    )
    risk = (
        decisions_for_user(rt, auth, user_id=user.id, limit=DECISIONS)
        if has_permission(auth.roles, Permission.RISK_READ)
        else []
    )
    lock = user.lock_remaining(now)
    return Customer360(
        user_id=user.id,
        display_name=user.display_name,
        locale=user.locale,
        kyc_tier=user.kyc_tier,
        two_factor=user.has_totp,
        frozen=user.is_frozen,
        frozen_at=user.frozen_at,
        frozen_reason=user.frozen_reason,
        locked_until=now + lock if lock else None,
        created_at=user.created_at,
        fields=fields,
        balances=wallets.user_balances(rt, user.id),
        limit=limit,
        limit_raised_until=raised_until,
        transactions=page.items[:TRANSACTIONS],
        holds=holds,
        risk_decisions=risk,
        review_cases=review_cases_for(rt, auth, user.id)
        if has_permission(auth.roles, Permission.RISK_READ)
        else [],
        devices=devices,
        security_events=events,
    )
