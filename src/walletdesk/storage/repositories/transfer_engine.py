"""The PostgreSQL transfer engine (`wd_post_transfers`, migration 0005e): one round trip finds
the parties of a batch, one more posts it. See `ledger.transfer_batches` for the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, text
from sqlalchemy.exc import OperationalError

from walletdesk.identity.models import User
from walletdesk.ledger.limits import Limit
from walletdesk.ledger.transfer_batches import DeadlockDetected
from walletdesk.risk.models import Decision, Movement
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.risk import decision_values, event_values
from walletdesk.storage.tables_agent_tools import limit_overrides

DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"

_POST = text("SELECT i, code, info FROM wd_post_transfers(CAST(:batch AS jsonb))")
_USER_COLUMNS = [column.name for column in t.users.columns]


def _json_row(values: dict[str, Any]) -> dict[str, Any]:
    """A row for `jsonb_populate_record`: datetimes as ISO 8601 with their offset."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


@dataclass
class Parties:
    """What a batch of transfers needs to know about the people in it (`parties`)."""

    users: dict[str, User] = field(default_factory=dict)
    """By user id and by phone/email blind index (what named them)."""
    wallets: dict[str, str] = field(default_factory=dict)
    """Wallet account ids by account code."""
    available: dict[str, int] = field(default_factory=dict)
    """Wallet available balances by account code."""
    raised: dict[str, Limit] = field(default_factory=dict)
    """Limit raises in force, by user id (`agent_tools.limit_overrides`)."""


class TransferEngineRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def parties(self, *, ids: list[str], login_indexes: list[str], at: datetime) -> Parties:
        """The users named by id or by a phone/email blind index, their wallet accounts with
        available balances and their limit raises in force at `at`, in one query. The
        balances are read without a lock: the risk engine's view of the sender, not what the
        posting checks."""
        u, a, o = t.users.c, t.ledger_accounts.c, limit_overrides.c
        conditions = []
        if ids:
            conditions.append(u.id.in_(ids))
        if login_indexes:
            conditions += [u.phone_index.in_(login_indexes), u.email_index.in_(login_indexes)]
        found = Parties()
        if not conditions:
            return found
        statement = (
            select(
                t.users,
                a.code.label("wallet_code"),
                a.id.label("wallet_id"),
                (a.posted - a.held).label("wallet_available"),
                o.per_transaction.label("raised_per_transaction"),
                o.per_day.label("raised_per_day"),
                o.per_year.label("raised_per_year"),
            )
            .outerjoin(t.ledger_accounts, and_(a.owner_id == u.id, a.kind == "wallet"))
            .outerjoin(limit_overrides, and_(o.user_id == u.id, o.expires_at > at))
            .where(or_(*conditions))
        )
        for row in self.connection.execute(statement):
            values = row._mapping
            user = found.users.get(values["id"]) or User(
                **{name: values[name] for name in _USER_COLUMNS}
            )
            found.users[user.id] = user
            for index in (user.phone_index, user.email_index):
                if index is not None:
                    found.users[index] = user
            if values["wallet_code"] is not None:
                found.wallets[values["wallet_code"]] = values["wallet_id"]
                found.available[values["wallet_code"]] = int(values["wallet_available"])
            if values["raised_per_transaction"] is not None:
                found.raised[user.id] = Limit(
                    int(values["raised_per_transaction"]),
                    int(values["raised_per_day"]),
                    int(values["raised_per_year"]),
                )
        return found

    def post(
        self,
        items: list[dict[str, object]],
        risk: Mapping[int, tuple[Decision, Movement]] | None = None,
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """Apply the transfers in order; one row per transfer: (index, "ok" or the refusal
        code, balances or what the refusal message needs). `risk` holds, by item index, the
        engine's approval and the movement, which are stored only if that transfer posts."""
        for item in items:
            approval = (risk or {}).get(int(str(item["i"])))
            if approval is not None:
                decision, movement = approval
                item["decision"] = _json_row(decision_values(decision))
                item["risk_event"] = _json_row(event_values(movement))
        try:
            rows = self.connection.execute(_POST, {"batch": json.dumps(items)}).all()
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) in (DEADLOCK, SERIALIZATION_FAILURE):
                raise DeadlockDetected() from exc
            raise
        return [(int(row.i), str(row.code), dict(row.info or {})) for row in rows]
