"""The risk engine's reads (`FactSource` on SQL): one statement per assessment.

One SELECT for everything about the movement's past and its parties: single-row aggregate
subqueries over `risk_events` joined on true (each a range of one covering index, so only index
pages are read), index-only min/max look-ups for first and last activity, the two parties'
`users` rows and the merchant (left joins), the device's first use, the block-list hits, the
customer's live snoozes and the head of the stored rule sets. One round trip, however many rules.

Statements are built once per shape with every value a bound parameter, compiled once per
dialect and run on the driver (`risk_facts_select`: prepared on PostgreSQL, inside a savepoint
sent with it). Windows are ``now - w <= at <= now``, the same as `risk.memory.MemoryStore` (a
test holds the two to the same answers).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    literal_column,
    or_,
    select,
    true,
)

from walletdesk.risk.history import (
    AVERAGE_WINDOW,
    DAY,
    FAN_OUT_WINDOW,
    WINDOWS,
    Facts,
    History,
    ListKind,
    ip_key,
    similar_bounds,
)
from walletdesk.risk.models import Movement
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.risk_facts_rows import facts_of, history_of
from walletdesk.storage.repositories.risk_facts_select import (
    DriverSelect,
    compile_select,
    fetch_many,
    fetch_one,
)
from walletdesk.storage.tables_merchants import merchants
from walletdesk.storage.tables_risk import (
    risk_events,
    risk_list_entries,
    risk_rule_sets,
    risk_snoozes,
)
from walletdesk.storage.types import UTCDateTime

e = risk_events.c
_NONE = ""  # no id is empty, so "<> ''" excludes nothing
_AT = UTCDateTime()
_SPANS = {**WINDOWS, "8h": FAN_OUT_WINDOW, "90d": AVERAGE_WINDOW}
"""Every window start is a bound parameter ``t_<name>`` (= now - span)."""
_WINDOW_NAMES = tuple(WINDOWS)
_MONTH = "30d"
_DAY_WINDOW_NAMES = tuple(name for name in WINDOWS if name != _MONTH)
"""The windows a receiver's, device's or IP's 24-hour range answers (`_party_windows`)."""
assert WINDOWS[_MONTH] == max(WINDOWS.values()) and WINDOWS[_DAY_WINDOW_NAMES[-1]] == DAY
# Constants are written into the SQL rather than bound: fewer parameters to build and send on
# every execution (the statement has dozens of CASE branches).
_ONE: Any = literal_column("1")
_ZERO: Any = literal_column("0")
_COMMA: Any = literal_column("','")


def _text(kind: ListKind) -> Any:
    return literal_column(f"'{kind.value}'")  # a fixed enum value, never user input


def _now() -> Any:
    return bindparam("now", type_=_AT)


def _since(name: str) -> Any:
    return e.at >= bindparam(f"t_{name}", type_=_AT)


def _counts(prefix: str, names: tuple[str, ...]) -> list[ColumnElement[Any]]:
    columns: list[ColumnElement[Any]] = []
    for name in names:
        recent = _since(name)
        columns.append(func.sum(case((recent, _ONE), else_=_ZERO)).label(f"{prefix}_count_{name}"))
        columns.append(
            func.sum(case((recent, e.amount_cny_minor), else_=_ZERO)).label(f"{prefix}_sum_{name}")
        )
    return columns


def _distinct(column: Any, window: str, other: ColumnElement[bool], label: str) -> Any:
    return func.count(distinct(case((and_(_since(window), other), column)))).label(label)


def _edge(aggregate: Any, column: Any, key: str, label: str) -> Any:
    """First or last activity of one party in one role: an index-only min/max."""
    found = select(aggregate(e.at)).where(column == bindparam(key), e.at <= _now())
    return found.scalar_subquery().label(label)


def _party(prefix: str) -> tuple[FromClause, list[Any]]:
    """A party's users row (left-joined on its key: none for a merchant or a stranger) and the
    columns the engine reads from it."""
    user = t.users.alias(f"{prefix}_user")
    return user, [
        user.c.created_at.label(f"{prefix}_opened"),
        user.c.password_reset_at.label(f"{prefix}_reset"),
        user.c.contact_changed_at.label(f"{prefix}_contact"),
        user.c.phone_index.label(f"{prefix}_phone"),
    ]


def _listed(kind: ListKind, value: Any, label: str) -> Any:
    entry = risk_list_entries.c
    return (
        exists()
        .where(entry.kind == _text(kind), entry.value == value, entry.removed_at.is_(None))
        .label(label)
    )


def _listed_and_snoozed(has_receiver: bool, has_device: bool, phones: list[Any]) -> list[Any]:
    """Block-list hits as booleans, and the sender's live snoozes as one comma-joined text
    (rule ids never contain commas). `phones`: the parties' phone index columns."""
    entry, snooze = risk_list_entries.c, risk_snoozes.c
    sender: Any = bindparam("sender")
    columns = [_listed(ListKind.ACCOUNT, sender, "sender_listed")]
    if has_receiver:
        receiver: Any = bindparam("receiver")
        columns += [
            _listed(ListKind.ACCOUNT, receiver, "receiver_listed"),
            _listed(ListKind.PAYEE, receiver, "payee_listed"),
        ]
    if has_device:
        columns.append(_listed(ListKind.DEVICE, bindparam("device"), "device_listed"))
    live = entry.removed_at.is_(None)
    key: Any = bindparam("ip_key")
    columns += [
        exists()
        .where(entry.kind == _text(ListKind.PHONE), or_(*(entry.value == p for p in phones)), live)
        .label("phone_listed"),
        exists()
        .where(
            entry.kind == _text(ListKind.IP), entry.range_start <= key, entry.range_end >= key, live
        )
        .label("ip_listed"),
        select(func.aggregate_strings(snooze.rule_id, _COMMA))
        .where(snooze.user_id == sender, snooze.lifted_at.is_(None), snooze.until > _now())
        .scalar_subquery()
        .label("snoozed"),
    ]
    return columns


def _party_windows(prefix: str, party: ColumnElement[bool], *day: Any) -> list[FromClause]:
    """A receiver's, device's or IP's windows as two ranges of its covering index: the 30 days
    with a plain count and sum, and the last 24 hours with the shorter windows and `day` (more
    aggregates over the 24 hours). A busy merchant's month is thousands of index entries; this
    way each of them costs an addition, not a dozen CASE branches."""
    until_now = e.at <= _now()
    return [
        select(
            func.count().label(f"{prefix}_count_{_MONTH}"),
            func.sum(e.amount_cny_minor).label(f"{prefix}_sum_{_MONTH}"),
        )
        .where(party, _since(_MONTH), until_now)
        .subquery(f"{prefix}_{_MONTH}"),
        select(*_counts(prefix, _DAY_WINDOW_NAMES), *day)
        .where(party, _since("24h"), until_now)
        .subquery(prefix),
    ]


@cache
def _facts_statement(has_receiver: bool, has_device: bool, has_ip: bool) -> Any:
    """One statement per shape, built once."""
    sender: Any = bindparam("sender")
    until_now = e.at <= _now()
    other_receiver = e.receiver_id != bindparam("other_receiver")
    parts: list[FromClause] = [
        select(
            *_counts("sender_out", (*_WINDOW_NAMES, "90d")),
            _distinct(e.receiver_id, "8h", other_receiver, "sender_out_receivers_8h"),
            _distinct(e.receiver_id, "24h", other_receiver, "sender_out_receivers_24h"),
            func.max(e.at).label("sender_last_out_at"),
        )
        .where(e.sender_id == sender, _since("90d"), until_now, e.outgoing.is_(True))
        .subquery("sender_out"),
        select(
            func.count().label("sender_in_count_24h"),
            func.sum(e.amount_cny_minor).label("sender_in_sum_24h"),
            func.count(distinct(e.sender_id)).label("sender_in_senders_24h"),
        )
        .where(e.receiver_id == sender, _since("24h"), until_now)
        .subquery("sender_in"),
    ]
    rule_sets = risk_rule_sets.c
    head = (
        select(rule_sets.version.label("rules_version"), rule_sets.sha256.label("rules_sha256"))
        .order_by(rule_sets.version.desc())
        .limit(1)
        .subquery("rules_head")
    )
    sender_user, columns = _party("s")
    # Left-joined one-row sources: (from clause, join condition).
    looked_up: list[tuple[FromClause, ColumnElement[bool]]] = [
        (sender_user, sender_user.c.id == sender),
        (head, true()),
    ]
    columns += [head.c.rules_version, head.c.rules_sha256]
    phones = [sender_user.c.phone_index]
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
        parts += _party_windows(
            "receiver_in",
            e.receiver_id == receiver,
            _distinct(e.sender_id, "24h", not_sender, "receiver_in_senders_24h"),
            func.sum(case((similar, _ONE), else_=_ZERO)).label("receiver_similar_24h"),
        )
        receiver_user, receiver_columns = _party("r")
        merchant = merchants.alias("r_merchant")
        looked_up += [
            (receiver_user, receiver_user.c.id == receiver),
            (merchant, merchant.c.id == receiver),
        ]
        columns += [*receiver_columns, merchant.c.created_at.label("r_merchant_opened")]
        phones.append(receiver_user.c.phone_index)
        scalars += [
            exists()
            .where(e.sender_id == sender, e.receiver_id == receiver, until_now)
            .label("pair_seen"),
            _edge(func.min, e.receiver_id, "receiver", "r_first_in"),
            _edge(func.min, e.sender_id, "receiver", "r_first_out"),
        ]
    scalars += _listed_and_snoozed(has_receiver, has_device, phones)
    if has_device:
        d = t.devices.c
        this_device = case((d.fingerprint == bindparam("device"), d.first_seen_at))
        parts.append(
            select(
                func.min(this_device).label("device_first_seen"),
                func.min(d.first_seen_at).label("devices_first"),
            )
            .where(d.user_id == sender, d.first_seen_at <= _now())
            .subquery("devices_seen")
        )
    for prefix, column, present in (("device", e.device_id, has_device), ("ip", e.ip, has_ip)):
        if present:
            parts += _party_windows(
                prefix,
                column == bindparam(prefix),
                _distinct(e.sender_id, "24h", not_sender, f"{prefix}_senders_24h"),
            )
    joined: FromClause = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, true())
    for source, condition in looked_up:
        joined = joined.outerjoin(source, condition)
    return select(*parts, *columns, *scalars).select_from(joined)


def _parameters(movement: Movement, now: datetime) -> dict[str, Any]:
    low, high = similar_bounds(movement.amount_cny_minor)
    values: dict[str, Any] = {f"t_{name}": now - span for name, span in _SPANS.items()}
    values.update(
        now=now,
        sender=movement.sender_id,
        receiver=movement.receiver_id,
        other_receiver=movement.receiver_id or _NONE,
        device=movement.device_id,
        ip=movement.ip,
        ip_key=ip_key(movement.ip),
        similar_low=low,
        similar_high=high,
    )
    return values


_compiled: dict[tuple[str, bool, bool, bool], DriverSelect] = {}


class RiskHistoryQueries:
    connection: Connection

    def _select(self, movement: Movement) -> DriverSelect:
        shape = (
            movement.receiver_id is not None,
            movement.device_id is not None,
            movement.ip is not None,
        )
        key = (self.connection.dialect.name, *shape)
        compiled = _compiled.get(key)
        if compiled is None:
            compiled = _compiled[key] = compile_select(_facts_statement(*shape), self.connection)
        return compiled

    def _row(self, movement: Movement, now: datetime) -> dict[str, Any]:
        return fetch_one(self.connection, self._select(movement), _parameters(movement, now))

    @contextmanager
    def isolated(self) -> Iterator[None]:
        """Run a block that may fail without spoiling the caller's transaction: an error inside
        rolls back to a savepoint. Without a transaction (autocommit) there is nothing to
        spoil, and PostgreSQL refuses a SAVEPOINT there, so none is taken."""
        if self.connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            yield
            return
        with self.connection.begin_nested():
            yield

    def history(self, movement: Movement, now: datetime) -> History:
        return history_of(self._row(movement, now), movement.receiver_id is not None)

    def facts(self, movement: Movement, now: datetime) -> Facts:
        """Everything one assessment reads, in one round trip. A failure leaves the caller's
        transaction usable (`risk_facts_select`)."""
        return facts_of(self._row(movement, now), movement)

    def facts_many(self, movements: list[Movement], now: datetime) -> list[Facts]:
        """`facts` for a group-commit batch: on PostgreSQL every movement's SELECT in one
        pipeline, so one round trip for the whole batch; a failure fails them all."""
        jobs = [(self._select(m), _parameters(m, now)) for m in movements]
        rows = fetch_many(self.connection, jobs)
        return [facts_of(row, m) for row, m in zip(rows, movements, strict=True)]
