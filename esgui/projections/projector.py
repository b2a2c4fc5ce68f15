"""The projector: follows the log into the account-summary table, exactly once.

Each batch is one unit of work of the store's projection storage: it locks the
checkpoint row, reads the events after it, writes the affected rows and moves the
checkpoint; the rows and the checkpoint commit together or not at all, and concurrent
projectors take turns. Positions are gapless and commit in order (see
esgui.store.appends), so ``position > checkpoint`` never skips an event.
"""

from __future__ import annotations

from collections.abc import Callable

from esgui.errors import EsguiError
from esgui.projections.account_summary import AccountSummary, SummaryFold
from esgui.store import EventStore, SummaryBatch, SummaryRow

NAME = "account_summary"
BATCH_SIZE = 100_000  # events per unit of work (one transaction, each account written once)
PAGE_SIZE = 5_000  # events read at a time inside a unit
Progress = Callable[[int, int], None]  # (checkpoint, head)


class Cancelled(EsguiError):
    """Catch-up stopped on request; everything committed so far is kept."""

    exit_code = 1


class AccountProjector:
    def __init__(
        self, store: EventStore, *, batch_size: int = BATCH_SIZE, page_size: int = PAGE_SIZE
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.page_size = max(1, min(page_size, batch_size))
        self.storage = store.projection(NAME)

    # -- reading -----------------------------------------------------------------------

    def checkpoint(self) -> int:
        return self.storage.checkpoint()

    def lag(self) -> tuple[int, int]:
        """(checkpoint, head position)."""
        return self.checkpoint(), self.store.head()[0]

    def summaries(self, *, changed_after: int | None = None) -> list[AccountSummary]:
        """Every row in account order; only those that events after position
        `changed_after` changed, when it is given."""
        from_row = AccountSummary.from_row
        return [from_row(row) for row in self.storage.rows(changed_after=changed_after)]

    def summary(self, account_id: str) -> AccountSummary | None:
        row = self.storage.row(account_id)
        return AccountSummary.from_row(row) if row else None

    def current(self) -> list[AccountSummary]:
        """Every account, up to the newest event: caught up in the table when the store
        is writable; on a read-only store the rows are completed in memory instead."""
        if not self.store.read_only:
            self.catch_up()
            return self.summaries()
        checkpoint, rows = self.storage.read_model()
        by_id = {row.account_id: AccountSummary.from_row(row) for row in rows}
        folds: dict[str, SummaryFold] = {}
        for event in self.store.read_all(after=checkpoint, page_size=self.batch_size):
            fold = folds.get(event.aggregate_id)
            if fold is None:
                fold = folds[event.aggregate_id] = SummaryFold(
                    event.aggregate_id, by_id.get(event.aggregate_id)
                )
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
            with self.storage.batch() as batch:  # a Cancelled inside rolls the unit back
                count = self._apply_batch(batch, should_stop, applied)
            checkpoint = batch.checkpoint
            applied += count
            if progress is not None:
                progress(checkpoint, max(head, checkpoint))
            if count < self.batch_size:
                return applied

    def _apply_batch(
        self,
        batch: SummaryBatch,
        should_stop: Callable[[], bool] | None = None,
        applied: int = 0,
    ) -> int:
        """One unit of work: up to `batch_size` events, read a page at a time and folded
        in memory, then each account they touch written once. (One write per account
        per 5,000-event page made a 10M-event rebuild over 2,000 accounts take 117 s.)"""
        folds: dict[str, SummaryFold] = {}
        after = batch.checkpoint
        count = 0
        while count < self.batch_size:
            if count and should_stop is not None and should_stop():  # between pages
                raise Cancelled(f"Projection catch-up cancelled after {applied} events")
            size = min(self.page_size, self.batch_size - count)
            events = batch.events(size, after=after)
            new_ids = sorted({event.aggregate_id for event in events} - folds.keys())
            existing = {account_id: AccountSummary.from_row(row)
                        for account_id, row in batch.rows(new_ids).items()}  # fmt: skip
            for event in events:
                fold = folds.get(event.aggregate_id)
                if fold is None:
                    fold = folds[event.aggregate_id] = SummaryFold(
                        event.aggregate_id, existing.get(event.aggregate_id)
                    )
                fold.apply(event)
            count += len(events)
            if events:
                after = events[-1].position
            if len(events) < size:
                break
        if not count:
            return 0
        changed: list[SummaryRow] = []
        inserted: list[SummaryRow] = []
        for account_id in sorted(folds):
            fold = folds[account_id]
            (changed if fold.had_row else inserted).append(fold.summary().stored())
        batch.save(changed=changed, inserted=inserted)
        batch.move_checkpoint(after)
        return count

    def rebuild(
        self, *, progress: Progress | None = None, should_stop: Callable[[], bool] | None = None
    ) -> int:
        """Forget the read model and replay the whole log into it."""
        with self.storage.batch() as batch:
            batch.clear()
            batch.move_checkpoint(0)
        return self.catch_up(progress=progress, should_stop=should_stop)

    def row_count(self) -> int:
        return self.storage.count()
