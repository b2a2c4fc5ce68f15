"""The keyset pager: every paged read of the store goes through it.

A page is ``WHERE <conditions> AND key > :cursor ORDER BY key LIMIT :n`` (``<`` and
descending order for newest first), so each page is one index range however deep into
the table it is, and memory stays bounded however large the store. A composite key
(review notes: created_at, id) compares lexicographically. A gapless key (an aggregate's
versions) can page by closed ranges instead, which the index answers without a LIMIT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Select, and_, or_, select

from esgui.store.decoding import processed_rows, raw_rows

Read = Callable[[], AbstractContextManager[Connection]]


def _index_of(columns: Sequence[Any], key: Any) -> int:
    for index, selected in enumerate(columns):
        if selected is key:
            return index
    raise ValueError(f"the key {key} must be one of the selected columns")


class KeysetPager:
    """Pages of one selection in key order. `raw` pages hold the driver's tuples (the
    hot reads); otherwise SQLAlchemy's rows, with its type processing."""

    __slots__ = ("columns", "keys", "where", "descending", "_key_at", "_order", "_fetch")

    def __init__(
        self,
        columns: Sequence[Any],
        keys: Sequence[Any],
        *,
        where: Sequence[Any] = (),
        descending: bool = False,
        raw: bool = True,
    ) -> None:
        if not keys:
            raise ValueError("a keyset pager needs a key")
        self.columns = tuple(columns)
        self.keys = tuple(keys)
        self.where = tuple(where)
        self.descending = descending
        self._key_at = tuple(_index_of(self.columns, key) for key in self.keys)
        self._order = tuple(key.desc() if descending else key for key in self.keys)
        self._fetch = raw_rows if raw else processed_rows

    def _beyond(self, cursor: Any) -> Any:
        """Rows strictly after `cursor` in the pager's order."""
        if len(self.keys) == 1:
            key = self.keys[0]
            return key < cursor if self.descending else key > cursor
        values = tuple(cursor)
        clauses = []
        for i, key in enumerate(self.keys):
            equal = [self.keys[j] == values[j] for j in range(i)]
            clauses.append(and_(*equal, key < values[i] if self.descending else key > values[i]))
        return or_(*clauses)

    def statement(
        self, after: Any = None, *, limit: int | None = None, until: Any = None
    ) -> Select[Any]:
        """One page: rows after the cursor `after` (None: from the first row), with keys
        up to `until` inclusive (single keys only), at most `limit` of them."""
        conditions = list(self.where)
        if after is not None:
            conditions.append(self._beyond(after))
        if until is not None:
            key = self.keys[0]
            conditions.append(key >= until if self.descending else key <= until)
        query = select(*self.columns).where(*conditions).order_by(*self._order)
        return query if limit is None else query.limit(limit)

    def fetch(
        self, conn: Connection, after: Any = None, *, limit: int | None = None, until: Any = None
    ) -> list[Any]:
        return self._fetch(conn, self.statement(after, limit=limit, until=until))

    def cursor(self, row: Sequence[Any]) -> Any:
        """The cursor a row leaves: its key (a tuple of keys for a composite key)."""
        if len(self._key_at) == 1:
            return row[self._key_at[0]]
        return tuple(row[i] for i in self._key_at)

    def pages(
        self,
        read: Read,
        after: Any = None,
        *,
        page_size: int,
        limit: int | None = None,
    ) -> Iterator[list[Any]]:
        """Every page after `after` (at most `limit` rows in all), each read on the
        connection `read()` gives. The last page is the first one that comes back short
        (possibly empty); nothing is read until the first page is asked for."""
        remaining = limit
        while remaining is None or remaining > 0:
            size = page_size if remaining is None else min(page_size, remaining)
            with read() as conn:
                rows = self._fetch(conn, self.statement(after, limit=size))
            yield rows
            if len(rows) < size:
                return
            after = self.cursor(rows[-1])
            if remaining is not None:
                remaining -= len(rows)

    def ranges(
        self, read: Read, after: int, *, page_size: int, last: int | None = None
    ) -> Iterator[list[Any]]:
        """Pages of a gapless integer key (1, 2, 3… without holes, like an aggregate's
        versions): each page is the closed range after the cursor, up to `last`."""
        key = self.keys[0]
        while last is None or after < last:
            high = after + page_size if last is None else min(after + page_size, last)
            query = (
                select(*self.columns)
                .where(*self.where, key.between(after + 1, high))
                .order_by(*self._order)
            )
            with read() as conn:
                rows = self._fetch(conn, query)
            yield rows
            if len(rows) < high - after:
                return
            after = high
