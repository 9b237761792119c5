"""The risk engine's facts from the one row of its SELECT (`risk_history`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from walletdesk.risk.history import HISTORY_FIELDS, LIST_FEATURES, DeviceSeen, Facts, History, Party
from walletdesk.risk.models import Movement


def _earliest(*values: datetime | None) -> datetime | None:
    return min((v for v in values if v is not None), default=None)


def _latest(*values: datetime | None) -> datetime | None:
    return max((v for v in values if v is not None), default=None)


def history_of(row: Any, has_receiver: bool) -> History:
    values: dict[str, Any] = {}
    for name in HISTORY_FIELDS:
        if name in row:
            value = row[name]
            is_plain = not name.endswith("_at") and name != "pair_seen"
            values[name] = int(value or 0) if is_plain else value
    values["sender_first_seen_at"] = _earliest(row["s_first_out"], row["s_first_in"])
    values["sender_last_seen_at"] = _latest(row["s_last_out"], row["s_last_in"])
    if has_receiver:
        values["pair_seen"] = bool(row["pair_seen"])
        values["receiver_first_seen_at"] = _earliest(row["r_first_in"], row["r_first_out"])
    return History(**values)


def _party_of(row: Any, prefix: str) -> Party | None:
    opened = row[f"{prefix}_opened"]
    if opened is None:
        return None
    return Party(
        opened_at=opened,
        password_reset_at=row[f"{prefix}_reset"],
        contact_changed_at=row[f"{prefix}_contact"],
        phone_index=row[f"{prefix}_phone"],
    )


def facts_of(row: dict[str, Any], movement: Movement) -> Facts:
    """The engine's `Facts` from the one row of `_facts_statement`."""
    has_receiver = movement.receiver_id is not None
    sender = _party_of(row, "s")
    receiver = _party_of(row, "r") if has_receiver else None
    if has_receiver and receiver is None and row["r_merchant_opened"] is not None:
        receiver = Party(opened_at=row["r_merchant_opened"])
    device = None
    if movement.device_id is not None:
        this_one, earliest = row["device_first_seen"], row["devices_first"]
        device = DeviceSeen(
            first_seen_at=this_one,
            earlier_device=earliest is not None and (this_one is None or earliest < this_one),
        )
    listed = frozenset(name for name in LIST_FEATURES if row.get(name))
    snoozed = frozenset(filter(None, (row["snoozed"] or "").split(",")))
    version = row["rules_version"]
    return Facts(
        history=history_of(row, has_receiver),
        sender=sender,
        receiver=receiver,
        device=device,
        listed=listed,
        snoozed=snoozed,
        rule_set_head=(int(version), str(row["rules_sha256"])) if version else None,
    )
