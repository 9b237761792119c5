"""The PostgreSQL transfer engine (`wd_post_transfers`, migration 0005e): one round trip finds
the parties of a batch, one more posts it. See `ledger.transfer_batches` for the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, text
from sqlalchemy.exc import OperationalError

from walletdesk.identity.models import User
from walletdesk.ledger.transfer_batches import DeadlockDetected
from walletdesk.risk.models import Decision, Movement
from walletdesk.storage import tables as t
from walletdesk.storage.repositories.risk import decision_values, event_values

DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"

_POST = text("SELECT i, code, info FROM wd_post_transfers(CAST(:batch AS jsonb))")
_USER_COLUMNS = [column.name for column in t.users.columns]


def _json_row(values: dict[str, Any]) -> dict[str, Any]:
    """A row for `jsonb_populate_record`: datetimes as ISO 8601 with their offset."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


class TransferEngineRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def parties(
        self, *, ids: list[str], login_indexes: list[str]
    ) -> tuple[dict[str, User], dict[str, str], dict[str, int]]:
        """The users named by id or by a phone/email blind index (keyed by what named them),
        the ids of their wallet accounts and those accounts' available balances (both keyed
        by account code), in one query. The balances are read without a lock: the risk
        engine's view of the sender, not what the posting checks."""
        u, a = t.users.c, t.ledger_accounts.c
        conditions = []
        if ids:
            conditions.append(u.id.in_(ids))
        if login_indexes:
            conditions += [u.phone_index.in_(login_indexes), u.email_index.in_(login_indexes)]
        if not conditions:
            return {}, {}, {}
        statement = (
            select(
                t.users,
                a.code.label("wallet_code"),
                a.id.label("wallet_id"),
                (a.posted - a.held).label("wallet_available"),
            )
            .outerjoin(t.ledger_accounts, and_(a.owner_id == u.id, a.kind == "wallet"))
            .where(or_(*conditions))
        )
        users: dict[str, User] = {}
        wallets: dict[str, str] = {}
        available: dict[str, int] = {}
        for row in self.connection.execute(statement):
            values = row._mapping
            user = users.get(values["id"]) or User(**{name: values[name] for name in _USER_COLUMNS})
            users[user.id] = user
            for index in (user.phone_index, user.email_index):
                if index is not None:
                    users[index] = user
            if values["wallet_code"] is not None:
                wallets[values["wallet_code"]] = values["wallet_id"]
                available[values["wallet_code"]] = int(values["wallet_available"])
        return users, wallets, available

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
