"""Verification records: every `verify` run's result, append-only and chained.

`verify_runs` holds one row per verification (full or incremental): its verdict, the
head of the log it reached (position and the event chain's hash there), how many events
it checked, when it ran and who ran it, and `record_hash`, a SHA-256 over the previous
record's hash and this row's fields (`esgui.store.verify_runs.record_hash`). The same
append-only triggers as `events` and `review_notes` refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL). What a record proves and what it does not: docs/audit.md,
"Verification records and incremental verify".

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from esgui.store.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "verify_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("checked_from", Position, nullable=False),
        sa.Column("head_position", Position, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("events_checked", Position, nullable=False),
        sa.Column("problem_count", Position, nullable=False),
        sa.Column("based_on", sa.Integer),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("esgui_version", sa.String(32), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.CheckConstraint("kind IN ('full', 'incremental')", name="ck_verify_runs_kind"),
        sa.CheckConstraint("verdict IN ('intact', 'tampered')", name="ck_verify_runs_verdict"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # esgui_refuse_change() comes from migration 0002
        op.execute(
            """
            CREATE TRIGGER esgui_verify_runs_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON verify_runs
            FOR EACH STATEMENT EXECUTE FUNCTION esgui_refuse_change()
            """
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER esgui_verify_runs_no_{operation.lower()}
                BEFORE {operation} ON verify_runs
                BEGIN
                    SELECT RAISE(ABORT, 'esgui: verify_runs is append-only; {operation} refused');
                END
                """
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS esgui_verify_runs_append_only ON verify_runs")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS esgui_verify_runs_no_{operation}")
    op.drop_table("verify_runs")
