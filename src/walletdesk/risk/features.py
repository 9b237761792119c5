"""The named features a rule may use, and how they are computed.

Counts and sums *include the movement being assessed* (``sender_out_count_1h > 10`` fires on
the 11th outgoing movement within the hour); averages and "before" counts do not. Amounts are
CNY fen (the rule file writes yuan); durations are whole seconds (the rule file writes ``5m``,
``24h``, ``90d``). A feature is None when it cannot be known (no receiver, no device, never
reset); a comparison with None is neither true nor false, so it never fires a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from walletdesk.risk.history import LIST_FEATURES, WINDOWS, Facts
from walletdesk.risk.models import Movement

FeatureValue = int | bool | str | None


class FeatureType(StrEnum):
    COUNT = "count"
    MONEY = "money"
    DURATION = "duration"
    BOOL = "bool"
    TEXT = "text"


@dataclass(frozen=True)
class Feature:
    name: str
    type: FeatureType
    description: str


def _catalogue() -> dict[str, Feature]:
    c, m, d, b, t = (
        FeatureType.COUNT,
        FeatureType.MONEY,
        FeatureType.DURATION,
        FeatureType.BOOL,
        FeatureType.TEXT,
    )
    items = [
        Feature("kind", t, "transfer, payment, withdrawal, topup or fx"),
        Feature("currency", t, "the movement's currency (ISO 4217)"),
        Feature("amount", m, "the movement's amount in CNY"),
        Feature("support_contact", b, "in a call or chat with someone claiming to be support"),
        Feature("payee_added_age", d, "time since the customer saved this payee"),
        Feature("payee_is_new", b, "the sender has never moved money to this receiver"),
        Feature("sender_balance", m, "the sender's balance before the movement, if known"),
        Feature("sender_account_age", d, "time since the sender's account was opened"),
        Feature("sender_idle", d, "time since the sender's last movement (or opening)"),
        Feature("since_password_reset", d, "time since the sender's last password reset"),
        Feature("since_contact_change", d, "time since the sender's phone or email changed"),
        Feature("since_new_device", d, "time since this device was added, if not the first"),
        Feature("since_last_out", d, "time since the sender's previous outgoing movement"),
        Feature("sender_avg_out_90d", m, "average of the sender's earlier outgoing, 90 days"),
        Feature("sender_out_count_90d_before", c, "earlier outgoing movements in 90 days"),
        Feature("sender_out_receivers_8h", c, "distinct receivers of the sender, 8 hours"),
        Feature("sender_out_receivers_24h", c, "distinct receivers of the sender, 24 hours"),
        Feature("sender_in_count_24h", c, "movements the sender received, 24 hours"),
        Feature("sender_in_sum_24h", m, "money the sender received, 24 hours"),
        Feature("sender_in_senders_24h", c, "distinct people who paid the sender, 24 hours"),
        Feature("receiver_account_age", d, "time since the receiving account was opened"),
        Feature("receiver_in_senders_24h", c, "distinct senders to this receiver, 24 hours"),
        Feature("receiver_similar_24h", c, "amounts within 10 % of this one to the receiver, 24 h"),
    ]
    for window in WINDOWS:
        items += [
            Feature(f"sender_out_count_{window}", c, f"sender's outgoing movements, {window}"),
            Feature(f"sender_out_sum_{window}", m, f"sender's outgoing amount, {window}"),
            Feature(f"receiver_in_count_{window}", c, f"movements to the receiver, {window}"),
            Feature(f"receiver_in_sum_{window}", m, f"amount to the receiver, {window}"),
            Feature(f"device_count_{window}", c, f"movements from this device, {window}"),
            Feature(f"device_sum_{window}", m, f"amount from this device, {window}"),
            Feature(f"ip_count_{window}", c, f"movements from this IP address, {window}"),
            Feature(f"ip_sum_{window}", m, f"amount from this IP address, {window}"),
        ]
    items += [
        Feature("device_senders_24h", c, "distinct senders on this device, 24 hours"),
        Feature("ip_senders_24h", c, "distinct senders from this IP address, 24 hours"),
        Feature("sender_listed", b, "the sender is on the blocked accounts list"),
        Feature("receiver_listed", b, "the receiver is on the blocked accounts list"),
        Feature("payee_listed", b, "the receiver is on the blocked payees list"),
        Feature("device_listed", b, "the device is on the blocked devices list"),
        Feature("phone_listed", b, "the sender's or receiver's phone is on the blocked list"),
        Feature("ip_listed", b, "the IP address is in a blocked range"),
    ]
    return {feature.name: feature for feature in items}


FEATURES: dict[str, Feature] = _catalogue()


def _window_names(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}_count_{w}", f"{prefix}_sum_{w}") for w in WINDOWS)


_SENDER_WINDOWS = _window_names("sender_out")
_RECEIVER_WINDOWS = _window_names("receiver_in")
_DEVICE_WINDOWS = _window_names("device")
_IP_WINDOWS = _window_names("ip")


def _seconds(later: datetime, earlier: datetime | None) -> int | None:
    if earlier is None:
        return None
    return int((later - earlier).total_seconds())


def compute_features(movement: Movement, facts: Facts, now: datetime) -> dict[str, FeatureValue]:
    h = facts.history
    out = 1 if movement.is_outgoing else 0
    amount = movement.amount_cny_minor
    has_receiver = movement.receiver_id is not None
    sender, receiver = facts.sender, facts.receiver
    values: dict[str, FeatureValue] = {
        "kind": str(movement.kind),
        "currency": movement.currency,
        "amount": amount,
        "support_contact": movement.support_contact,
        "payee_added_age": _seconds(now, movement.payee_added_at),
        "payee_is_new": has_receiver and not h.pair_seen,
        "sender_balance": movement.sender_balance_minor,
        "since_last_out": _seconds(now, h.sender_last_out_at),
        "sender_avg_out_90d": (
            h.sender_out_sum_90d // h.sender_out_count_90d if h.sender_out_count_90d else None
        ),
        "sender_out_count_90d_before": h.sender_out_count_90d,
        "sender_out_receivers_8h": h.sender_out_receivers_8h + (out if has_receiver else 0),
        "sender_out_receivers_24h": h.sender_out_receivers_24h + (out if has_receiver else 0),
        "sender_in_count_24h": h.sender_in_count_24h,
        "sender_in_sum_24h": h.sender_in_sum_24h,
        "sender_in_senders_24h": h.sender_in_senders_24h,
        "receiver_in_senders_24h": h.receiver_in_senders_24h + 1 if has_receiver else None,
        "receiver_similar_24h": h.receiver_similar_24h + 1 if has_receiver else None,
        "device_senders_24h": h.device_senders_24h + 1 if movement.device_id else None,
        "ip_senders_24h": h.ip_senders_24h + 1 if movement.ip else None,
    }
    for count, total in _SENDER_WINDOWS:
        values[count] = getattr(h, count) + out
        values[total] = getattr(h, total) + out * amount
    for present, names in (
        (has_receiver, _RECEIVER_WINDOWS),
        (movement.device_id is not None, _DEVICE_WINDOWS),
        (movement.ip is not None, _IP_WINDOWS),
    ):
        for count, total in names:
            values[count] = getattr(h, count) + 1 if present else None
            values[total] = getattr(h, total) + amount if present else None

    opened = sender.opened_at if sender and sender.opened_at else h.sender_first_seen_at
    values["sender_account_age"] = _seconds(now, opened)
    values["sender_idle"] = _seconds(now, h.sender_last_seen_at or opened)
    values["since_password_reset"] = _seconds(now, sender.password_reset_at if sender else None)
    values["since_contact_change"] = _seconds(now, sender.contact_changed_at if sender else None)
    device = facts.device
    if movement.device_id is None or device is None or not device.earlier_device:
        values["since_new_device"] = None
    else:
        values["since_new_device"] = _seconds(now, device.first_seen_at or now)
    if has_receiver:
        receiver_opened = (
            receiver.opened_at if receiver and receiver.opened_at else h.receiver_first_seen_at
        )
        values["receiver_account_age"] = _seconds(now, receiver_opened)
    else:
        values["receiver_account_age"] = None
    for name in LIST_FEATURES:
        values[name] = name in facts.listed
    return values
