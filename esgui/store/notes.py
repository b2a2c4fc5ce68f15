"""Review-notes storage: an append-only table beside the log (never in `events`).

Notes may be written to a store opened read-only: read-only mode protects the ledger,
and flagging what they see is what auditors are there for (docs/audit.md); the database
role still decides. That is this module's explicit exception to the read-only guard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from esgui.errors import InvalidInput
from esgui.store.connections import Connections
from esgui.store.engine import translate
from esgui.store.filters import EventFilter, NoteFilter, event_conditions, note_conditions
from esgui.store.hashing import GENESIS_HASH
from esgui.store.note_chain import note_hash
from esgui.store.paging import KeysetPager
from esgui.store.records import ReviewNote
from esgui.store.schema import events, review_notes
from esgui.store.validation import check_count

PAGE_SIZE = 500
_COLUMNS = (review_notes.c.id, review_notes.c.target_kind, review_notes.c.event_id,
            review_notes.c.account_id, review_notes.c.text, review_notes.c.author,
            review_notes.c.created_at)  # fmt: skip
_KEYS = (review_notes.c.created_at, review_notes.c.id)
_LAST_LINK = (select(review_notes.c.seq, review_notes.c.hash)
              .where(review_notes.c.seq.is_not(None))
              .order_by(review_notes.c.seq.desc()).limit(1))  # fmt: skip
_RETRIES = 8  # concurrent note writers: the unique seq makes one of them try again


class _Clash(Exception):  # noqa: N818 - internal: a unique key was taken, retry
    def __init__(self, error: IntegrityError) -> None:
        super().__init__(str(error))
        self.error = error


class ChainedNote(NamedTuple):
    """A stored note with its place in the notes' hash chain (None: not chained)."""

    note: ReviewNote
    seq: int | None
    hash: str | None


def _chained_rows(conn: Connection, notes: Sequence[ReviewNote]) -> list[dict[str, Any]]:
    """Rows continuing the notes' chain from its stored end."""
    last = conn.execute(_LAST_LINK).first()
    seq, prev = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS_HASH)
    rows = []
    for note in notes:
        seq += 1
        prev = note_hash(prev, seq, note.note_id, note.target_kind, note.event_id,
                         note.account_id, note.text, note.author, note.created_at)  # fmt: skip
        rows.append({**note.as_row(), "seq": seq, "hash": prev})
    return rows


def _note(row: Any) -> ReviewNote:
    return ReviewNote(*row)


class NoteStorage:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns

    def _chained_write(self, work: Callable[[Connection], int], *, beside_the_ledger: bool) -> int:
        """Run `work` in a write transaction, again when a concurrent note writer took
        the same chain position (the unique `seq`)."""
        for attempt in range(_RETRIES):
            try:
                with self._conns.write(beside_the_ledger=beside_the_ledger) as conn:
                    try:
                        return work(conn)
                    except IntegrityError as error:
                        raise _Clash(error) from None
            except _Clash as clash:
                if attempt == _RETRIES - 1:
                    raise translate(clash.error, self._conns.description) from None
        raise AssertionError("unreachable")

    def add(self, note: ReviewNote) -> None:
        """Store one note, also on a store opened read-only (see the module docstring),
        chained after the last stored note."""

        def work(conn: Connection) -> int:
            conn.execute(insert(review_notes), _chained_rows(conn, [note]))
            return 1

        self._chained_write(work, beside_the_ledger=True)

    def insert_missing(self, notes: Sequence[ReviewNote]) -> int:
        """Store the notes whose ids are not stored yet, in one transaction (an import;
        refused on a read-only store); returns how many. A stored note with the same id
        but other content is an InvalidInput, and nothing is stored."""
        if not notes:
            return 0

        def work(conn: Connection) -> int:
            stored = self._stored(conn, [note.note_id for note in notes])
            fresh = []
            for note in notes:
                known = stored.get(note.note_id)
                if known is None:
                    fresh.append(note)
                elif known != note:
                    raise InvalidInput(
                        f"Review note {note.note_id} is already stored with other content; "
                        "nothing was imported from this batch"
                    )
            if fresh:
                conn.execute(insert(review_notes), _chained_rows(conn, fresh))
            return len(fresh)

        return self._chained_write(work, beside_the_ledger=False)

    def chain(self, *, page_size: int = PAGE_SIZE) -> Iterator[ChainedNote]:
        """Every note with its chain columns, in chain order (unchained ones first), for
        `verify`; read lazily in keyset pages."""
        after: tuple[int, str] | None = None
        seq_key = func.coalesce(review_notes.c.seq, 0)
        while True:
            query = select(*_COLUMNS, review_notes.c.seq, review_notes.c.hash, seq_key)
            if after is not None:
                query = query.where(
                    (seq_key > after[0]) | ((seq_key == after[0]) & (review_notes.c.id > after[1]))
                )
            query = query.order_by(seq_key, review_notes.c.id).limit(page_size)
            with self._conns.read() as conn:
                rows = conn.execute(query).all()
            for row in rows:
                yield ChainedNote(_note(row[:7]), row[7], row[8])
            if len(rows) < page_size:
                return
            after = (int(rows[-1][9]), rows[-1][0])

    def stored(self, note_ids: Iterable[str]) -> dict[str, ReviewNote]:
        """The notes stored under these ids."""
        with self._conns.read() as conn:
            return self._stored(conn, list(note_ids))

    @staticmethod
    def _stored(conn: Any, ids: list[str]) -> dict[str, ReviewNote]:
        found: dict[str, ReviewNote] = {}
        for start in range(0, len(ids), PAGE_SIZE):
            query = select(*_COLUMNS).where(review_notes.c.id.in_(ids[start : start + PAGE_SIZE]))
            found.update({row[0]: _note(row) for row in conn.execute(query)})
        return found

    def find(
        self,
        where: NoteFilter | None = None,
        *,
        limit: int | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[ReviewNote]:
        """Notes oldest first, filtered, read lazily in keyset pages (created_at, id)."""
        conditions = note_conditions(where) if where is not None else []
        yield from self._pages(conditions, limit, page_size)

    def about(
        self, events_where: EventFilter, after: int, upto: int, *, page_size: int = PAGE_SIZE
    ) -> Iterator[ReviewNote]:
        """The notes about the events in positions (`after`, `upto`] that match
        `events_where`: notes on those events, and account notes on their accounts."""
        window = [events.c.position > after, events.c.position <= upto,
                  *event_conditions(events_where, self._conns.backend)]  # fmt: skip
        exported_ids = select(events.c.id).where(and_(*window))
        exported_accounts = select(events.c.aggregate_id).where(and_(*window))
        about = review_notes.c.event_id.in_(exported_ids) | (
            (review_notes.c.target_kind == "account")
            & review_notes.c.account_id.in_(exported_accounts)
        )
        yield from self._pages([about], None, page_size)

    def _pages(
        self, conditions: list[Any], limit: int | None, page_size: int
    ) -> Iterator[ReviewNote]:
        if limit is not None:
            check_count(limit, "limit")
        pager = KeysetPager(_COLUMNS, _KEYS, where=conditions, raw=False)
        for rows in pager.pages(self._conns.read, page_size=page_size, limit=limit):
            for row in rows:
                yield _note(row)

    def count(self) -> int:
        """How many notes there are (append-only: a different count means new notes)."""
        query = select(func.count()).select_from(review_notes)
        with self._conns.read() as conn:
            return int(conn.execute(query).scalar() or 0)
