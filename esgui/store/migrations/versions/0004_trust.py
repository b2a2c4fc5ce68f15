"""Trust: snapshots bound to the hash chain and append-only; review notes chained.

- `snapshots.event_hash`: the hash of the event at the snapshot's version when the
  snapshot was taken. A snapshot is only considered while the event row at its version
  still carries that hash (and is validated against a replay before it is trusted; see
  `esgui.app.replay`). Existing snapshots get the hash their event carries now.
- `snapshots` gets the same append-only triggers as `events` and `review_notes`
  (PostgreSQL: `esgui_snapshots_append_only`; SQLite: `esgui_snapshots_no_update`,
  `esgui_snapshots_no_delete`).
- `review_notes.seq` and `review_notes.hash`: notes form their own hash chain (seq 1,
  2, 3…; each hash covers the note and the previous note's hash, see
  `esgui.store.note_chain`). Existing notes are chained in (created_at, id) order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from esgui.store.hashing import GENESIS_HASH
from esgui.store.note_chain import note_hash

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _chain_existing_notes(postgresql: bool) -> None:
    bind = op.get_bind()
    notes = sa.table(
        "review_notes",
        sa.column("id"), sa.column("target_kind"), sa.column("event_id"),
        sa.column("account_id"), sa.column("text"), sa.column("author"),
        sa.column("created_at"), sa.column("seq"), sa.column("hash"),
    )  # fmt: skip
    from esgui.store.types import UTCDateTime

    created = sa.type_coerce(notes.c.created_at, UTCDateTime)
    rows = bind.execute(
        sa.select(notes.c.id, notes.c.target_kind, notes.c.event_id, notes.c.account_id,
                  notes.c.text, notes.c.author, created)
        .order_by(notes.c.created_at, notes.c.id)
    ).all()  # fmt: skip
    if not rows:
        return
    if postgresql:
        op.execute("ALTER TABLE review_notes DISABLE TRIGGER esgui_review_notes_append_only")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS esgui_review_notes_no_{operation}")
    prev = GENESIS_HASH
    for seq, row in enumerate(rows, start=1):
        prev = note_hash(prev, seq, *row)
        bind.execute(sa.update(notes).where(notes.c.id == row[0]).values(seq=seq, hash=prev))
    if postgresql:
        op.execute("ALTER TABLE review_notes ENABLE TRIGGER esgui_review_notes_append_only")
    else:
        _sqlite_triggers("review_notes")


def _sqlite_triggers(table: str) -> None:
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


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("snapshots", sa.Column("event_hash", sa.String(64)))
    op.execute(
        "UPDATE snapshots SET event_hash = (SELECT e.hash FROM events e WHERE "
        "e.aggregate_id = snapshots.aggregate_id AND e.version = snapshots.version)"
    )
    op.add_column("review_notes", sa.Column("seq", sa.Integer))
    op.add_column("review_notes", sa.Column("hash", sa.String(64)))
    op.create_index("uq_review_notes_seq", "review_notes", ["seq"], unique=True)
    _chain_existing_notes(postgresql)
    if postgresql:
        op.execute(
            """
            CREATE TRIGGER esgui_snapshots_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON snapshots
            FOR EACH STATEMENT EXECUTE FUNCTION esgui_refuse_change()
            """
        )
    else:
        _sqlite_triggers("snapshots")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS esgui_snapshots_append_only ON snapshots")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS esgui_snapshots_no_{operation}")
    op.drop_index("uq_review_notes_seq", "review_notes")
    with op.batch_alter_table("review_notes") as batch:
        batch.drop_column("hash")
        batch.drop_column("seq")
    with op.batch_alter_table("snapshots") as batch:
        batch.drop_column("event_hash")
