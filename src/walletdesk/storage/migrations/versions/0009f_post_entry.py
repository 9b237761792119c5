# ruff: noqa: E501 - the SQL reads better unwrapped
"""PostgreSQL: post one journal entry in one round trip

Revision ID: 0009f
Revises: 0008
Create Date: 2026-11-22

`wd_post_entry(e jsonb)` does what `ledger.posting.post_entry` did in five statements: lock the
entry's accounts in id order, write the entry, apply every account's change with the overdraft
guard, write the postings with each account's running balance and sequence, and queue the
entry's outbox event (prepared and encrypted by the caller). It returns one row per account it
could apply; an account missing from the result was refused (insufficient funds), and the
caller then raises, which rolls the whole transaction back: nothing it wrote survives.

Why: besides the round trips, it shortens how long the hot rows (a merchant's balance shards,
the points liability) stay locked. A payment now posts its entry as its last statement before
COMMIT, so a shard is locked for one statement and the commit instead of the rest of the
payment's work. SQLite keeps the Python path (one writer; nothing to gain).
"""

from __future__ import annotations

from alembic import op

revision = "0009f"
down_revision = "0008"
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION wd_post_entry(e jsonb)
RETURNS TABLE(account_id text, posted bigint, seq bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    at timestamptz := (e->>'at')::timestamptz;
    ids text[] := ARRAY(SELECT jsonb_array_elements_text(e->'ids'));
    deltas bigint[] := ARRAY(SELECT jsonb_array_elements_text(e->'deltas')::bigint);
    currencies text[] := ARRAY(SELECT jsonb_array_elements_text(e->'currencies'));
    applied integer;
BEGIN
    PERFORM 1 FROM ledger_accounts a WHERE a.id = ANY(ids) ORDER BY a.id FOR UPDATE;
    INSERT INTO journal_entries (id, kind, created_at, description, details, actor_id, reverses_entry_id)
    VALUES (e->>'id', e->>'kind', at, e->>'description', e->>'details', e->>'actor_id', NULL);
    RETURN QUERY
    WITH changed AS (
        UPDATE ledger_accounts a SET posted = a.posted + v.delta, seq = a.seq + 1
          FROM unnest(ids, deltas, currencies) AS v(id, delta, currency)
         WHERE a.id = v.id AND (a.allow_negative OR a.posted + v.delta - a.held >= 0)
        RETURNING a.id, a.posted, a.seq, v.delta, v.currency
    ), written AS (
        -- In account id order, as ledger.posting writes them.
        INSERT INTO postings (entry_id, account_id, amount, currency, account_seq, balance_after, created_at)
        SELECT e->>'id', c.id, c.delta, c.currency, c.seq, c.posted, at FROM changed c ORDER BY c.id
    )
    SELECT c.id::text, c.posted::bigint, c.seq::bigint FROM changed c;
    GET DIAGNOSTICS applied = ROW_COUNT;
    IF applied = cardinality(ids) THEN
        -- Exactly one outbox event per entry (its id derives from the entry's).
        INSERT INTO outbox (id, created_at, channel, user_id, destination_enc, locale, template,
                            subject_enc, body_enc, status, attempts, next_attempt_at)
        VALUES (e->>'event_id', at, 'event', NULL, NULL, 'en', e->>'event_kind',
                NULL, e->>'event_body', 'pending', 0, at);
    END IF;
END
$fn$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wd_post_entry(jsonb)")
