"""Block lists and per-customer snoozes. Staff with `risk.lists.manage` change them; every
change is written to the audit log in the same transaction.

Lists: accounts (hit as sender or receiver), payees (hit as receiver), devices (fingerprints),
phones (kept only as their blind index, shown masked) and IP ranges (``ipaddress`` networks,
IPv4 or IPv6). A snooze silences one rule for one customer until a given time (exclusive: at
`until` the rule fires again).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from walletdesk.audit.services import Actor, record, record_for_user
from walletdesk.errors import NotFound, ValidationFailed
from walletdesk.i18n import N_
from walletdesk.identity.access import check_permission
from walletdesk.identity.contacts import normalise_phone
from walletdesk.identity.masking import mask_phone
from walletdesk.identity.permissions import Permission
from walletdesk.identity.vault import login_index
from walletdesk.randomness import new_id
from walletdesk.risk.history import ListKind, ip_range_keys
from walletdesk.risk.records import ListEntry, Snooze
from walletdesk.risk.rules_admin import active_rule_set

if TYPE_CHECKING:
    from walletdesk.identity.authentication import Authenticated
    from walletdesk.runtime import Runtime
    from walletdesk.storage.uow import UnitOfWork

REASON_MAX = 500
SNOOZE_MAX = timedelta(days=90)
_ID_TEXT = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason or len(reason) > REASON_MAX:
        raise ValidationFailed(
            "risk_reason_required",
            N_("Give a reason (at most {max} characters)."),
            field="reason",
            max=REASON_MAX,
        )
    return reason


def _bad_value(kind: ListKind) -> ValidationFailed:
    return ValidationFailed(
        "invalid_list_value",
        N_("This is not a valid value for the {kind} list."),
        field="value",
        kind=str(kind),
    )


def _check_kind(kind: str) -> ListKind:
    try:
        return ListKind(kind)
    except ValueError:
        raise ValidationFailed(
            "invalid_list_kind",
            N_("Unknown list. Use one of: {kinds}."),
            field="kind",
            kinds=", ".join(ListKind),
        ) from None


def _normalise(
    rt: Runtime, uow: UnitOfWork, kind: ListKind, raw: str
) -> tuple[str, str, tuple[str, str] | None]:
    """(stored value, label, IP range keys) for a value typed by staff."""
    text = raw.strip()
    if kind is ListKind.PHONE:
        phone = normalise_phone(text)
        return login_index(rt.cipher, phone), mask_phone(phone), None
    if kind is ListKind.IP:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _bad_value(kind) from None
        return str(network), str(network), ip_range_keys(str(network))
    if kind is ListKind.DEVICE and text.startswith("dev_"):
        device = uow.devices.get(text)
        if device is None:
            raise _bad_value(kind)
        return device.fingerprint, f"{device.name} ({text})"[:120], None
    if kind is ListKind.DEVICE:
        fingerprint = text.lower()
        if not _FINGERPRINT.match(fingerprint):
            raise _bad_value(kind)
        return fingerprint, f"device {fingerprint[:12]}…", None
    if not _ID_TEXT.match(text):
        raise _bad_value(kind)
    return text, text, None


def add_to_list(
    rt: Runtime, actor: Authenticated, *, kind: str, value: str, reason: str
) -> ListEntry:
    """check_list_entry: put a value on a block list (adding one already there returns it)."""
    check_permission(actor, Permission.RISK_LISTS_MANAGE)
    chosen = _check_kind(kind)
    why = _reason(reason)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        stored, label, keys = _normalise(rt, uow, chosen, value)
        existing = uow.risk.active_list_entry(chosen.value, stored)
        if existing is not None:
            return existing
        entry = ListEntry(
            id=new_id(rt.random, "rle"),
            kind=chosen.value,
            value=stored,
            label=label,
            reason=why,
            created_at=now,
            created_by=actor.user.id,
            range_start=keys[0] if keys else None,
            range_end=keys[1] if keys else None,
        )
        uow.risk.add_list_entry(entry)
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user.id),
            action="risk.list.added",
            subject_kind="risk_list_entry",
            subject_id=entry.id,
            details={"kind": entry.kind, "label": label, "reason": why},
        )
        uow.commit()
    return entry


def remove_from_list(rt: Runtime, actor: Authenticated, *, entry_id: str, reason: str) -> None:
    check_permission(actor, Permission.RISK_LISTS_MANAGE)
    why = _reason(reason)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        entry = uow.risk.list_entry(entry_id)
        if entry is None or not uow.risk.remove_list_entry(entry_id, at=now, by=actor.user.id):
            raise NotFound("list_entry_not_found")
        record(
            uow,
            at=now,
            actor=Actor.staff(actor.user.id),
            action="risk.list.removed",
            subject_kind="risk_list_entry",
            subject_id=entry_id,
            details={"kind": entry.kind, "label": entry.label, "reason": why},
        )
        uow.commit()


def list_entries(rt: Runtime, actor: Authenticated, *, kind: str | None = None) -> list[ListEntry]:
    check_permission(actor, Permission.RISK_READ)
    chosen = _check_kind(kind).value if kind is not None else None
    with rt.db.uow(read_only=True) as uow:
        return uow.risk.list_entries(chosen)


def snooze_rule(
    rt: Runtime,
    actor: Authenticated,
    *,
    user_id: str,
    rule_id: str,
    until: datetime,
    reason: str,
) -> Snooze:
    """Silence `rule_id` for customer `user_id` until `until` (at most 90 days ahead)."""
    check_permission(actor, Permission.RISK_LISTS_MANAGE)
    why = _reason(reason)
    now = rt.clock.now()
    if not now < until <= now + SNOOZE_MAX:
        raise ValidationFailed(
            "invalid_snooze_end",
            N_("A snooze ends in the future, at most {days} days from now."),
            field="until",
            days=SNOOZE_MAX.days,
        )
    with rt.db.uow() as uow:
        if uow.users.get(user_id) is None:
            raise NotFound("user_not_found")
        _, rules = active_rule_set(uow)
        if rule_id not in rules.by_id():
            raise NotFound(
                "rule_not_found",
                N_("The active rule set has no rule {rule_id}."),
                field="rule_id",
                rule_id=rule_id,
            )
        snooze = Snooze(
            id=new_id(rt.random, "rsz"),
            user_id=user_id,
            rule_id=rule_id,
            until=until,
            reason=why,
            created_at=now,
            created_by=actor.user.id,
        )
        uow.risk.add_snooze(snooze)
        record_for_user(
            uow,
            now,
            Actor.staff(actor.user.id),
            "risk.snooze.added",
            user_id,
            snooze_id=snooze.id,
            rule_id=rule_id,
            until=until.isoformat(),
            reason=why,
        )
        uow.commit()
    return snooze


def lift_snooze(rt: Runtime, actor: Authenticated, *, snooze_id: str) -> None:
    check_permission(actor, Permission.RISK_LISTS_MANAGE)
    now = rt.clock.now()
    with rt.db.uow() as uow:
        snooze = uow.risk.snooze(snooze_id)
        if snooze is None or not uow.risk.lift_snooze(snooze_id, at=now, by=actor.user.id):
            raise NotFound("snooze_not_found")
        record_for_user(
            uow,
            now,
            Actor.staff(actor.user.id),
            "risk.snooze.lifted",
            snooze.user_id,
            snooze_id=snooze_id,
            rule_id=snooze.rule_id,
        )
        uow.commit()


def snoozes_for(rt: Runtime, actor: Authenticated, *, user_id: str) -> list[Snooze]:
    check_permission(actor, Permission.RISK_READ)
    with rt.db.uow(read_only=True) as uow:
        return uow.risk.snoozes_of(user_id)
