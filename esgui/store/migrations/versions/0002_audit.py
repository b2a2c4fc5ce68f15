"""Audit: append-only events (database triggers) and the review-notes table.

PostgreSQL: one statement-level trigger per table refuses UPDATE, DELETE and TRUNCATE
on `events` and `review_notes`, whoever runs them (a role that owns the tables can still
drop the trigger; see docs/audit.md for a read-only auditor role). SQLite: BEFORE
UPDATE/DELETE triggers that abort, a guard against accidents in SQL tools; anyone who
can write the file can drop them, which is what the hash chain is for.

A later migration that rebuilds `events` on SQLite (batch mode copies the table) must
create these triggers again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from esgui.store.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("events", "review_notes")


def upgrade() -> None:
    op.create_table(
        "review_notes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(36)),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint(
            "(target_kind = 'event' AND event_id IS NOT NULL) OR "
            "(target_kind = 'account' AND event_id IS NULL)",
            name="ck_review_notes_target",
        ),
    )
    op.create_index("ix_review_notes_account", "review_notes", ["account_id", "created_at"])
    op.create_index("ix_review_notes_event", "review_notes", ["event_id"])
    op.create_index("ix_review_notes_author", "review_notes", ["author", "created_at"])
    op.create_index("ix_review_notes_created", "review_notes", ["created_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION esgui_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'esgui: % is append-only; % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"""
                CREATE TRIGGER esgui_{table}_append_only
                BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION esgui_refuse_change()
                """
            )
    else:
        for table in APPEND_ONLY_TABLES:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"""
                    CREATE TRIGGER esgui_{table}_no_{operation.lower()}
                    BEFORE {operation} ON {table}
                    BEGIN
                        SELECT RAISE(ABORT, 'esgui: {table} is append-only; {operation} refused');
                    END
                    """
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS esgui_{table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS esgui_refuse_change()")
    else:
        for table in APPEND_ONLY_TABLES:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS esgui_{table}_no_{operation}")
    op.drop_index("ix_review_notes_created", "review_notes")
    op.drop_index("ix_review_notes_author", "review_notes")
    op.drop_index("ix_review_notes_event", "review_notes")
    op.drop_index("ix_review_notes_account", "review_notes")
    op.drop_table("review_notes")
