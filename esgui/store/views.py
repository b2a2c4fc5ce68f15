"""The query console's documented views, as SQL per engine (docs/query.md).

Migration 0005 creates them and `schema.metadata` creates them too (create_all); what
they show is part of the console's contract: change them only with a new migration.
"""

from __future__ import annotations

QUERY_ROLE = "esgui_query"

SQLITE_EVENT_LOG = """
CREATE VIEW event_log AS
SELECT position,
       id AS event_id,
       aggregate_id AS account,
       event_type AS type,
       CASE
           WHEN data ->> '$.amount' IS NOT NULL THEN CAST(data ->> '$.amount' AS TEXT)
           WHEN data ->> '$.amount_cents' IS NOT NULL THEN
               CAST((data ->> '$.amount_cents') / 100 AS TEXT) || '.' ||
               substr('0' || CAST((data ->> '$.amount_cents')
                                  - (data ->> '$.amount_cents') / 100 * 100 AS TEXT), -2)
           WHEN data ->> '$.initial' IS NOT NULL THEN CAST(data ->> '$.initial' AS TEXT)
       END AS amount,
       data ->> '$.counterparty' AS counterparty,
       operator,
       created_at AS recorded_at,
       metadata ->> '$.correlation_id' AS correlation_id,
       metadata ->> '$.causation_id' AS causation_id,
       version,
       data,
       metadata
FROM events
"""

POSTGRESQL_EVENT_LOG = """
CREATE VIEW event_log AS
SELECT position,
       id AS event_id,
       aggregate_id AS account,
       event_type AS type,
       CASE
           WHEN data ? 'amount' THEN data ->> 'amount'
           WHEN data ? 'amount_cents' THEN
               to_char((data ->> 'amount_cents')::numeric / 100, 'FM999999999999990.00')
           WHEN data ? 'initial' THEN data ->> 'initial'
       END AS amount,
       data ->> 'counterparty' AS counterparty,
       operator,
       created_at AS recorded_at,
       metadata ->> 'correlation_id' AS correlation_id,
       metadata ->> 'causation_id' AS causation_id,
       version,
       data,
       metadata
FROM events
"""

ACCOUNT_STATES = """
CREATE VIEW account_states AS
SELECT account_id AS account, owner, balance, status, version, event_count,
       opened_at, last_activity, last_position, error
FROM account_summary
"""

# What the console may read: the two views and two append-only tables
READABLE = ("event_log", "account_states", "review_notes", "saved_queries")

# -- event_facts: one slim row per event, for the statistics ---------------------------
# Filled by a trigger on every insert into `events` (appends, imports), so statistics
# GROUP BY over slim rows, in the order of covering indexes (day, operator, account, each
# with the type and the cents), and never parse the JSON of a million events. `day` is
# the UTC date (text on SQLite, a date on PostgreSQL). The money
# in whole cents: `amount` (exact text), the legacy `amount_cents`, or `initial`;
# NULL for an event that moves none (or whose data is not what esgui writes).

SQLITE_AMOUNT_CENTS = """CASE WHEN json_valid(NEW.data) THEN CAST(CASE
    WHEN json_type(NEW.data, '$.amount') = 'text'
        THEN round(json_extract(NEW.data, '$.amount') * 100)
    WHEN json_type(NEW.data, '$.amount_cents') = 'integer'
        THEN json_extract(NEW.data, '$.amount_cents')
    WHEN json_type(NEW.data, '$.initial') = 'text'
        THEN round(json_extract(NEW.data, '$.initial') * 100)
    END AS INTEGER) END"""

SQLITE_FACTS_TRIGGER = f"""
CREATE TRIGGER esgui_events_facts AFTER INSERT ON events
BEGIN
    INSERT OR REPLACE INTO event_facts
        (position, created_at, day, event_type, operator, aggregate_id, amount_cents)
    VALUES (NEW.position, NEW.created_at, substr(NEW.created_at, 1, 10), NEW.event_type,
            NEW.operator, NEW.aggregate_id, {SQLITE_AMOUNT_CENTS});
END
"""

SQLITE_FACTS_BACKFILL = f"""
INSERT OR REPLACE INTO event_facts
    (position, created_at, day, event_type, operator, aggregate_id, amount_cents)
SELECT position, created_at, substr(created_at, 1, 10), event_type, operator, aggregate_id,
       {SQLITE_AMOUNT_CENTS.replace("NEW.", "")}
FROM events
"""

_MONEY_TEXT = r"'^[0-9]{1,15}(\.[0-9]{1,2})?$'"

POSTGRESQL_AMOUNT_FUNCTION = f"""
CREATE FUNCTION esgui_amount_cents(d jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN jsonb_typeof(d -> 'amount') = 'string' AND d ->> 'amount' ~ {_MONEY_TEXT}
            THEN (d ->> 'amount')::numeric * 100
        WHEN jsonb_typeof(d -> 'amount_cents') = 'number'
             AND d ->> 'amount_cents' ~ '^[0-9]{{1,18}}$'
            THEN (d ->> 'amount_cents')::numeric
        WHEN jsonb_typeof(d -> 'initial') = 'string' AND d ->> 'initial' ~ {_MONEY_TEXT}
            THEN (d ->> 'initial')::numeric * 100
    END
$$
"""

POSTGRESQL_FACTS_FUNCTION = """
CREATE FUNCTION esgui_event_facts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO event_facts
        (position, created_at, day, event_type, operator, aggregate_id, amount_cents)
    SELECT position, created_at, (created_at AT TIME ZONE 'UTC')::date, event_type,
           operator, aggregate_id, esgui_amount_cents(data)
    FROM esgui_new_events
    ON CONFLICT (position) DO UPDATE SET
        created_at = EXCLUDED.created_at, day = EXCLUDED.day,
        event_type = EXCLUDED.event_type,
        operator = EXCLUDED.operator, aggregate_id = EXCLUDED.aggregate_id,
        amount_cents = EXCLUDED.amount_cents;
    RETURN NULL;
END $$
"""

POSTGRESQL_FACTS_TRIGGER = """
CREATE TRIGGER esgui_events_facts AFTER INSERT ON events
REFERENCING NEW TABLE AS esgui_new_events
FOR EACH STATEMENT EXECUTE FUNCTION esgui_event_facts()
"""

POSTGRESQL_FACTS_BACKFILL = """
INSERT INTO event_facts
    (position, created_at, day, event_type, operator, aggregate_id, amount_cents)
SELECT position, created_at, (created_at AT TIME ZONE 'UTC')::date, event_type, operator,
       aggregate_id, esgui_amount_cents(data)
FROM events
"""
