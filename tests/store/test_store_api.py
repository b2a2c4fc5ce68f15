"""The store's API for the layers above it, run against every backend: EventFilter and
its one translation into SQL, the keyset pager, review-notes storage, projection
storage (the projector's unit of work), raw scans, log windows and change watchers."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

import esgui
from esgui.errors import InvalidInput, NotPermitted
from esgui.store import EventFilter, NewEvent, NoteFilter, ReviewNote, SummaryRow
from esgui.store.filters import event_conditions, like_pattern
from esgui.store.paging import KeysetPager
from esgui.store.schema import events, review_notes
from tests.audit.audit_helpers import START, make_history


@pytest.fixture
def history(store):
    """Nine events over three accounts, one hour apart (see audit_helpers.make_history)."""
    make_history(store)
    return store


class Statements:
    """The SELECTs a block sends to the database."""

    def __init__(self, engine, table: str = "events") -> None:
        self.engine, self.table, self.seen = engine, table, []

    def _on(self, conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {self.table}" in statement:
            self.seen.append(statement)

    def __enter__(self) -> list[str]:
        sa_event.listen(self.engine, "before_cursor_execute", self._on)
        return self.seen

    def __exit__(self, *_exc) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._on)


def note(account_id: str, text: str, *, event_id: str | None = None, when=None) -> ReviewNote:
    return ReviewNote(str(uuid.uuid4()), "event" if event_id else "account", event_id,
                      account_id, text, "kim", when or datetime.now(UTC))  # fmt: skip


# -- EventFilter -------------------------------------------------------------------------


def test_event_filter_normalises_types_and_refuses_naive_times() -> None:
    assert EventFilter(event_types="MoneyDeposited").event_types == ("MoneyDeposited",)
    assert EventFilter(event_types=["A", "B"]).event_types == ("A", "B")  # type: ignore[arg-type]
    assert EventFilter().empty and not EventFilter(event_types=()).empty
    for bad in (datetime(2026, 1, 1), "2026-01-01"):
        with pytest.raises(InvalidInput, match="needs a timezone"):
            EventFilter(since=bad)  # type: ignore[arg-type]
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"


def test_every_filter_field_selects_the_same_events_everywhere(history) -> None:
    cases = {
        EventFilter(): [1, 2, 3, 4, 5, 6, 7, 8, 9],
        EventFilter(aggregate_id="B1"): [2, 4, 7, 8],
        EventFilter(event_types=("MoneyWithdrawn", "AccountClosed")): [5, 7, 8],
        EventFilter(event_types=()): [],
        EventFilter(operator="bob"): [2, 4, 5, 7, 8],
        EventFilter(since=START + timedelta(hours=6)): [7, 8, 9],
        EventFilter(until=START + timedelta(hours=1)): [1, 2],
        EventFilter(aggregate_id="A1", operator="bob"): [5],
    }
    for where, positions in cases.items():
        assert [e.position for e in history.read_all(where=where)] == positions, where
        assert history.count(where=where) == len(positions), where
        entries = history.log.window(where, limit=100)
        assert [e.position for e in entries] == positions, where


def test_text_filter_is_a_case_insensitive_substring_of_ids_types_operators_and_json(
    history,
) -> None:
    def found(text: str) -> list[int]:
        return [e.position for e in history.log.window(EventFilter(text=text), limit=100)]

    assert found("b1") == [2, 4, 7, 8]  # account id
    assert found("closed") == [8]  # event type
    assert found("BOB") == [2, 4, 5, 7, 8]  # operator (and "Bob Bauer" in position 2's data)
    assert found("chloé") == [6]  # data JSON, non-ASCII
    assert found("5.25") == [9]
    assert found('"user"') == list(range(1, 10))  # metadata JSON text
    assert found("%") == [] and found("_") == []  # wildcards are literal
    assert found("   ") == list(range(1, 10))  # blank: no text filter


def test_keywords_or_where_not_both(history) -> None:
    with pytest.raises(TypeError):
        history.count("MoneyDeposited", where=EventFilter(aggregate_id="A1"))
    with pytest.raises(TypeError):
        list(history.read_all(operator="bob", where=EventFilter()))


def test_event_conditions_bind_every_value(store) -> None:
    nasty = "x'); DROP TABLE events; --"
    where = EventFilter(aggregate_id=nasty, operator=nasty, text=nasty, event_types=(nasty,))
    for condition in event_conditions(where, store._backend):
        compiled = condition.compile(store.engine)
        assert "DROP TABLE" not in str(compiled)  # the value is a parameter, not SQL
    assert store.count(where=where) == 0


# -- the keyset pager --------------------------------------------------------------------


def test_pager_pages_lazily_one_query_per_page(history) -> None:
    pager = KeysetPager((events.c.position, events.c.aggregate_id), [events.c.position])
    with Statements(history.engine) as seen:
        pages = pager.pages(history._conns.read, page_size=4)
        assert seen == []
        sizes = [len(page) for page in pages]
    assert sizes == [4, 4, 1] and len(seen) == 3
    assert all("LIMIT" in s.upper() for s in seen) and "position >" not in seen[0]
    assert all("position >" in s for s in seen[1:])


def test_pager_after_limit_descending_and_an_exact_last_page(history) -> None:
    read = history._conns.read
    ascending = KeysetPager((events.c.position,), [events.c.position])
    positions = [row[0] for page in ascending.pages(read, 2, page_size=3, limit=5) for row in page]
    assert positions == [3, 4, 5, 6, 7]
    assert [len(p) for p in ascending.pages(read, page_size=3)] == [3, 3, 3, 0]
    assert list(ascending.pages(read, page_size=3, limit=0)) == []
    newest = KeysetPager((events.c.position,), [events.c.position], descending=True,
                         where=[events.c.aggregate_id == "A1"])  # fmt: skip
    assert [row[0] for page in newest.pages(read, page_size=2) for row in page] == [9, 5, 3, 1]
    assert [row[0] for page in newest.pages(read, 5, page_size=2) for row in page] == [3, 1]
    with read() as conn:
        assert [r[0] for r in ascending.fetch(conn, 3, until=6)] == [4, 5, 6]
        assert [r[0] for r in newest.fetch(conn, 9, until=3, limit=1)] == [5]


def test_pager_ranges_over_a_gapless_key(history) -> None:
    history.append("A1", 4, [NewEvent("MoneyDeposited", {"amount": "1.00"}, {"user": "x"}, 2)
                              for _ in range(6)])  # fmt: skip
    pager = KeysetPager((events.c.version,), [events.c.version],
                        where=[events.c.aggregate_id == "A1"])  # fmt: skip
    read = history._conns.read
    with Statements(history.engine) as seen:
        pages = [[row[0] for row in page] for page in pager.ranges(read, 2, page_size=3)]
    assert pages == [[3, 4, 5], [6, 7, 8], [9, 10]]
    assert len(seen) == 3 and not any("LIMIT" in s.upper() for s in seen)
    bounded = [[row[0] for row in page] for page in pager.ranges(read, 0, page_size=4, last=6)]
    assert bounded == [[1, 2, 3, 4], [5, 6]]
    assert list(pager.ranges(read, 6, page_size=4, last=6)) == []


def test_pager_composite_key_neither_skips_nor_repeats_ties(history) -> None:
    when = datetime(2026, 5, 1, tzinfo=UTC)
    tied = [note("A1", f"tie {i}", when=when) for i in range(5)]
    later = note("A1", "later", when=when + timedelta(seconds=1))
    for item in [*tied, later]:
        history.notes.add(item)
    pager = KeysetPager(
        (review_notes.c.id, review_notes.c.text, review_notes.c.created_at),
        [review_notes.c.created_at, review_notes.c.id],
        raw=False,
    )
    pages = list(pager.pages(history._conns.read, page_size=2))
    texts = [row[1] for page in pages for row in page]
    assert texts == [n.text for n in sorted(tied, key=lambda n: n.note_id)] + ["later"]
    assert [len(page) for page in pages] == [2, 2, 2, 0]


def test_pager_needs_its_key_among_the_columns() -> None:
    with pytest.raises(ValueError):
        KeysetPager((events.c.id,), [events.c.position])


# -- review-notes storage ----------------------------------------------------------------


def test_notes_storage_round_trip_filters_and_count(history) -> None:
    first = next(history.read_all(limit=1))
    on_event = note("A1", "about the opening", event_id=first.event_id)
    on_account = note("B1", "about B1")
    history.notes.add(on_event)
    history.notes.add(on_account)
    assert history.notes.count() == 2
    assert list(history.notes.find()) == [on_event, on_account]
    assert list(history.notes.find(NoteFilter(account_id="B1"))) == [on_account]
    assert list(history.notes.find(NoteFilter(target_kind="event"))) == [on_event]
    assert list(history.notes.find(NoteFilter(event_id=first.event_id))) == [on_event]
    assert list(history.notes.find(limit=1)) == [on_event]
    assert history.notes.stored([on_account.note_id, str(uuid.uuid4())]) == {
        on_account.note_id: on_account
    }
    for bad in ({"target_kind": "ledger"}, {"since": datetime(2026, 1, 1)}):
        with pytest.raises(InvalidInput):
            NoteFilter(**bad)  # type: ignore[arg-type]


def test_notes_about_a_filtered_window_of_events(history) -> None:
    events_ = list(history.read_all())
    notes = [
        note("A1", "on A1 v2", event_id=events_[2].event_id), note("B1", "B1 itself"),
        note("C1", "C1 itself"), note("A1", "on A1 v4", event_id=events_[8].event_id),
    ]  # fmt: skip
    for item in notes:
        history.notes.add(item)
    about = history.notes.about(EventFilter(event_types=("MoneyDeposited",)), 0, 4)
    assert [n.text for n in about] == ["on A1 v2", "B1 itself"]  # B1's deposit is at 4
    assert [n.text for n in history.notes.about(EventFilter(), 5, 9)] == [
        "B1 itself",
        "C1 itself",
        "on A1 v4",
    ]


def test_insert_missing_is_idempotent_and_refuses_a_changed_note(history) -> None:
    notes = [note("A1", "one"), note("B1", "two")]
    assert history.notes.insert_missing(notes) == 2
    assert history.notes.insert_missing(notes) == 0
    changed = ReviewNote(*(notes[0].note_id, "account", None, "A1", "edited", "kim",
                           notes[0].created_at))  # fmt: skip
    with pytest.raises(InvalidInput, match="other content"):
        history.notes.insert_missing([note("C1", "three"), changed])
    assert [n.text for n in history.notes.find()] == ["one", "two"]  # nothing of the batch


def test_notes_are_written_beside_the_ledger_even_read_only(history, store_url) -> None:
    with esgui.open_store(store_url, read_only=True) as read_only:
        read_only.notes.add(note("A1", "flagged while read-only"))
        with pytest.raises(NotPermitted):
            read_only.notes.insert_missing([note("A1", "an import")])  # imports write the log
        assert [n.text for n in read_only.notes.find()] == ["flagged while read-only"]


# -- projection storage ------------------------------------------------------------------


def summary_row(account_id: str, balance: str, last_position: int) -> SummaryRow:
    return SummaryRow(account_id, "Owner", balance, "open", 1, 1, None, None, last_position, None)


def test_a_projection_batch_commits_rows_and_checkpoint_together(history) -> None:
    storage = history.projection("test_projection")
    assert storage.checkpoint() == 0
    with storage.batch() as batch:
        assert batch.checkpoint == 0
        assert [e.position for e in batch.events(4)] == [1, 2, 3, 4]
        batch.save(
            changed=[], inserted=[summary_row("A1", "1.00", 3), summary_row("B1", "0.00", 4)]
        )
        batch.move_checkpoint(4)
    assert storage.checkpoint() == 4 and storage.count() == 2
    with storage.batch() as batch:
        assert [e.position for e in batch.events(100)] == [5, 6, 7, 8, 9]
        assert set(batch.rows(["A1", "C1"])) == {"A1"}
        batch.save(changed=[summary_row("A1", "2.00", 9)], inserted=[summary_row("C1", "3.00", 6)])
        batch.move_checkpoint(9)
    assert [r.balance for r in storage.rows()] == ["2.00", "0.00", "3.00"]
    assert [r.account_id for r in storage.rows(changed_after=5)] == ["A1", "C1"]
    assert storage.row("C1") == summary_row("C1", "3.00", 6) and storage.row("Z9") is None
    checkpoint, rows = storage.read_model()  # (in no particular order)
    assert checkpoint == 9 and sorted(rows) == storage.rows()
    assert history.scans.highest_checkpoint() == 9


def test_a_failed_batch_leaves_rows_and_checkpoint_as_they_were(history) -> None:
    storage = history.projection("test_projection")
    with pytest.raises(RuntimeError), storage.batch() as batch:
        batch.save(changed=[], inserted=[summary_row("A1", "1.00", 1)])
        batch.move_checkpoint(1)
        raise RuntimeError("the projector failed half-way")
    assert storage.checkpoint() == 0 and storage.count() == 0
    with storage.batch() as batch:
        batch.save(changed=[], inserted=[summary_row("A1", "1.00", 1)])
        batch.move_checkpoint(1)
    with storage.batch() as batch:
        batch.clear()
        batch.move_checkpoint(0)
    assert storage.checkpoint() == 0 and storage.rows() == []


def test_projection_storage_refuses_writes_on_a_read_only_store(history, store_url) -> None:
    with esgui.open_store(store_url, read_only=True) as read_only:
        storage = read_only.projection("test_projection")
        assert storage.read_model() == (0, [])
        with pytest.raises(NotPermitted), storage.batch():
            pass


# -- raw scans, log windows, watchers ----------------------------------------------------


def test_stored_rows_are_the_rows_as_stored(history) -> None:
    pages = list(history.scans.stored_rows(page_size=4))
    assert [len(page) for page in pages] == [4, 4, 1]
    rows = [row for page in pages for row in page]
    for row, event in zip(rows, history.read_all(), strict=True):
        assert (row.position, row.event_id, row.aggregate_id, row.version, row.hash,
                row.recorded_at, row.time_error) == (
            event.position, event.event_id, event.aggregate_id, event.version, event.hash,
            event.recorded_at, None)  # fmt: skip
        assert isinstance(row.data_json, str) and isinstance(row.metadata_json, str)


def test_locate_and_current_versions(history) -> None:
    third = list(history.read_all())[2]
    found = history.scans.locate([third.event_id, str(uuid.uuid4())])
    assert found == {third.event_id: ("A1", 2, 3)}
    assert history.current_versions(["A1", "B1", "NOPE"]) == {"A1": 4, "B1": 4}


def test_log_windows_by_position_and_by_version(history) -> None:
    log = history.log
    assert [e.position for e in log.window(EventFilter(), after=3, until=6)] == [4, 5, 6]
    newest = log.window(EventFilter(), after=9, until=5, newest_first=True)
    assert [e.position for e in newest] == [8, 7, 6, 5]
    b1 = log.window(EventFilter(aggregate_id="B1"), key="version", after=1, limit=2)
    assert [(e.version, e.event_type) for e in b1] == [(2, "MoneyDeposited"), (3, "MoneyWithdrawn")]
    assert b1[0].data == {"amount": "20.00"} and b1[0].recorded_at.tzinfo is not None
    assert log.operators() == ["alice", "bob"]
    with pytest.raises(ValueError):
        log.window(EventFilter(), key="hash")


def test_a_watcher_hears_another_writer(history, store_url) -> None:
    stop = threading.Event()
    watcher = history.watch(stop)
    try:
        assert watcher.wait(0.05) is False
        with esgui.open_store(store_url) as other:
            other.append(
                "C1", 1, [NewEvent("MoneyDeposited", {"amount": "1.00"}, {"user": "x"}, 2)]
            )
        assert any(watcher.wait(0.5) for _ in range(20))
        stop.set()
        assert watcher.wait(5) is False  # a stopped watcher returns at once
    finally:
        watcher.close()
