"""The risk engine's reads of the past (`FactSource` on SQL), in few round trips.

All velocity aggregates of one assessment come from ONE statement: single-row aggregate
subqueries over `risk_events` joined on true, each one an index range scan
(`(sender_id, at)`, `(receiver_id, at)`, `(device_id, at)`, `(ip, at)`), plus index-only
min/max look-ups for first and last activity. Windows are ``now - w <= at <= now``, the same
as `risk.memory.MemoryStore` (a test holds the two to the same answers).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    func,
    or_,
    select,
    true,
)

from walletdesk.risk.history import (
    AVERAGE_WINDOW,
    FAN_OUT_WINDOW,
    HISTORY_FIELDS,
    WINDOWS,
    DeviceSeen,
    Facts,
    History,
    ListKind,
    ListProbe,
    Party,
    ip_key,
    similar_bounds,
)
from walletdesk.risk.models import Movement
from walletdesk.storage import tables as t
from walletdesk.storage.tables_merchants import merchants
from walletdesk.storage.tables_risk import risk_events, risk_list_entries, risk_snoozes
from walletdesk.storage.types import UTCDateTime

e = risk_events.c
_NONE = ""  # no id is empty, so "<> ''" excludes nothing
_AT = UTCDateTime()
_SPANS = {**WINDOWS, "8h": FAN_OUT_WINDOW, "90d": AVERAGE_WINDOW}
"""Every window start is a bound parameter ``t_<name>`` (= now - span)."""


def _since(name: str) -> Any:
    return e.at >= bindparam(f"t_{name}", type_=_AT)


def _counts(prefix: str, names: tuple[str, ...]) -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = []
    for name in names:
        recent = _since(name)
        columns.append(func.sum(case((recent, 1), else_=0)).label(f"{prefix}_count_{name}"))
        columns.append(
            func.sum(case((recent, e.amount_cny_minor), else_=0)).label(f"{prefix}_sum_{name}")
        )
    return columns


def _distinct(column: Any, window: str, other: ColumnElement[bool], label: str) -> Any:
    return func.count(distinct(case((and_(_since(window), other), column)))).label(label)


def _edge(aggregate: Any, column: Any, key: str, label: str) -> Any:
    """First or last activity of one party in one role: an index-only min/max."""
    found = select(aggregate(e.at)).where(
        column == bindparam(key), e.at <= bindparam("now", type_=_AT)
    )
    return found.scalar_subquery().label(label)


_WINDOW_NAMES = tuple(WINDOWS)


@cache
def _history_statement(has_receiver: bool, has_device: bool, has_ip: bool) -> Any:
    """One statement per shape, built once; every value is a bound parameter, so SQLAlchemy
    compiles it once and the driver can prepare it."""
    sender: Any = bindparam("sender")
    until_now = e.at <= bindparam("now", type_=_AT)
    other_receiver = e.receiver_id != bindparam("other_receiver")
    parts: list[FromClause] = [
        select(
            *_counts("sender_out", (*_WINDOW_NAMES, "90d")),
            _distinct(e.receiver_id, "8h", other_receiver, "sender_out_receivers_8h"),
            _distinct(e.receiver_id, "24h", other_receiver, "sender_out_receivers_24h"),
            func.max(e.at).label("sender_last_out_at"),
        )
        .where(e.sender_id == sender, e.outgoing.is_(True), _since("90d"), until_now)
        .subquery("sender_out"),
        select(
            func.count().label("sender_in_count_24h"),
            func.sum(e.amount_cny_minor).label("sender_in_sum_24h"),
            func.count(distinct(e.sender_id)).label("sender_in_senders_24h"),
        )
        .where(e.receiver_id == sender, _since("24h"), until_now)
        .subquery("sender_in"),
    ]
    scalars: list[Any] = [
        _edge(func.min, e.sender_id, "sender", "s_first_out"),
        _edge(func.min, e.receiver_id, "sender", "s_first_in"),
        _edge(func.max, e.sender_id, "sender", "s_last_out"),
        _edge(func.max, e.receiver_id, "sender", "s_last_in"),
    ]
    not_sender = e.sender_id != sender
    if has_receiver:
        receiver: Any = bindparam("receiver")
        similar = e.amount_cny_minor.between(bindparam("similar_low"), bindparam("similar_high"))
        parts.append(
            select(
                *_counts("receiver_in", _WINDOW_NAMES),
                _distinct(e.sender_id, "24h", not_sender, "receiver_in_senders_24h"),
                func.sum(case((and_(_since("24h"), similar), 1), else_=0)).label(
                    "receiver_similar_24h"
                ),
            )
            .where(e.receiver_id == receiver, _since("30d"), until_now)
            .subquery("receiver_in")
        )
        scalars += [
            exists()
            .where(e.sender_id == sender, e.receiver_id == receiver, until_now)
            .label("pair_seen"),
            _edge(func.min, e.receiver_id, "receiver", "r_first_in"),
            _edge(func.min, e.sender_id, "receiver", "r_first_out"),
        ]
    for prefix, column, present in (("device", e.device_id, has_device), ("ip", e.ip, has_ip)):
        if not present:
            continue
        parts.append(
            select(
                *_counts(prefix, _WINDOW_NAMES),
                _distinct(e.sender_id, "24h", not_sender, f"{prefix}_senders_24h"),
            )
            .where(column == bindparam(prefix), _since("30d"), until_now)
            .subquery(prefix)
        )
    joined: FromClause = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, true())
    return select(*parts, *scalars).select_from(joined)


def _history_parameters(movement: Movement, now: datetime) -> dict[str, Any]:
    low, high = similar_bounds(movement.amount_cny_minor)
    values: dict[str, Any] = {f"t_{name}": now - span for name, span in _SPANS.items()}
    values.update(
        now=now,
        sender=movement.sender_id,
        receiver=movement.receiver_id,
        other_receiver=movement.receiver_id or _NONE,
        device=movement.device_id,
        ip=movement.ip,
        similar_low=low,
        similar_high=high,
    )
    return values


u = t.users.c
_PARTIES = select(
    u.id, u.created_at, u.password_reset_at, u.contact_changed_at, u.phone_index
).where(u.id.in_(bindparam("ids", expanding=True)))
_MERCHANT_OPENED = select(merchants.c.created_at).where(merchants.c.id == bindparam("id"))
d = t.devices.c
_DEVICE = select(
    func.min(case((d.fingerprint == bindparam("fingerprint"), d.first_seen_at))),
    func.min(d.first_seen_at),
).where(d.user_id == bindparam("user"), d.first_seen_at <= bindparam("now", type_=_AT))
_l = risk_list_entries.c
_LISTED = select(_l.kind, _l.value).where(
    _l.removed_at.is_(None),
    or_(
        _l.value.in_(bindparam("values", expanding=True)),
        and_(
            _l.kind == ListKind.IP.value,
            _l.range_start <= bindparam("ip_key"),
            _l.range_end >= bindparam("ip_key"),
        ),
    ),
)
_s = risk_snoozes.c
_SNOOZED = select(_s.rule_id).where(
    _s.user_id == bindparam("user"),
    _s.lifted_at.is_(None),
    _s.until > bindparam("now", type_=_AT),
)


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


class RiskHistoryQueries:
    connection: Connection

    def history(self, movement: Movement, now: datetime) -> History:
        statement = _history_statement(
            movement.receiver_id is not None,
            movement.device_id is not None,
            movement.ip is not None,
        )
        row = self.connection.execute(statement, _history_parameters(movement, now)).one()._mapping
        values: dict[str, Any] = {}
        for name in HISTORY_FIELDS:
            if name in row:
                values[name] = row[name]
        for name, value in list(values.items()):
            if name.endswith("_at") or name == "pair_seen":
                continue
            values[name] = int(value or 0)
        values["sender_first_seen_at"] = _earliest(row["s_first_out"], row["s_first_in"])
        values["sender_last_seen_at"] = _latest(row["s_last_out"], row["s_last_in"])
        if movement.receiver_id is not None:
            values["pair_seen"] = bool(row["pair_seen"])
            values["receiver_first_seen_at"] = _earliest(row["r_first_in"], row["r_first_out"])
        return History(**values)

    def parties(self, movement: Movement) -> tuple[Party | None, Party | None]:
        wanted = [movement.sender_id] + ([movement.receiver_id] if movement.receiver_id else [])
        found = {
            row.id: Party(
                opened_at=row.created_at,
                password_reset_at=row.password_reset_at,
                contact_changed_at=row.contact_changed_at,
                phone_index=row.phone_index,
            )
            for row in self.connection.execute(_PARTIES, {"ids": wanted})
        }
        receiver = found.get(movement.receiver_id) if movement.receiver_id else None
        if movement.receiver_id and receiver is None:
            opened = self.connection.execute(
                _MERCHANT_OPENED, {"id": movement.receiver_id}
            ).scalar()
            receiver = Party(opened_at=opened) if opened is not None else None
        return found.get(movement.sender_id), receiver

    def device_seen(self, movement: Movement, now: datetime) -> DeviceSeen | None:
        if movement.device_id is None:
            return None
        this_one, earliest = self.connection.execute(
            _DEVICE, {"fingerprint": movement.device_id, "user": movement.sender_id, "now": now}
        ).one()
        if this_one is None:
            return DeviceSeen(first_seen_at=None, earlier_device=earliest is not None)
        return DeviceSeen(first_seen_at=this_one, earlier_device=earliest < this_one)

    def listed(self, probe: ListProbe) -> frozenset[str]:
        values = sorted({value for _kind, value in probe.pairs()})
        rows = self.connection.execute(_LISTED, {"values": values, "ip_key": probe.ip_key}).all()
        found = {(row.kind, row.value) for row in rows}
        return probe.hits(found, any(row.kind == ListKind.IP.value for row in rows))

    def facts(self, movement: Movement, now: datetime) -> Facts:
        sender, receiver = self.parties(movement)
        probe = ListProbe(
            sender_id=movement.sender_id,
            receiver_id=movement.receiver_id,
            device_id=movement.device_id,
            ip_key=ip_key(movement.ip),
            sender_phone=sender.phone_index if sender else None,
            receiver_phone=receiver.phone_index if receiver else None,
        )
        return Facts(
            history=self.history(movement, now),
            sender=sender,
            receiver=receiver,
            device=self.device_seen(movement, now),
            listed=self.listed(probe),
        )

    def snoozed_rules(self, user_id: str, now: datetime) -> frozenset[str]:
        rows = self.connection.execute(_SNOOZED, {"user": user_id, "now": now})
        return frozenset(row.rule_id for row in rows)
