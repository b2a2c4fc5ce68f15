"""The query console, saved queries and statistics: documented read-only views, the role
that may only read them (PostgreSQL), the append-only `saved_queries` table, and
`event_facts`, one slim row per event filled by a trigger on `events` (backfilled here)
that the statistics GROUP BY, with its time index.

Views (docs/query.md): `event_log` (one row per event, the money as exact decimal text,
counterparty, correlation and causation read from the JSON) and `account_states` (the
account projection). `review_notes` is queried as the table itself (append-only).

PostgreSQL: the NOLOGIN role `esgui_query` gets USAGE on this schema and SELECT on the
views, `review_notes` and `saved_queries`, nothing else; the console runs its queries
under it (SET LOCAL ROLE) inside a READ ONLY transaction. Roles belong to the whole
cluster: creating it needs CREATEROLE; without that right the migration goes on and the
console relies on the read-only transaction (docs/query.md says what that leaves open).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from esgui.store.types import UTCDateTime
from esgui.store.views import (
    ACCOUNT_STATES,
    POSTGRESQL_AMOUNT_FUNCTION,
    POSTGRESQL_EVENT_LOG,
    POSTGRESQL_FACTS_BACKFILL,
    POSTGRESQL_FACTS_FUNCTION,
    POSTGRESQL_FACTS_TRIGGER,
    QUERY_ROLE,
    READABLE,
    SQLITE_EVENT_LOG,
    SQLITE_FACTS_BACKFILL,
    SQLITE_FACTS_TRIGGER,
)

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "saved_queries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sql", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_saved_queries_name", "saved_queries", ["name", "created_at"])
    op.create_index("ix_events_recorded_at", "events", ["created_at", "position"])
    op.create_table(
        "event_facts",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("day", sa.String(10).with_variant(sa.Date(), "postgresql"), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("aggregate_id", sa.String(255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger),
    )
    op.create_index("ix_event_facts_created", "event_facts", ["created_at"])
    # covering indexes, one per first key of the statistics (docs/query.md)
    op.create_index("ix_event_facts_day", "event_facts",
                    ["day", "event_type", "amount_cents", "created_at"])  # fmt: skip
    op.create_index("ix_event_facts_operator", "event_facts",
                    ["operator", "event_type", "amount_cents"])  # fmt: skip
    op.create_index("ix_event_facts_account", "event_facts",
                    ["aggregate_id", "event_type", "amount_cents"])  # fmt: skip
    if postgresql:
        op.execute(POSTGRESQL_AMOUNT_FUNCTION)
        op.execute(POSTGRESQL_FACTS_FUNCTION)
        op.execute(POSTGRESQL_FACTS_BACKFILL)
        op.execute(POSTGRESQL_FACTS_TRIGGER)
    else:
        op.execute(SQLITE_FACTS_BACKFILL)
        op.execute(SQLITE_FACTS_TRIGGER)
    op.execute(POSTGRESQL_EVENT_LOG if postgresql else SQLITE_EVENT_LOG)
    op.execute(ACCOUNT_STATES)
    if postgresql:
        op.execute(
            """
            CREATE TRIGGER esgui_saved_queries_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON saved_queries
            FOR EACH STATEMENT EXECUTE FUNCTION esgui_refuse_change()
            """
        )
        grants = "; ".join(f"GRANT SELECT ON {name} TO {QUERY_ROLE}" for name in READABLE)
        op.execute(
            f"""
            DO $$
            BEGIN
                BEGIN
                    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{QUERY_ROLE}') THEN
                        CREATE ROLE {QUERY_ROLE} NOLOGIN NOINHERIT;
                    END IF;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- another store's migration created it at the same moment
                END;
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO {QUERY_ROLE}', current_schema());
                {grants};
                IF NOT pg_has_role(current_user, '{QUERY_ROLE}', 'MEMBER') THEN
                    EXECUTE format('GRANT {QUERY_ROLE} TO %I', current_user);
                END IF;
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'esgui: cannot set up the role {QUERY_ROLE}: %', SQLERRM;
            END $$
            """
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER esgui_saved_queries_no_{operation.lower()}
                BEFORE {operation} ON saved_queries
                BEGIN
                    SELECT RAISE(ABORT, 'esgui: saved_queries is append-only; {operation} refused');
                END
                """
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP VIEW IF EXISTS account_states")
    op.execute("DROP VIEW IF EXISTS event_log")
    if postgresql:
        op.execute("DROP TRIGGER IF EXISTS esgui_saved_queries_append_only ON saved_queries")
        op.execute(
            f"""
            DO $$ BEGIN
                EXECUTE format('REVOKE ALL ON SCHEMA %I FROM {QUERY_ROLE}', current_schema());
                REVOKE ALL ON review_notes FROM {QUERY_ROLE};
            EXCEPTION WHEN undefined_object OR insufficient_privilege THEN NULL;
            END $$
            """
        )
    op.execute("DROP TRIGGER IF EXISTS esgui_events_facts" + (" ON events" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS esgui_event_facts()")
        op.execute("DROP FUNCTION IF EXISTS esgui_amount_cents(jsonb)")
    for name in ("created", "day", "operator", "account"):
        op.drop_index(f"ix_event_facts_{name}", "event_facts")
    op.drop_table("event_facts")
    op.drop_index("ix_events_recorded_at", "events")
    op.drop_index("ix_saved_queries_name", "saved_queries")
    op.drop_table("saved_queries")
