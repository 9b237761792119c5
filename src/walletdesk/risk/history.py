"""What the feature code asks of the past, and the one interface both stores answer.

A `FactSource` (the SQL repository `uow.risk`, or `risk.memory.MemoryStore` for replay and
tests) looks up, for one movement at one instant, the raw aggregates in `History`, the two
parties, the device and the list hits. `features.compute_features` turns those into the named
features rules use, so both stores share the feature code and differ only in where the rows
live.

Window semantics, the same in both stores: an event belongs to the window of length `w` when
``now - w <= at <= now`` (both ends inclusive). History never contains the movement being
assessed: it is recorded only after it posts (`engine.record_movement`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from walletdesk.risk.models import Movement

WINDOWS: dict[str, timedelta] = {
    "5m": timedelta(minutes=5),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "30d": timedelta(days=30),
}
"""The sliding windows of the per-sender, per-receiver, per-device and per-IP counts and sums."""
FAN_OUT_WINDOW = timedelta(hours=8)
DAY = timedelta(hours=24)
AVERAGE_WINDOW = timedelta(days=90)
SIMILAR_BAND_DIVISOR = 10
"""Two amounts are similar when they differ by at most a tenth of the current one."""


def similar_bounds(amount: int) -> tuple[int, int]:
    """Integer bounds of "within 10 % of `amount`": |x - a| * 10 <= a, exactly."""
    slack = amount // SIMILAR_BAND_DIVISOR
    return amount - slack, amount + slack


@dataclass(frozen=True)
class History:
    """Aggregates over earlier movements (never the one being assessed). Sums are CNY fen.

    `*_receivers_*` / `*_senders_*` count distinct counterparties other than the current one,
    so adding the current movement is `+ 1`.
    """

    sender_out_count_5m: int = 0
    sender_out_count_1h: int = 0
    sender_out_count_24h: int = 0
    sender_out_count_30d: int = 0
    sender_out_count_90d: int = 0
    sender_out_sum_5m: int = 0
    sender_out_sum_1h: int = 0
    sender_out_sum_24h: int = 0
    sender_out_sum_30d: int = 0
    sender_out_sum_90d: int = 0
    sender_out_receivers_8h: int = 0
    sender_out_receivers_24h: int = 0
    sender_last_out_at: datetime | None = None
    """The sender's latest outgoing movement within 90 days."""
    sender_in_count_24h: int = 0
    sender_in_sum_24h: int = 0
    sender_in_senders_24h: int = 0
    sender_first_seen_at: datetime | None = None
    sender_last_seen_at: datetime | None = None
    """Latest movement of the sender's in either direction, any kind, ever."""
    pair_seen: bool = False
    """The sender has moved money to this receiver before."""
    receiver_in_count_5m: int = 0
    receiver_in_count_1h: int = 0
    receiver_in_count_24h: int = 0
    receiver_in_count_30d: int = 0
    receiver_in_sum_5m: int = 0
    receiver_in_sum_1h: int = 0
    receiver_in_sum_24h: int = 0
    receiver_in_sum_30d: int = 0
    receiver_in_senders_24h: int = 0
    receiver_similar_24h: int = 0
    receiver_first_seen_at: datetime | None = None
    device_count_5m: int = 0
    device_count_1h: int = 0
    device_count_24h: int = 0
    device_count_30d: int = 0
    device_sum_5m: int = 0
    device_sum_1h: int = 0
    device_sum_24h: int = 0
    device_sum_30d: int = 0
    device_senders_24h: int = 0
    ip_count_5m: int = 0
    ip_count_1h: int = 0
    ip_count_24h: int = 0
    ip_count_30d: int = 0
    ip_sum_5m: int = 0
    ip_sum_1h: int = 0
    ip_sum_24h: int = 0
    ip_sum_30d: int = 0
    ip_senders_24h: int = 0


HISTORY_FIELDS = tuple(f.name for f in fields(History))


@dataclass(frozen=True)
class Party:
    """What the engine knows of a sender or receiver outside the movements themselves."""

    opened_at: datetime | None = None
    password_reset_at: datetime | None = None
    contact_changed_at: datetime | None = None
    phone_index: str | None = None


@dataclass(frozen=True)
class DeviceSeen:
    """The movement's device as the sender's account knows it."""

    first_seen_at: datetime | None
    """When this account first used the device; None when it never has."""
    earlier_device: bool
    """The account used another device before this one (so this one is "new")."""


class ListKind(StrEnum):
    ACCOUNT = "account"
    """A wallet or merchant id; hits as sender or as receiver."""
    PAYEE = "payee"
    """A receiving id (wallet, merchant, card) known to collect for scams."""
    DEVICE = "device"
    """A device fingerprint."""
    PHONE = "phone"
    """A phone number (kept as its blind index), of the sender or the receiver."""
    IP = "ip"
    """An IP address or range (CIDR), IPv4 or IPv6."""


LIST_FEATURES = (
    "sender_listed",
    "receiver_listed",
    "payee_listed",
    "device_listed",
    "phone_listed",
    "ip_listed",
)


@dataclass(frozen=True)
class ListProbe:
    """The values of one movement that the block lists are checked against."""

    sender_id: str
    receiver_id: str | None
    device_id: str | None
    ip_key: str | None
    sender_phone: str | None
    receiver_phone: str | None

    def hits(self, listed: set[tuple[str, str]], ip_listed: bool) -> frozenset[str]:
        """The list features that fire, given the (kind, value) pairs found on the lists."""
        found = set()
        if (ListKind.ACCOUNT.value, self.sender_id) in listed:
            found.add("sender_listed")
        if self.receiver_id is not None:
            if (ListKind.ACCOUNT.value, self.receiver_id) in listed:
                found.add("receiver_listed")
            if (ListKind.PAYEE.value, self.receiver_id) in listed:
                found.add("payee_listed")
        if self.device_id is not None and (ListKind.DEVICE.value, self.device_id) in listed:
            found.add("device_listed")
        if any((ListKind.PHONE.value, phone) in listed for phone in self.phones()):
            found.add("phone_listed")
        if ip_listed:
            found.add("ip_listed")
        return frozenset(found)

    def phones(self) -> list[str]:
        return [p for p in (self.sender_phone, self.receiver_phone) if p is not None]


def ip_key(text: str | None) -> str | None:
    """An address as 32 hex digits (IPv4 mapped into IPv6), so ranges compare as text; None
    for a missing or malformed address."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return _key(address)


def ip_range_keys(text: str) -> tuple[str, str]:
    """The first and last address of a network ("10.1.0.0/16", or one address) as keys.
    Raises ValueError for a malformed one."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    return _key(network[0]), _key(network[-1])


def _key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    number = int(address)
    if address.version == 4:
        number |= 0xFFFF << 32  # ::ffff:a.b.c.d
    return f"{number:032x}"


@dataclass(frozen=True)
class Facts:
    """Everything one assessment reads from storage."""

    history: History
    sender: Party | None
    receiver: Party | None
    device: DeviceSeen | None
    listed: frozenset[str]
    """The list features that fire (`LIST_FEATURES`)."""
    snoozed: frozenset[str] = frozenset()
    """Rules snoozed for the sender at `now`."""
    rule_set_head: tuple[int, str] | None = None
    """(version, sha256) of the latest stored rule set, for a store that keeps them; None
    means the packaged default (or, for replay, whatever rules the caller brings)."""


class FactSource(Protocol):
    """Where the engine reads the past: `uow.risk` or a `MemoryStore`."""

    def facts(self, movement: Movement, now: datetime) -> Facts: ...
