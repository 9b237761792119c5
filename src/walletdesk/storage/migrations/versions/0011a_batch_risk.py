# ruff: noqa: E501 - the SQL reads better unwrapped
"""PostgreSQL: the transfer engine stores each posted transfer's risk decision and history row

Revision ID: 0011a
Revises: 0010
Create Date: 2026-11-22

`wd_post_transfers` (migration 0005e) gains two optional fields per transfer, `decision` (a
`risk_decisions` row) and `risk_event` (a `risk_events` row, without its serial id), both
prepared by the caller like the outbox event. They are written only when the transfer posts,
in the same statement as the money: the group commit no longer sends two more multi-row
inserts (and waits for them) after the engine has run. Everything else in the function is
0005e's, unchanged.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0011a"
down_revision = "0010"
branch_labels = None
depends_on = None

_POSTED = "        code := 'ok';\n"
_RISK_ROWS = """        -- The risk engine's approval and the movement's history row, prepared by the caller,
        -- kept only with the money (a refused transfer leaves neither).
        IF item ? 'decision' THEN
            INSERT INTO risk_decisions
            SELECT * FROM jsonb_populate_record(NULL::risk_decisions, item->'decision');
        END IF;
        IF item ? 'risk_event' THEN
            INSERT INTO risk_events (movement_id, kind, outgoing, sender_id, receiver_id, device_id, ip,
                                     amount_minor, currency, amount_cny_minor, at)
            SELECT r.movement_id, r.kind, r.outgoing, r.sender_id, r.receiver_id, r.device_id, r.ip,
                   r.amount_minor, r.currency, r.amount_cny_minor, r.at
              FROM jsonb_populate_record(NULL::risk_events, item->'risk_event') r
            ON CONFLICT (movement_id) DO NOTHING;
        END IF;
"""


def _engine_0005e() -> str:
    """The function as migration 0005e created it (loaded from that file, so the two never
    drift apart)."""
    path = Path(__file__).with_name("0005e_transfer_engine.py")
    spec = importlib.util.spec_from_file_location("wd_migration_0005e", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: str = module.FUNCTION
    assert function.count(_POSTED) == 1, "0005e's function changed shape"
    return function


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_engine_0005e().replace(_POSTED, _RISK_ROWS + _POSTED))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_engine_0005e())
