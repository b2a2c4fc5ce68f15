"""Initial schema: the event log, snapshots, the account projection and its checkpoint.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from esgui.store.types import JSONDoc, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("aggregate_id", sa.String(255), nullable=False),
        sa.Column("aggregate_type", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", JSONDoc, nullable=False),
        sa.Column("metadata", JSONDoc, nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("id", name="uq_events_id"),
        sa.UniqueConstraint("aggregate_id", "version", name="uq_events_aggregate_version"),
    )
    op.create_index("ix_events_type_position", "events", ["event_type", "position"])
    op.create_index("ix_events_operator_position", "events", ["operator", "position"])
    op.create_table(
        "snapshots",
        sa.Column("aggregate_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("state", JSONDoc, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("aggregate_id", "version", name="pk_snapshots"),
    )
    op.create_table(
        "account_summary",
        sa.Column("account_id", sa.String(255), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("balance", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("opened_at", UTCDateTime),
        sa.Column("last_activity", UTCDateTime),
        sa.Column("last_position", Position, nullable=False),
        sa.Column("error", sa.Text),
    )
    checkpoints = op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("position", Position, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    # The row exists from the start, so concurrent projectors only ever lock it.
    op.bulk_insert(checkpoints, [{"name": "account_summary", "position": 0,
                                  "updated_at": datetime.now(UTC)}])
    if op.get_bind().dialect.name == "postgresql":
        # Wake live listeners (other windows, other machines) when events commit.
        op.execute(
            """
            CREATE FUNCTION esgui_notify_events() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('esgui_events', current_schema());
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            """
            CREATE TRIGGER esgui_events_notify AFTER INSERT ON events
            FOR EACH STATEMENT EXECUTE FUNCTION esgui_notify_events()
            """
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS esgui_events_notify ON events")
        op.execute("DROP FUNCTION IF EXISTS esgui_notify_events()")
    op.drop_table("projection_checkpoints")
    op.drop_table("account_summary")
    op.drop_table("snapshots")
    op.drop_table("events")
