"""PostgreSQL: a payment order's link to its journal entry is checked at commit

Revision ID: 0011g
Revises: 0010
Create Date: 2026-11-22

`merchants.payments.pay` names the payment's entry before posting it. With the foreign key
`payment_orders.entry_id → journal_entries.id` checked at commit (DEFERRABLE INITIALLY
DEFERRED) the order is claimed and recorded as paid by that entry in the claim's own
statement, and the entry posts last: one round trip fewer per payment, and the hot rows the
entry locks (a merchant shard, the points liability) are held only by the last statement and
the commit. A transaction that names an entry and never posts it still fails at commit.

PostgreSQL alters the constraint in place; SQLite rebuilds the table (batch mode), as 0005a
did to add its foreign keys.
"""

from __future__ import annotations

from alembic import op

revision = "0011g"
down_revision = "0010"
branch_labels = None
depends_on = None

_CONSTRAINT = "fk_payment_orders_entry_id_journal_entries"


def _link(*, deferred: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        when = "DEFERRABLE INITIALLY DEFERRED" if deferred else "NOT DEFERRABLE"
        op.execute(f"ALTER TABLE payment_orders ALTER CONSTRAINT {_CONSTRAINT} {when}")
        return
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_constraint(_CONSTRAINT, type_="foreignkey")
        batch.create_foreign_key(
            _CONSTRAINT,
            "journal_entries",
            ["entry_id"],
            ["id"],
            deferrable=True if deferred else None,
            initially="DEFERRED" if deferred else None,
        )


def upgrade() -> None:
    _link(deferred=True)


def downgrade() -> None:
    _link(deferred=False)
