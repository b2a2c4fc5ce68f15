"""As of a time, and correlation: indexes that keep both bounded on large stores.

- `ix_events_aggregate_time (aggregate_id, created_at, version)`: an account's version
  at a time is one index seek (the newest entry at or before T), not a scan of its
  history.
- `ix_events_opened (created_at, aggregate_id) WHERE version = 1`: the accounts that
  existed at a time, read from one small partial index (one entry per account).
- `ix_events_correlation`: an expression index on the metadata's `correlation_id`
  (SQLite: `json_extract(metadata, '$.correlation_id')` when the metadata is valid JSON;
  PostgreSQL:
  `(metadata ->> 'correlation_id')`), so that `events --correlation ID` and the
  inspector's "same correlation" list do not read the whole log. Being an expression
  of each database's own JSON functions it is not in `schema.py`'s MetaData (like the
  append-only triggers of 0002); `store/filters.py` uses exactly that expression.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_aggregate_time", "events", ["aggregate_id", "created_at", "version"])
    op.create_index(
        "ix_events_opened", "events", ["created_at", "aggregate_id"],
        sqlite_where=sa.text("version = 1"), postgresql_where=sa.text("version = 1"),
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_events_correlation ON events ((metadata ->> 'correlation_id'))")
    else:
        # json_valid first: a row altered into malformed JSON must not break the index
        op.execute(
            "CREATE INDEX ix_events_correlation ON events (CASE WHEN json_valid(metadata) = 1 "
            "THEN json_extract(metadata, '$.correlation_id') END)"
        )


def downgrade() -> None:
    op.drop_index("ix_events_correlation", "events")
    op.drop_index("ix_events_opened", "events")
    op.drop_index("ix_events_aggregate_time", "events")
