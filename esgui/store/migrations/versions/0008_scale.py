"""Scale and the append lock's trust: a per-store append lock only writers can take,
and the log's time regressions (so time queries are binary searches, not scans).

PostgreSQL: the append lock was a transaction-scoped advisory lock with one key for
every store in the database, which any role that can connect (a read-only auditor
too) could take and hold, stopping all writers. It is now `LOCK TABLE
esgui_append_lock IN SHARE ROW EXCLUSIVE MODE`: the table lives in the store's own
schema (one lock per store), and PostgreSQL lets a role take that mode only with
UPDATE, DELETE or TRUNCATE on the table, which only writers get (SELECT alone allows
ACCESS SHARE, which does not conflict). Roles that could append before (INSERT on
`events`) are granted UPDATE on the new table here, so existing writers keep working.
`esgui_lock_and_head(aggregate_id)` takes that lock instead of the advisory one; it is
SECURITY INVOKER, so a role without the privilege is refused, not queued. It also makes
its transaction commit without waiting for the WAL flush (`synchronous_commit = off`,
local to the transaction): the lock is then held for the statements only, not for the
disk, and concurrent appends share flushes (group commit). The caller waits for the
flush right after (one `pg_logical_emit_message` in a synchronous commit) before it
reports the append, so an acknowledged append is as durable as before; see
docs/design.md, "The append lock out of the flush path".

Both engines: `esgui_time_regressions` lists every position whose recorded time is
earlier than the previous position's (only imports of older histories make them;
appends never do, their times never go back). Between two regressions the log's times
never decrease, so "the first event at or after T" and "an account's version at T" are
binary searches of point reads in each such run (esgui.store.time_order), exact
without an index on time and without scanning. The upgrade fills the table with one
pass over `events` (a window query; about 1–2 s per million events on the bench
machine, in the upgrade's transaction); new stores pay nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("esgui_append_lock", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table(
        "esgui_time_regressions",
        sa.Column("position", Position, primary_key=True, autoincrement=False),
    )
    op.execute(
        """
        INSERT INTO esgui_time_regressions (position)
        SELECT position FROM (
            SELECT position, created_at,
                   lag(created_at) OVER (ORDER BY position) AS previous
            FROM events) AS ordered
        WHERE created_at < previous
        """
    )
    # Append-only like `events` (migration 0002): a deleted row would let a time query
    # binary-search a run whose times go back.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE TRIGGER esgui_esgui_time_regressions_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON esgui_time_regressions
            FOR EACH STATEMENT EXECUTE FUNCTION esgui_refuse_change()
            """
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER esgui_time_regressions_no_{operation.lower()}
                BEFORE {operation} ON esgui_time_regressions
                BEGIN
                    SELECT RAISE(ABORT,
                        'esgui: esgui_time_regressions is append-only; {operation} refused');
                END
                """
            )
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE takes the file's write lock; nothing to change
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                     WHERE table_schema = current_schema() AND table_name = 'events'
                       AND privilege_type = 'INSERT' AND grantee <> current_user
            LOOP
                IF r.grantee = 'PUBLIC' THEN
                    EXECUTE 'GRANT UPDATE ON esgui_append_lock TO PUBLIC';
                    EXECUTE 'GRANT INSERT ON esgui_time_regressions TO PUBLIC';
                ELSE
                    EXECUTE format('GRANT UPDATE ON esgui_append_lock TO %I', r.grantee);
                    EXECUTE format('GRANT INSERT ON esgui_time_regressions TO %I', r.grantee);
                END IF;
            END LOOP;
        END $$
        """
    )
    op.execute("DROP FUNCTION IF EXISTS esgui_lock_and_head(text, bigint)")
    op.execute(
        """
        CREATE FUNCTION esgui_lock_and_head(p_aggregate_id text)
        RETURNS TABLE (current_version integer, head_position bigint,
                       head_hash varchar, head_created_at timestamptz)
        LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
        BEGIN
            -- This transaction's COMMIT does not wait for its WAL flush, so the lock is
            -- released without waiting for the disk; the caller then waits for the
            -- flush before it reports the append (esgui.store.postgresql.make_durable).
            PERFORM set_config('synchronous_commit', 'off', true);
            LOCK TABLE esgui_append_lock IN SHARE ROW EXCLUSIVE MODE;
            RETURN QUERY
                SELECT (SELECT e.version FROM events e
                        WHERE e.aggregate_id = p_aggregate_id
                        ORDER BY e.version DESC LIMIT 1),
                       h.position, h.hash, h.created_at
                FROM (SELECT 1) AS one
                LEFT JOIN LATERAL (SELECT e.position, e.hash, e.created_at FROM events e
                                   ORDER BY e.position DESC LIMIT 1) AS h ON true;
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS esgui_lock_and_head(text)")
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
    op.drop_table("esgui_time_regressions")
    op.drop_table("esgui_append_lock")
