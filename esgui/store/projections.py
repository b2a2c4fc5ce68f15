"""Projection storage: the `account_summary` table and the projectors' checkpoints.

A projector moves in units of work (`SummaryStorage.batch()`): one write transaction
that locks the checkpoint row, reads the events after it, writes the rows those events
change and moves the checkpoint, so rows and checkpoint commit together or not at all,
and concurrent projectors take turns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from esgui.store.connections import Connections
from esgui.store.decoding import columns_for, record_from_row
from esgui.store.paging import KeysetPager
from esgui.store.reads import IN_LIST
from esgui.store.records import RecordedEvent, SummaryRow
from esgui.store.schema import account_summary, events, projection_checkpoints

_FIELDS = SummaryRow._fields
_COLUMNS = tuple(account_summary.c[name] for name in _FIELDS)
_UPDATE = update(account_summary).where(account_summary.c.account_id == bindparam("key"))


def _summary(row: Any) -> SummaryRow:
    return SummaryRow._make(row)


def highest_checkpoint(conn: Connection) -> int:
    """The furthest position any projection has applied."""
    return int(conn.execute(select(func.max(projection_checkpoints.c.position))).scalar() or 0)


class SummaryBatch:
    """One unit of work of a projector, inside its write transaction."""

    def __init__(self, conn: Connection, name: str, pager: KeysetPager, to_time: Any) -> None:
        self._conn = conn
        self._name = name
        self._pager = pager
        self._to_time = to_time
        self.checkpoint = self._lock_checkpoint()

    def _checkpoint_row(self) -> Any:
        return select(projection_checkpoints.c.position).where(
            projection_checkpoints.c.name == self._name
        )

    def _lock_checkpoint(self) -> int:
        """Read the checkpoint holding its row lock (FOR UPDATE where the database has
        row locks; SQLite's write transaction already serialises us), creating the row
        the first time."""
        query = self._checkpoint_row().with_for_update()
        value = self._conn.execute(query).scalar()
        if value is None:
            self._conn.execute(
                insert(projection_checkpoints).values(
                    name=self._name, position=0, updated_at=datetime.now(UTC)
                )
            )
            value = self._conn.execute(query).scalar()
        return int(value or 0)

    def events(self, limit: int, *, after: int | None = None) -> list[RecordedEvent]:
        """Up to `limit` events after the checkpoint (or after position `after`, for a
        unit of work that reads several pages), in position order."""
        start = self.checkpoint if after is None else after
        rows = self._pager.fetch(self._conn, start, limit=limit)
        to_time = self._to_time
        return [record_from_row(row, to_time) for row in rows]

    def rows(self, account_ids: Sequence[str]) -> dict[str, SummaryRow]:
        """The stored rows of these accounts (those that have one)."""
        found: dict[str, SummaryRow] = {}
        if not account_ids:
            return found
        for start in range(0, len(account_ids), IN_LIST):
            query = select(*_COLUMNS).where(
                account_summary.c.account_id.in_(account_ids[start : start + IN_LIST])
            )
            found.update({row[0]: _summary(row) for row in self._conn.execute(query)})
        return found

    def save(self, changed: Iterable[SummaryRow], inserted: Iterable[SummaryRow]) -> None:
        """Update the rows of accounts already stored (`changed`), insert new ones."""
        updates = [dict(zip(_FIELDS, row, strict=True), key=row[0]) for row in changed]
        inserts = [dict(zip(_FIELDS, row, strict=True)) for row in inserted]
        if updates:
            self._conn.execute(_UPDATE, updates)
        if inserts:
            self._conn.execute(insert(account_summary), inserts)

    def clear(self) -> None:
        """Forget every row (a rebuild); the checkpoint is moved separately."""
        self._conn.execute(delete(account_summary))

    def move_checkpoint(self, position: int) -> None:
        self._conn.execute(
            update(projection_checkpoints)
            .where(projection_checkpoints.c.name == self._name)
            .values(position=position, updated_at=datetime.now(UTC))
        )
        self.checkpoint = position


class SummaryStorage:
    """The account-summary read model of one projector (its checkpoint's name)."""

    def __init__(self, conns: Connections, name: str) -> None:
        self._conns = conns
        self.name = name
        self._events = KeysetPager(columns_for(conns.backend).event, [events.c.position])

    def _checkpoint_query(self) -> Any:
        return select(projection_checkpoints.c.position).where(
            projection_checkpoints.c.name == self.name
        )

    def checkpoint(self) -> int:
        with self._conns.read() as conn:
            return int(conn.execute(self._checkpoint_query()).scalar() or 0)

    def rows(self, *, changed_after: int | None = None) -> list[SummaryRow]:
        """Every row in account order; only those changed by events after position
        `changed_after` when it is given."""
        query = select(*_COLUMNS).order_by(account_summary.c.account_id)
        if changed_after is not None:
            query = query.where(account_summary.c.last_position > changed_after)
        with self._conns.read() as conn:
            return [_summary(row) for row in conn.execute(query)]

    def row(self, account_id: str) -> SummaryRow | None:
        query = select(*_COLUMNS).where(account_summary.c.account_id == account_id)
        with self._conns.read() as conn:
            row = conn.execute(query).first()
        return _summary(row) if row else None

    def count(self) -> int:
        with self._conns.read() as conn:
            return int(
                conn.execute(select(func.count()).select_from(account_summary)).scalar() or 0
            )

    def read_model(self) -> tuple[int, list[SummaryRow]]:
        """The checkpoint and every row, from one consistent snapshot."""
        with self._conns.consistent() as conn:
            checkpoint = int(conn.execute(self._checkpoint_query()).scalar() or 0)
            rows = [_summary(row) for row in conn.execute(select(*_COLUMNS))]
        return checkpoint, rows

    @contextmanager
    def batch(self) -> Iterator[SummaryBatch]:
        """A unit of work: commits when the block ends, rolls back on an error. Refused
        (NotPermitted) on a read-only store."""
        with self._conns.write() as conn:
            yield SummaryBatch(conn, self.name, self._events, self._conns.backend.time_from_db)
