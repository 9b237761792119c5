"""An in-memory history store with exactly the SQL store's semantics (see `history.py`).

Replay and the scenario backtests run on it; tests compare it with the SQL store on the same
history. Events are kept per sender, receiver, device and IP in time order, and every window is
a pair of binary searches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from walletdesk.risk.history import (
    AVERAGE_WINDOW,
    DAY,
    FAN_OUT_WINDOW,
    WINDOWS,
    DeviceSeen,
    Facts,
    History,
    ListKind,
    ListProbe,
    Party,
    ip_key,
    ip_range_keys,
    similar_bounds,
)
from walletdesk.risk.models import Movement

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    return (at - EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, slots=True)
class _Event:
    at: int
    amount: int
    sender: str
    receiver: str | None
    outgoing: bool


@dataclass
class _Series:
    """Events in time order with running sums, so a window's count and sum are two binary
    searches and a subtraction."""

    times: list[int] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    sums: list[int] = field(default_factory=lambda: [0])
    """sums[i] = total amount of events[:i]."""

    def add(self, event: _Event) -> None:
        if not self.times or event.at >= self.times[-1]:
            self.times.append(event.at)
            self.events.append(event)
            self.sums.append(self.sums[-1] + event.amount)
            return
        # Out of order (rare: replay and posting run in time order): rebuild the sums after it.
        index = bisect_right(self.times, event.at)
        self.times.insert(index, event.at)
        self.events.insert(index, event)
        del self.sums[index + 1 :]
        for later in self.events[index:]:
            self.sums.append(self.sums[-1] + later.amount)

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        return bisect_left(self.times, start), bisect_right(self.times, end)

    def count_and_sum(self, start: int, end: int) -> tuple[int, int]:
        low, high = self.bounds(start, end)
        return high - low, self.sums[high] - self.sums[low]

    def window(self, start: int, end: int) -> list[_Event]:
        low, high = self.bounds(start, end)
        return self.events[low:high]

    def first(self, end: int) -> int | None:
        return self.times[0] if self.times and self.times[0] <= end else None

    def last(self, end: int) -> int | None:
        index = bisect_right(self.times, end)
        return self.times[index - 1] if index else None


_EMPTY = _Series()
_SPANS = {name: span // _MICRO for name, span in WINDOWS.items()}


def _min(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _when(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


class MemoryStore:
    """Movements, parties, devices, lists and snoozes held in dictionaries."""

    def __init__(self) -> None:
        self._senders: dict[str, _Series] = {}
        self._outgoing: dict[str, _Series] = {}
        self._receivers: dict[str, _Series] = {}
        self._devices: dict[str, _Series] = {}
        self._ips: dict[str, _Series] = {}
        self._pairs: dict[tuple[str, str], int] = {}
        self._recorded: set[str] = set()
        self.parties: dict[str, Party] = {}
        self._known_devices: dict[str, dict[str, datetime]] = {}
        """user id -> device fingerprint -> first seen."""
        self._listed: set[tuple[str, str]] = set()
        self._ip_ranges: list[tuple[str, str]] = []
        self._snoozes: list[tuple[str, str, datetime]] = []

    # --- writing ---------------------------------------------------------------------------

    def record(self, movement: Movement) -> bool:
        """Add a posted movement; a movement id already recorded is ignored (False)."""
        if movement.id in self._recorded:
            return False
        self._recorded.add(movement.id)
        at = micros(movement.at)
        event = _Event(
            at,
            movement.amount_cny_minor,
            movement.sender_id,
            movement.receiver_id,
            movement.is_outgoing,
        )
        self._senders.setdefault(movement.sender_id, _Series()).add(event)
        if movement.is_outgoing:
            self._outgoing.setdefault(movement.sender_id, _Series()).add(event)
        if movement.receiver_id is not None:
            self._receivers.setdefault(movement.receiver_id, _Series()).add(event)
            pair = (movement.sender_id, movement.receiver_id)
            self._pairs[pair] = min(at, self._pairs.get(pair, at))
        if movement.device_id is not None:
            self._devices.setdefault(movement.device_id, _Series()).add(event)
        if movement.ip is not None:
            self._ips.setdefault(movement.ip, _Series()).add(event)
        return True

    def record_all(self, movements: Iterable[Movement]) -> None:
        for movement in movements:
            self.record(movement)

    def add_party(self, party_id: str, party: Party) -> None:
        self.parties[party_id] = party

    def add_device(self, user_id: str, fingerprint: str, first_seen_at: datetime) -> None:
        self._known_devices.setdefault(user_id, {})[fingerprint] = first_seen_at

    def block(self, kind: ListKind, value: str) -> None:
        if kind is ListKind.IP:
            self._ip_ranges.append(ip_range_keys(value))
        else:
            self._listed.add((kind.value, value))

    def snooze(self, user_id: str, rule_id: str, until: datetime) -> None:
        self._snoozes.append((user_id, rule_id, until))

    # --- reading (FactSource) --------------------------------------------------------------

    def snoozed_rules(self, user_id: str, now: datetime) -> frozenset[str]:
        return frozenset(
            rule for user, rule, until in self._snoozes if user == user_id and now < until
        )

    def facts(self, movement: Movement, now: datetime) -> Facts:
        sender = self._known(movement.sender_id, now)
        receiver = self._known(movement.receiver_id, now) if movement.receiver_id else None
        probe = ListProbe(
            sender_id=movement.sender_id,
            receiver_id=movement.receiver_id,
            device_id=movement.device_id,
            ip_key=ip_key(movement.ip),
            sender_phone=sender.phone_index if sender else None,
            receiver_phone=receiver.phone_index if receiver else None,
        )
        key = probe.ip_key
        ip_hit = key is not None and any(low <= key <= high for low, high in self._ip_ranges)
        return Facts(
            history=self.history(movement, now),
            sender=sender,
            receiver=receiver,
            device=self._device(movement, now),
            listed=probe.hits(self._listed, ip_hit),
            snoozed=self.snoozed_rules(movement.sender_id, now),
        )

    def _known(self, party_id: str | None, now: datetime) -> Party | None:
        """A party as known at `now`: security events later than `now` have not happened."""
        party = self.parties.get(party_id or "")
        if party is None:
            return None

        def seen(moment: datetime | None) -> datetime | None:
            return moment if moment is not None and moment <= now else None

        return Party(
            opened_at=seen(party.opened_at),
            password_reset_at=seen(party.password_reset_at),
            contact_changed_at=seen(party.contact_changed_at),
            phone_index=party.phone_index,
        )

    def _device(self, movement: Movement, now: datetime) -> DeviceSeen | None:
        if movement.device_id is None:
            return None
        known = self._known_devices.get(movement.sender_id, {})
        own = [first for first in known.values() if first <= now]
        first_seen = known.get(movement.device_id)
        if first_seen is not None and first_seen > now:
            first_seen = None
        earlier = any(first < first_seen for first in own) if first_seen else bool(own)
        return DeviceSeen(first_seen_at=first_seen, earlier_device=earlier)

    def history(self, movement: Movement, now: datetime) -> History:
        end = micros(now)
        sender, receiver = movement.sender_id, movement.receiver_id
        day_start = end - _DAY
        values: dict[str, object] = {}

        outgoing = self._outgoing.get(sender, _EMPTY)
        _windows(values, "sender_out", outgoing, end)
        last_day = outgoing.window(day_start, end)
        for name, start in (("8h", end - _FAN_OUT), ("24h", day_start)):
            values[f"sender_out_receivers_{name}"] = len(
                {
                    e.receiver
                    for e in last_day
                    if e.at >= start and e.receiver is not None and e.receiver != receiver
                }
            )
        last_out = outgoing.last(end)
        values["sender_last_out_at"] = _when(
            last_out if last_out is not None and last_out >= end - _AVERAGE else None
        )

        own_in = self._receivers.get(sender, _EMPTY)
        incoming = own_in.window(day_start, end)
        values["sender_in_count_24h"] = len(incoming)
        values["sender_in_sum_24h"] = sum(e.amount for e in incoming)
        values["sender_in_senders_24h"] = len({e.sender for e in incoming})
        own_any = self._senders.get(sender, _EMPTY)
        values["sender_first_seen_at"] = _when(_min(own_any.first(end), own_in.first(end)))
        values["sender_last_seen_at"] = _when(_max(own_any.last(end), own_in.last(end)))

        if receiver is not None:
            first_pair = self._pairs.get((sender, receiver))
            values["pair_seen"] = first_pair is not None and first_pair <= end
            theirs = self._receivers.get(receiver, _EMPTY)
            _windows(values, "receiver_in", theirs, end)
            to_receiver = theirs.window(day_start, end)
            values["receiver_in_senders_24h"] = len(
                {e.sender for e in to_receiver if e.sender != sender}
            )
            low, high = similar_bounds(movement.amount_cny_minor)
            values["receiver_similar_24h"] = sum(1 for e in to_receiver if low <= e.amount <= high)
            values["receiver_first_seen_at"] = _when(
                _min(theirs.first(end), self._senders.get(receiver, _EMPTY).first(end))
            )
        for prefix, series_by_key, key in (
            ("device", self._devices, movement.device_id),
            ("ip", self._ips, movement.ip),
        ):
            if key is None:
                continue
            series = series_by_key.get(key, _EMPTY)
            _windows(values, prefix, series, end)
            values[f"{prefix}_senders_24h"] = len(
                {e.sender for e in series.window(day_start, end) if e.sender != sender}
            )
        return History(**values)  # type: ignore[arg-type]


_DAY = DAY // _MICRO
_FAN_OUT = FAN_OUT_WINDOW // _MICRO
_AVERAGE = AVERAGE_WINDOW // _MICRO
_OUT_SPANS = {**_SPANS, "90d": _AVERAGE}


def _keys(prefix: str, spans: dict[str, int]) -> tuple[tuple[str, str, int], ...]:
    return tuple((f"{prefix}_count_{n}", f"{prefix}_sum_{n}", span) for n, span in spans.items())


_KEYS = {
    "sender_out": _keys("sender_out", _OUT_SPANS),
    **{prefix: _keys(prefix, _SPANS) for prefix in ("receiver_in", "device", "ip")},
}


def _windows(values: dict[str, object], prefix: str, series: _Series, end: int) -> None:
    times, sums = series.times, series.sums
    high = bisect_right(times, end)
    for count_key, sum_key, span in _KEYS[prefix]:
        low = bisect_left(times, end - span, 0, high)
        values[count_key] = high - low
        values[sum_key] = sums[high] - sums[low]
