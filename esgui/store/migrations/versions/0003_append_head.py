"""PostgreSQL: take the append lock and read the stream's version and the log's head in
one round trip.

`esgui_lock_and_head(aggregate_id, lock_key)` is a VOLATILE plpgsql function: the query
after `pg_advisory_xact_lock` runs with a snapshot taken after the lock was granted, so
it sees every append committed before. (In one plain SQL statement the snapshot would
be taken before the lock wait, and could miss the previous holder's append.) SQLite has
no equivalent to need: `BEGIN IMMEDIATE` already holds the lock before any read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION esgui_lock_and_head(p_aggregate_id text, p_lock_key bigint)
        RETURNS TABLE (current_version integer, head_position bigint,
                       head_hash varchar, head_created_at timestamptz)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(p_lock_key);
            RETURN QUERY
                SELECT (SELECT max(e.version) FROM events e
                        WHERE e.aggregate_id = p_aggregate_id),
                       h.position, h.hash, h.created_at
                FROM (SELECT 1) AS one
                LEFT JOIN LATERAL (SELECT e.position, e.hash, e.created_at FROM events e
                                   ORDER BY e.position DESC LIMIT 1) AS h ON true;
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS esgui_lock_and_head(text, bigint)")
