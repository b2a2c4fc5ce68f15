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
