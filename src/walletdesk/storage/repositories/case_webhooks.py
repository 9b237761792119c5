"""Storage of case-event webhook endpoints (`support.case_webhooks` reaches it through
`endpoints_repository`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from walletdesk.storage.tables_case_webhooks import support_case_webhooks as t
from walletdesk.support.case_webhook_models import CaseWebhook


class CaseWebhookRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, endpoint: CaseWebhook) -> None:
        self.connection.execute(
            insert(t).values(
                id=endpoint.id,
                url=endpoint.url,
                secret_enc=endpoint.secret_enc,
                kinds_json=json.dumps(sorted(endpoint.kinds)),
                active=endpoint.active,
                created_by=endpoint.created_by,
                created_at=endpoint.created_at,
                disabled_at=endpoint.disabled_at,
            )
        )

    def get(self, endpoint_id: str) -> CaseWebhook | None:
        row = self.connection.execute(select(t).where(t.c.id == endpoint_id)).first()
        return None if row is None else _endpoint(row)

    def all(self) -> list[CaseWebhook]:
        rows = self.connection.execute(select(t).order_by(t.c.created_at, t.c.id))
        return [_endpoint(row) for row in rows]

    def active(self) -> list[CaseWebhook]:
        rows = self.connection.execute(select(t).where(t.c.active.is_(True)).order_by(t.c.id))
        return [_endpoint(row) for row in rows]

    def disable(self, endpoint_id: str, at: datetime) -> bool:
        """False when there is no such endpoint."""
        result = self.connection.execute(
            update(t).where(t.c.id == endpoint_id).values(active=False, disabled_at=at)
        )
        return result.rowcount > 0


def _endpoint(row: Row[Any]) -> CaseWebhook:
    m = row._mapping
    return CaseWebhook(
        id=m["id"],
        url=m["url"],
        secret_enc=m["secret_enc"],
        kinds=frozenset(json.loads(m["kinds_json"])),
        active=bool(m["active"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        disabled_at=m["disabled_at"],
    )
