# ruff: noqa: E501 - the SQL reads better unwrapped
"""PostgreSQL: post a batch of P2P transfers in one round trip

Revision ID: 0005e
Revises: 0004
Create Date: 2026-11-22

`wd_post_transfers(batch jsonb)` applies each transfer of the batch in order, inside the caller's
transaction, with the same checks and in the same lock order as the Python path
(`ledger.transfers`, `ledger.guards`, `ledger.limits`, `ledger.posting`): share-lock the payer
and refuse a frozen wallet or a large amount soon after a security change; count the limits with
guarded upserts; lock both wallet accounts in id order; refuse an overdraft; write the entry and
its postings with each account's running balance and sequence. Each transfer succeeds or fails on
its own (a refused one undoes the limit usage it counted), and the function returns one row per
transfer: `ok` with the balances, or the refusal code with what the message needs. A posted
transfer also gets its outbox event and the payee's in-app notice, which the caller prepared
(rendered and encrypted) because it knows the wallet account ids in advance; `stale_account`
means a wallet it expected to create was created meanwhile, and it must look again.

The caller resolves the recipient, builds the entry's details and passes everything the rules
depend on (amounts counted against limits, caps by KYC tier, periods, the security window), so
the rules stay in Python and this function only applies them where the rows are locked. SQLite
has no such function: its single writer runs the Python path.
"""

from __future__ import annotations

from alembic import op

revision = "0005e"
down_revision = "0004"
branch_labels = None
depends_on = None

FUNCTION = r"""
-- Take back a refused transfer's limit usage, as a rollback would (used and count).
CREATE OR REPLACE FUNCTION wd_undo_limits(subject text, item jsonb, counted bigint,
                                          day_counted boolean, year_counted boolean)
RETURNS void LANGUAGE sql AS $fn$
    UPDATE limit_usage SET used = used - counted, count = count - 1
     WHERE subject_id = subject
       AND ((day_counted AND period = 'day' AND period_start = item->>'day')
         OR (year_counted AND period = 'year' AND period_start = item->>'year'));
$fn$;

CREATE OR REPLACE FUNCTION wd_post_transfers(batch jsonb)
RETURNS TABLE (i integer, code text, info jsonb)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    item jsonb;
    at timestamptz;
    payer_id text;
    v_amount bigint;
    v_currency text;
    counted bigint;
    caps jsonb;
    cap bigint;
    used_now bigint;
    day_counted boolean;
    year_counted boolean;
    payer record;
    recent timestamptz;
    source_code text;
    target_code text;
    source record;
    target record;
    source_after record;
    target_after record;
BEGIN
    -- Every row lock the batch needs, taken first and in one global order (payers, then limit
    -- counters, then wallet accounts by id), the order the Python path takes them in too: two
    -- batches in flight at once queue behind each other instead of deadlocking.
    PERFORM 1 FROM users u
     WHERE u.id IN (SELECT b->>'payer' FROM jsonb_array_elements(batch) b)
     ORDER BY u.id FOR SHARE;
    INSERT INTO limit_usage (subject_id, period, period_start, used, count)
    SELECT DISTINCT k.subject_id, k.period, k.period_start, 0::bigint, 0 FROM (
        SELECT b->>'payer' AS subject_id, 'day' AS period, b->>'day' AS period_start
          FROM jsonb_array_elements(batch) b WHERE b ? 'counted'
        UNION
        SELECT b->>'payer', 'year', b->>'year' FROM jsonb_array_elements(batch) b WHERE b ? 'counted'
    ) k ORDER BY 1, 2, 3
    ON CONFLICT (subject_id, period, period_start) DO NOTHING;
    PERFORM 1 FROM limit_usage l
     WHERE (l.subject_id, l.period, l.period_start) IN (
        SELECT b->>'payer', 'day', b->>'day' FROM jsonb_array_elements(batch) b WHERE b ? 'counted'
        UNION
        SELECT b->>'payer', 'year', b->>'year' FROM jsonb_array_elements(batch) b WHERE b ? 'counted')
     ORDER BY l.subject_id, l.period, l.period_start FOR UPDATE;
    INSERT INTO ledger_accounts (id, code, kind, owner_id, currency, allow_negative, posted, held, seq, created_at)
    SELECT DISTINCT ON (w.code) w.id, w.code, 'wallet', w.owner_id, w.currency, false, 0, 0, 0, w.at FROM (
        SELECT b->>'source_id' AS id, 'wallet:' || (b->>'payer') || ':' || (b->>'currency') AS code,
               b->>'payer' AS owner_id, b->>'currency' AS currency, (b->>'at')::timestamptz AS at
          FROM jsonb_array_elements(batch) b
        UNION ALL
        SELECT b->>'target_id', 'wallet:' || (b->>'payee') || ':' || (b->>'currency'),
               b->>'payee', b->>'currency', (b->>'at')::timestamptz
          FROM jsonb_array_elements(batch) b
    ) w ORDER BY w.code
    ON CONFLICT (code) DO NOTHING;
    PERFORM 1 FROM ledger_accounts a
     WHERE a.code IN (
        SELECT 'wallet:' || (b->>'payer') || ':' || (b->>'currency') FROM jsonb_array_elements(batch) b
        UNION
        SELECT 'wallet:' || (b->>'payee') || ':' || (b->>'currency') FROM jsonb_array_elements(batch) b)
     ORDER BY a.id FOR UPDATE;

    FOR item IN SELECT value FROM jsonb_array_elements(batch) LOOP
        i := (item->>'i')::integer;
        at := (item->>'at')::timestamptz;
        payer_id := item->>'payer';
        v_amount := (item->>'amount')::bigint;
        v_currency := item->>'currency';
        info := NULL;

        SELECT u.frozen_at, u.kyc_tier, u.password_reset_at, u.contact_changed_at
          INTO payer FROM users u WHERE u.id = payer_id FOR SHARE;
        IF NOT FOUND THEN
            code := 'user_not_found'; RETURN NEXT; CONTINUE;
        END IF;
        IF payer.frozen_at IS NOT NULL THEN
            code := 'wallet_frozen'; RETURN NEXT; CONTINUE;
        END IF;

        -- Large amounts soon after a password reset or contact change (ledger.guards).
        IF item ? 'recent_amount' THEN
            SELECT max(m) INTO recent FROM (VALUES (payer.password_reset_at),
                                                   (payer.contact_changed_at)) AS v(m)
             WHERE m IS NOT NULL AND at - m < make_interval(secs => (item->>'recent_window_s')::double precision);
            IF recent IS NOT NULL AND (item->>'recent_amount')::bigint > (item->>'recent_threshold')::bigint THEN
                code := 'recent_security_change';
                info := jsonb_build_object('until', recent + make_interval(secs => (item->>'recent_window_s')::double precision));
                RETURN NEXT; CONTINUE;
            END IF;
        END IF;

        -- Limits (ledger.limits): per transaction, then guarded day and year counters.
        day_counted := false;
        year_counted := false;
        IF item ? 'counted' THEN
            counted := (item->>'counted')::bigint;
            caps := item->'caps'->(least(greatest(payer.kyc_tier, 0), (item->>'max_tier')::integer)::text);
            IF counted > (caps->>0)::bigint THEN
                code := 'limit_exceeded';
                info := jsonb_build_object('period', 'transaction', 'cap', (caps->>0)::bigint, 'used', 0);
                RETURN NEXT; CONTINUE;
            END IF;
            cap := (caps->>1)::bigint;
            used_now := NULL;
            IF counted <= cap THEN
                INSERT INTO limit_usage AS l (subject_id, period, period_start, used, count)
                VALUES (payer_id, 'day', item->>'day', counted, 1)
                ON CONFLICT (subject_id, period, period_start) DO UPDATE
                   SET used = l.used + EXCLUDED.used, count = l.count + 1
                 WHERE l.used + EXCLUDED.used <= cap
                RETURNING l.used INTO used_now;
            END IF;
            IF used_now IS NULL THEN
                code := 'limit_exceeded';
                info := jsonb_build_object('period', 'day', 'cap', cap, 'used',
                    coalesce((SELECT l.used FROM limit_usage l WHERE l.subject_id = payer_id
                               AND l.period = 'day' AND l.period_start = item->>'day'), 0));
                RETURN NEXT; CONTINUE;
            END IF;
            day_counted := true;
            cap := (caps->>2)::bigint;
            used_now := NULL;
            IF counted <= cap THEN
                INSERT INTO limit_usage AS l (subject_id, period, period_start, used, count)
                VALUES (payer_id, 'year', item->>'year', counted, 1)
                ON CONFLICT (subject_id, period, period_start) DO UPDATE
                   SET used = l.used + EXCLUDED.used, count = l.count + 1
                 WHERE l.used + EXCLUDED.used <= cap
                RETURNING l.used INTO used_now;
            END IF;
            IF used_now IS NULL THEN
                PERFORM wd_undo_limits(payer_id, item, counted, true, false);
                code := 'limit_exceeded';
                info := jsonb_build_object('period', 'year', 'cap', cap, 'used',
                    coalesce((SELECT l.used FROM limit_usage l WHERE l.subject_id = payer_id
                               AND l.period = 'year' AND l.period_start = item->>'year'), 0));
                RETURN NEXT; CONTINUE;
            END IF;
            year_counted := true;
        END IF;

        -- Both wallet accounts (created on first use and locked above).
        source_code := 'wallet:' || payer_id || ':' || v_currency;
        target_code := 'wallet:' || (item->>'payee') || ':' || v_currency;
        source := NULL; target := NULL;
        FOR source_after IN  -- created and locked above
            SELECT a.id, a.code, a.posted, a.held, a.allow_negative FROM ledger_accounts a
             WHERE a.code IN (source_code, target_code)
        LOOP
            IF source_after.code = source_code THEN source := source_after; ELSE target := source_after; END IF;
        END LOOP;
        IF source.id <> item->>'source_id' OR target.id <> item->>'target_id' THEN
            -- The caller expected a new wallet that another transaction has just created: its
            -- event names the wrong account, so it must look again and resubmit.
            PERFORM wd_undo_limits(payer_id, item, counted, day_counted, year_counted);
            code := 'stale_account'; RETURN NEXT; CONTINUE;
        END IF;
        IF NOT source.allow_negative AND source.posted - source.held - v_amount < 0 THEN
            PERFORM wd_undo_limits(payer_id, item, counted, day_counted, year_counted);
            code := 'insufficient_funds';
            info := jsonb_build_object('available', source.posted - source.held);
            RETURN NEXT; CONTINUE;
        END IF;
        -- The idempotent request's response commits with the money, if it still holds its
        -- lease (ledger.idempotency.finish); otherwise nothing moves.
        IF item ? 'response' THEN
            UPDATE idempotency_keys k
               SET status = 'done', response_status = (item->'response'->>'status')::integer,
                   response_body = item->'response'->>'body'
             WHERE k.scope = item->'response'->>'scope' AND k.key = item->'response'->>'key'
               AND k.lease_token = item->'response'->>'token' AND k.status = 'in_flight';
            IF NOT FOUND THEN
                PERFORM wd_undo_limits(payer_id, item, counted, day_counted, year_counted);
                code := 'request_in_progress'; RETURN NEXT; CONTINUE;
            END IF;
        END IF;
        UPDATE ledger_accounts a SET posted = a.posted - v_amount, seq = a.seq + 1
         WHERE a.id = source.id RETURNING a.posted, a.seq INTO source_after;
        UPDATE ledger_accounts a SET posted = a.posted + v_amount, seq = a.seq + 1
         WHERE a.id = target.id RETURNING a.posted, a.seq INTO target_after;

        INSERT INTO journal_entries (id, kind, created_at, description, details, actor_id, reverses_entry_id)
        VALUES (item->>'entry', item->>'kind', at, item->>'description', item->>'details', payer_id, NULL);
        -- Postings in account id order, as ledger.posting writes them.
        IF source.id < target.id THEN
            INSERT INTO postings (entry_id, account_id, amount, currency, account_seq, balance_after, created_at)
            VALUES (item->>'entry', source.id, -v_amount, v_currency, source_after.seq, source_after.posted, at),
                   (item->>'entry', target.id, v_amount, v_currency, target_after.seq, target_after.posted, at);
        ELSE
            INSERT INTO postings (entry_id, account_id, amount, currency, account_seq, balance_after, created_at)
            VALUES (item->>'entry', target.id, v_amount, v_currency, target_after.seq, target_after.posted, at),
                   (item->>'entry', source.id, -v_amount, v_currency, source_after.seq, source_after.posted, at);
        END IF;

        -- Exactly one outbox event per entry, and the payee's in-app notice, both prepared
        -- (rendered, encrypted) by the caller.
        INSERT INTO outbox (id, created_at, channel, user_id, destination_enc, locale, template,
                            subject_enc, body_enc, status, attempts, next_attempt_at)
        VALUES (item->>'event_id', at, 'event', NULL, NULL, 'en', 'ledger.entry_posted',
                NULL, item->>'event_body', 'pending', 0, at);
        INSERT INTO notifications (id, user_id, template, title, body, created_at)
        VALUES (item->'notice'->>'id', item->>'payee', item->'notice'->>'template',
                item->'notice'->>'title', item->'notice'->>'body', at)
        ON CONFLICT (id) DO NOTHING;

        code := 'ok';
        info := jsonb_build_object(
            'source', source.id, 'source_seq', source_after.seq, 'source_balance', source_after.posted,
            'target', target.id, 'target_seq', target_after.seq, 'target_balance', target_after.posted);
        RETURN NEXT;
    END LOOP;
END
$fn$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wd_post_transfers(jsonb)")
        op.execute("DROP FUNCTION IF EXISTS wd_undo_limits(text, jsonb, bigint, boolean, boolean)")
