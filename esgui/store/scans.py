"""Raw scans for the audit tools: every stored row as it is (the hash-chain check), where
stored event ids are (imports, review notes, the log), and how far the projections got.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select, tuple_

from esgui.store.connections import Connections
from esgui.store.decoding import columns_for
from esgui.store.paging import KeysetPager
from esgui.store.projections import highest_checkpoint
from esgui.store.reads import IN_LIST
from esgui.store.records import EventLocation, StoredRow
from esgui.store.schema import events


class Scans:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._pager = KeysetPager(columns_for(conns.backend).stored, [events.c.position])

    def stored_rows(
        self, *, page_size: int, after: int | None = None
    ) -> Iterator[list[StoredRow]]:
        """Every row of the log in position order (with `after`: only positions greater
        than it), a page at a time, exactly as stored: rows at positions the log never
        hands out (below 1) too. A time that cannot be read is not an error here: the
        row says so (`time_error`)."""
        to_time = self._conns.backend.stored_time
        new_row = StoredRow.__new__
        for rows in self._pager.pages(self._conns.read, after, page_size=page_size):
            page: list[StoredRow] = []
            for (position, event_id, aggregate_id, aggregate_type, event_type, schema_version,
                 version, created, operator, data, metadata, hash_) in rows:  # fmt: skip
                recorded_at, problem = None, None
                try:
                    recorded_at = to_time(created)
                except (TypeError, ValueError, AttributeError) as error:
                    problem = str(error)
                page.append(new_row(StoredRow, position, event_id, aggregate_id,
                                    aggregate_type, event_type, schema_version, version,
                                    recorded_at, operator, data, metadata, hash_,
                                    problem))  # fmt: skip
            yield page

    def stored_range(self, first: int, last: int) -> list[StoredRow]:
        """The stored rows at positions `first`…`last` (a short range: an incremental
        verify's checkpoint and the event before it)."""
        rows: list[StoredRow] = []
        for page in self.stored_rows(page_size=max(1, last - first + 1), after=first - 1):
            rows.extend(row for row in page if row.position <= last)
            break
        return rows

    def positions_of(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
        """The position of each stored (aggregate id, version) among `keys` (the ones
        not stored are left out)."""
        wanted = sorted(set(keys))
        found: dict[tuple[str, int], int] = {}
        with self._conns.read() as conn:
            for start in range(0, len(wanted), IN_LIST):
                chunk = wanted[start : start + IN_LIST]
                query = select(events.c.aggregate_id, events.c.version, events.c.position).where(
                    tuple_(events.c.aggregate_id, events.c.version).in_(chunk)
                )
                for row in conn.execute(query):
                    found[(row[0], int(row[1]))] = int(row[2])
        return found

    def hashes_at(self, positions: Iterable[int]) -> dict[int, str]:
        """The stored hash at each of these positions (positions without an event are
        left out)."""
        wanted = sorted(set(positions))
        found: dict[int, str] = {}
        with self._conns.read() as conn:
            for start in range(0, len(wanted), IN_LIST):
                query = select(events.c.position, events.c.hash).where(
                    events.c.position.in_(wanted[start : start + IN_LIST])
                )
                found.update({int(row[0]): str(row[1]) for row in conn.execute(query)})
        return found

    def locate(self, event_ids: Iterable[str]) -> dict[str, EventLocation]:
        """Where each of these event ids is stored (ids not stored are left out)."""
        ids = sorted(set(event_ids))
        found: dict[str, EventLocation] = {}
        with self._conns.read() as conn:
            for start in range(0, len(ids), IN_LIST):
                query = select(
                    events.c.id, events.c.aggregate_id, events.c.version, events.c.position
                ).where(events.c.id.in_(ids[start : start + IN_LIST]))
                for row in conn.execute(query):
                    found[row[0]] = EventLocation(row[1], int(row[2]), int(row[3]))
        return found

    def highest_checkpoint(self) -> int:
        """The furthest position any projection has applied (beyond the head: the log
        lost its newest events)."""
        with self._conns.read() as conn:
            return highest_checkpoint(conn)
