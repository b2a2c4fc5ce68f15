"""The projector: follows the log into the account-summary table, exactly once.

Each batch is one transaction that locks the checkpoint row, reads the events after
it, writes the affected rows and moves the checkpoint: the rows and the checkpoint
commit together or not at all, and concurrent projectors take turns. Positions are
gapless and commit in order (see esgui.store.event_store), so ``position >
checkpoint`` never skips an event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from esgui.errors import EsguiError
from esgui.projections.account_summary import AccountSummary, SummaryFold
from esgui.store import EventStore
from esgui.store.engine import translated
from esgui.store.event_store import EVENT_COLUMNS, raw_rows, record_from_row
from esgui.store.schema import account_summary, events, projection_checkpoints

NAME = "account_summary"
Progress = Callable[[int, int], None]  # (checkpoint, head)


class Cancelled(EsguiError):
    """Catch-up stopped on request; everything committed so far is kept."""

    exit_code = 1


class AccountProjector:
    def __init__(self, store: EventStore, *, batch_size: int = 5000) -> None:
        self.store = store
        self.batch_size = batch_size

    # -- reading -----------------------------------------------------------------------

    def checkpoint(self) -> int:
        query = select(projection_checkpoints.c.position).where(
            projection_checkpoints.c.name == NAME
        )
        with translated(self.store.description), self.store.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def lag(self) -> tuple[int, int]:
        """(checkpoint, head position)."""
        return self.checkpoint(), self.store.head()[0]

    def summaries(self) -> list[AccountSummary]:
        query = select(account_summary).order_by(account_summary.c.account_id)
        with translated(self.store.description), self.store.engine.connect() as conn:
            return [AccountSummary.from_row(row) for row in conn.execute(query)]

    def summary(self, account_id: str) -> AccountSummary | None:
        query = select(account_summary).where(account_summary.c.account_id == account_id)
        with translated(self.store.description), self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return AccountSummary.from_row(row) if row else None

    def current(self) -> list[AccountSummary]:
        """Every account, up to the newest event: caught up in the table when the store
        is writable; on a read-only store the rows are completed in memory instead."""
        if not self.store.read_only:
            self.catch_up()
            return self.summaries()
        with translated(self.store.description), self.store.engine.connect() as conn:
            checkpoint = int(conn.execute(
                select(projection_checkpoints.c.position)
                .where(projection_checkpoints.c.name == NAME)).scalar() or 0)
            rows = conn.execute(select(account_summary)).all()
        by_id = {row.account_id: AccountSummary.from_row(row) for row in rows}
        folds: dict[str, SummaryFold] = {}
        for event in self.store.read_all(after=checkpoint, page_size=self.batch_size):
            fold = folds.get(event.aggregate_id)
            if fold is None:
                fold = folds[event.aggregate_id] = SummaryFold(
                    event.aggregate_id, by_id.get(event.aggregate_id))
            fold.apply(event)
        by_id.update({account_id: fold.summary() for account_id, fold in folds.items()})
        return [by_id[key] for key in sorted(by_id)]

    # -- following ---------------------------------------------------------------------

    def catch_up(
        self, *, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
    ) -> int:
        """Apply every event after the checkpoint; returns how many were applied."""
        applied = 0
        head = self.store.head()[0]
        while True:
            if should_stop is not None and should_stop():
                raise Cancelled(f"Projection catch-up cancelled after {applied} events")
            with translated(self.store.description), self.store.writer().begin() as conn:
                checkpoint, count = self._apply_batch(conn)
            applied += count
            if progress is not None:
                progress(checkpoint, max(head, checkpoint))
            if count < self.batch_size:
                return applied

    def _apply_batch(self, conn: Connection) -> tuple[int, int]:
        checkpoint = self._lock_checkpoint(conn)
        rows = raw_rows(
            conn,
            select(*EVENT_COLUMNS)
            .where(events.c.position > checkpoint)
            .order_by(events.c.position)
            .limit(self.batch_size),
        )
        if not rows:
            return checkpoint, 0
        to_time = self.store.time_from_db
        batch = [record_from_row(row, to_time) for row in rows]
        ids = sorted({event.aggregate_id for event in batch})
        existing: dict[str, AccountSummary] = {}
        for start in range(0, len(ids), 500):
            query = select(account_summary).where(
                account_summary.c.account_id.in_(ids[start : start + 500]))
            existing.update({row.account_id: AccountSummary.from_row(row)
                             for row in conn.execute(query)})  # fmt: skip
        folds: dict[str, SummaryFold] = {}
        for event in batch:
            fold = folds.get(event.aggregate_id)
            if fold is None:
                fold = folds[event.aggregate_id] = SummaryFold(
                    event.aggregate_id, existing.get(event.aggregate_id))
            fold.apply(event)
        current = {account_id: fold.summary() for account_id, fold in folds.items()}
        updates = [current[a].as_row() for a in ids if a in existing]
        inserts = [current[a].as_row() for a in ids if a not in existing]
        if updates:
            for row in updates:
                row["key"] = row["account_id"]
            conn.execute(
                update(account_summary).where(account_summary.c.account_id == bindparam("key")),
                updates,
            )
        if inserts:
            conn.execute(insert(account_summary), inserts)
        new_checkpoint = batch[-1].position
        conn.execute(
            update(projection_checkpoints)
            .where(projection_checkpoints.c.name == NAME)
            .values(position=new_checkpoint, updated_at=datetime.now(UTC))
        )
        return new_checkpoint, len(batch)

    @staticmethod
    def _lock_checkpoint(conn: Connection) -> int:
        """Read the checkpoint holding its row lock (PostgreSQL: FOR UPDATE; SQLite's
        BEGIN IMMEDIATE already serialises us), creating the row the first time."""
        query = (
            select(projection_checkpoints.c.position)
            .where(projection_checkpoints.c.name == NAME)
            .with_for_update()
        )
        value = conn.execute(query).scalar()
        if value is None:
            conn.execute(
                insert(projection_checkpoints).values(
                    name=NAME, position=0, updated_at=datetime.now(UTC)
                )
            )
            value = conn.execute(query).scalar()
        return int(value or 0)

    def rebuild(
        self, *, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
    ) -> int:
        """Forget the read model and replay the whole log into it."""
        with translated(self.store.description), self.store.writer().begin() as conn:
            self._lock_checkpoint(conn)
            conn.execute(delete(account_summary))
            conn.execute(
                update(projection_checkpoints)
                .where(projection_checkpoints.c.name == NAME)
                .values(position=0, updated_at=datetime.now(UTC))
            )
        return self.catch_up(progress=progress, should_stop=should_stop)

    def row_count(self) -> int:
        with translated(self.store.description), self.store.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(account_summary)).scalar() or 0
            )
