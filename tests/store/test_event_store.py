"""The store contract, run against every backend (tests/store/conftest.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

import esgui
from esgui.errors import ConcurrencyError, InvalidInput, NotPermitted
from esgui.store import NewEvent
from esgui.store.hashing import GENESIS_HASH


def ev(
    event_type: str = "MoneyDeposited", amount: str = "1.00", user: str = "alice", **kwargs
) -> NewEvent:
    data = {"amount": amount} if event_type.startswith("Money") else {}
    schema = 2 if event_type.startswith("Money") else 1
    return NewEvent(event_type, data, {"user": user}, schema, **kwargs)


def test_append_and_read_back_in_order(store) -> None:
    recorded = store.append("A1", 0, [ev("AccountOpened"), ev(), ev(amount="2.50")])
    assert [r.version for r in recorded] == [1, 2, 3]
    stream = list(store.read_stream("A1"))
    assert [e.event_id for e in stream] == [r.event_id for r in recorded]
    assert [e.position for e in stream] == [1, 2, 3]
    assert stream[2].data == {"amount": "2.50"}
    assert stream[0].metadata == {"user": "alice"}
    assert stream[0].operator == "alice"
    assert all(
        e.recorded_at.tzinfo is not None and e.recorded_at.utcoffset() == timedelta(0)
        for e in stream
    )
    assert store.current_version("A1") == 3
    assert store.current_version("nobody") == 0


def test_read_stream_version_window(store) -> None:
    store.append("A1", 0, [ev("AccountOpened")] + [ev() for _ in range(9)])
    assert [e.version for e in store.read_stream("A1", from_version=4, to_version=6)] == [4, 5, 6]
    assert [e.version for e in store.read_stream("A1", from_version=9)] == [9, 10]
    assert [e.version for e in store.read_stream("A1", 3, 7, page_size=2)] == [3, 4, 5, 6, 7]
    assert list(store.read_stream("A1", from_version=11)) == []


def test_stale_expected_version_raises_and_appends_nothing(store) -> None:
    store.append("A1", 0, [ev("AccountOpened")])
    store.append("A1", 1, [ev()])
    with pytest.raises(ConcurrencyError) as info:
        store.append("A1", 1, [ev(), ev()])
    error = info.value
    assert (error.aggregate_id, error.expected, error.actual) == ("A1", 1, 2)
    assert "A1" in str(error) and "expected version 1" in str(error) and "version 2" in str(error)
    assert store.current_version("A1") == 2
    assert store.head()[0] == 2


def test_version_uniqueness_is_enforced_by_the_database(store, location) -> None:
    store.append("A1", 0, [ev("AccountOpened")])
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        location.sql(
            "INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
            "schema_version, version, data, metadata, operator, created_at, hash) "
            "VALUES (?, ?, 'A1', 'BankAccount', 'MoneyDeposited', 2, 1, '{}', '{}', 'x', "
            "'2026-01-01 00:00:00', 'h')",
            (99, str(uuid.uuid4())),
        )


def test_retried_append_with_same_ids_is_a_no_op(store) -> None:
    events = [ev("AccountOpened", event_id=str(uuid.uuid4())), ev(event_id=str(uuid.uuid4()))]
    first = store.append("A1", 0, events)
    again = store.append("A1", 0, events)  # the retry of a committed append
    assert [e.event_id for e in again] == [e.event_id for e in first]
    assert store.head()[0] == 2
    assert store.count() == 2


def test_partly_stored_ids_are_refused(store) -> None:
    known = str(uuid.uuid4())
    store.append("A1", 0, [ev("AccountOpened", event_id=known)])
    with pytest.raises(InvalidInput):
        store.append("A1", 1, [ev(event_id=known), ev()])
    with pytest.raises(InvalidInput):
        store.append("B1", 0, [ev("AccountOpened", event_id=known)])
    assert store.head()[0] == 1


@pytest.mark.parametrize("bad", [
    [], [NewEvent("", {}, {})], [NewEvent("X", {"v": float("nan")} | {"o": object()}, {})],
    [NewEvent("X", {}, {}, event_id="not-a-uuid")],
    [NewEvent("X", {}, {}, recorded_at=datetime(2026, 1, 1))],
])  # fmt: skip
def test_bad_events_are_invalid_input(store, bad) -> None:
    with pytest.raises(InvalidInput):
        store.append("A1", 0, bad)
    assert store.head() == (0, GENESIS_HASH)


@pytest.mark.parametrize("bad_id", ["", "x" * 256, "a\x00b"])
def test_bad_aggregate_ids_are_invalid_input(store, bad_id: str) -> None:
    with pytest.raises(InvalidInput):
        store.append(bad_id, 0, [ev("AccountOpened")])


def test_positions_are_global_gapless_and_hash_chained(store) -> None:
    store.append("A1", 0, [ev("AccountOpened")])
    store.append("B1", 0, [ev("AccountOpened"), ev()])
    store.append("A1", 1, [ev()])
    everything = list(store.read_all())
    assert [e.position for e in everything] == [1, 2, 3, 4]
    assert [(e.aggregate_id, e.version) for e in everything] == [
        ("A1", 1),
        ("B1", 1),
        ("B1", 2),
        ("A1", 2),
    ]
    assert len({e.hash for e in everything}) == 4
    assert store.head() == (4, everything[-1].hash)
    times = [e.recorded_at for e in everything]
    assert times == sorted(times)


def test_read_all_is_keyset_paged_and_lazy(store) -> None:
    store.append("A1", 0, [ev("AccountOpened")] + [ev() for _ in range(34)])
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM events" in statement:
            statements.append(statement)

    sa_event.listen(store.engine, "before_cursor_execute", count)
    try:
        stream = store.read_all(page_size=10)
        assert statements == []  # nothing read until iterated
        first = next(stream)
        assert first.position == 1 and len(statements) == 1
        rest = list(stream)
    finally:
        sa_event.remove(store.engine, "before_cursor_execute", count)
    assert len(rest) == 34
    assert len(statements) == 4  # 10 + 10 + 10 + 5
    assert all("LIMIT" in s.upper() for s in statements)


def test_read_all_after_limit_and_type(store) -> None:
    store.append("A1", 0, [ev("AccountOpened"), ev(), ev("MoneyWithdrawn"), ev()])
    store.append("B1", 0, [ev("AccountOpened"), ev("MoneyWithdrawn")])
    assert [e.position for e in store.read_all(after=2)] == [3, 4, 5, 6]
    assert [e.position for e in store.read_all(after=2, limit=2)] == [3, 4]
    assert [e.position for e in store.read_all(limit=0)] == []
    assert [e.position for e in store.read_all(event_types=["MoneyWithdrawn"])] == [3, 6]
    assert [e.position for e in store.read_all(event_types="MoneyWithdrawn", page_size=1)] == [3, 6]
    assert [e.position for e in store.read_all(aggregate_id="B1")] == [5, 6]
    assert [e.position for e in store.read_all(descending=True, page_size=4)] == [6, 5, 4, 3, 2, 1]
    assert [e.position for e in store.read_all(after=5, descending=True, limit=2)] == [4, 3]
    assert store.count(event_types=["AccountOpened"]) == 2


def test_read_by_operator_and_time_range(store) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    store.append("A1", 0, [ev("AccountOpened", user="alice", recorded_at=base)])
    store.append("A1", 1, [ev(user="bob", recorded_at=base + timedelta(hours=1))])
    store.append("A1", 2, [ev(user="alice", recorded_at=base + timedelta(hours=2))])
    assert [e.version for e in store.read_all(operator="alice")] == [1, 3]
    window = store.read_all(since=base + timedelta(minutes=30), until=base + timedelta(hours=2))
    assert [e.version for e in window] == [2, 3]
    other_zone = datetime(2026, 1, 1, 3, 0, tzinfo=UTC).astimezone()
    assert [e.version for e in store.read_all(until=other_zone)] == [1, 2, 3]
    assert store.version_at("A1", base + timedelta(minutes=90)) == 2
    assert store.version_at("A1", base - timedelta(days=1)) == 0
    with pytest.raises(InvalidInput):
        list(store.read_all(since=datetime(2026, 1, 1)))


def test_given_recorded_time_is_kept_in_utc(store) -> None:
    when = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC).astimezone()
    store.append("A1", 0, [ev("AccountOpened", recorded_at=when)])
    (event,) = store.read_stream("A1")
    assert event.recorded_at == when
    assert event.recorded_at.tzinfo == UTC


def test_unicode_and_nested_data_round_trip(store) -> None:
    data = {"owner": "Zoë 王 \u00e9", "nested": {"list": [1, 2, {"deep": True}]}}
    store.append("A1", 0, [NewEvent("Note", data, {"user": "Ünal"})])
    (event,) = store.read_stream("A1")
    assert event.data == data
    assert event.operator == "Ünal"
    assert event.upcast_error is not None  # unknown type: kept as stored, flagged


def test_read_only_store_refuses_appends(store_url) -> None:
    esgui.open_store(store_url).close()  # create it
    with esgui.open_store(store_url, read_only=True) as store:
        with pytest.raises(NotPermitted):
            store.append("A1", 0, [ev("AccountOpened")])
        assert list(store.read_all()) == []


def test_append_many_interleaves_streams_atomically(store) -> None:
    store.append_many(
        [("A1", 0, [ev("AccountOpened")]), ("B1", 0, [ev("AccountOpened")]), ("A1", 1, [ev()])]
    )
    assert [(e.aggregate_id, e.version) for e in store.read_all()] == [
        ("A1", 1),
        ("B1", 1),
        ("A1", 2),
    ]
    with pytest.raises(ConcurrencyError):
        store.append_many([("C1", 0, [ev("AccountOpened")]), ("B1", 0, [ev()])])
    with pytest.raises(InvalidInput):
        store.append_many([("C1", 0, [ev("AccountOpened")]), ("C1", 5, [ev()])])
    assert store.current_version("C1") == 0
    assert store.head()[0] == 3


def test_snapshots_round_trip(store) -> None:
    recorded = store.append("A1", 0, [ev("AccountOpened"), ev("MoneyDeposited")])
    store.save_snapshots("A1", [(1, 1, {"v": 1}), (2, 1, {"v": 2})])
    store.save_snapshots("A1", [(2, 1, {"v": 2})])  # already there: ignored
    found = store.snapshots_at_or_below("A1", 5)
    assert [(s.version, s.state) for s in found] == [(2, {"v": 2}), (1, {"v": 1})]
    assert [s.version for s in store.snapshots_at_or_below("A1", 1)] == [1]
    # each is bound to the hash of the event at its version, and says so
    assert [(s.event_hash, s.chain_hash) for s in found] == [
        (recorded[1].hash, recorded[1].hash), (recorded[0].hash, recorded[0].hash)]
    assert all(s.bound for s in found)


def test_snapshots_are_only_stored_for_versions_that_have_an_event(store) -> None:
    store.append("A1", 0, [ev("AccountOpened")])
    store.save_snapshots("A1", [(1, 1, {"v": 1}), (7, 1, {"v": 7})])
    assert [s.version for s in store.snapshots_at_or_below("A1", 10)] == [1]


@pytest.mark.parametrize("statement", [
    "UPDATE snapshots SET state = state", "DELETE FROM snapshots",
])  # fmt: skip
def test_snapshots_are_append_only(store, location, statement: str) -> None:
    store.append("A1", 0, [ev("AccountOpened")])
    store.save_snapshots("A1", [(1, 1, {"v": 1})])
    with pytest.raises(Exception, match="append-only"):
        location.sql(statement)
    assert [s.version for s in store.snapshots_at_or_below("A1", 1)] == [1]


def test_deeply_nested_or_huge_payloads_are_invalid_input(store) -> None:
    deep: dict = {}
    node = deep
    for _ in range(100_000):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(InvalidInput, match="nested too deeply"):
        store.append("A1", 0, [NewEvent("Note", deep, {"user": "x"})])
    with pytest.raises(InvalidInput, match="too large"):
        store.append("A1", 0, [NewEvent("Note", {"blob": "x" * 1_000_001}, {"user": "x"})])
    assert store.head() == (0, GENESIS_HASH)


def test_malformed_json_in_a_row_is_reported_on_that_event_only(store, location, accounts) -> None:
    if location.backend == "postgresql":
        pytest.skip("jsonb cannot hold malformed JSON")
    accounts.open("A1", owner="Alice")
    accounts.open("B1", owner="Bob")
    accounts.deposit("B1", "1.00")
    location.drop_append_only()
    location.sql("UPDATE events SET data = '{\"owner\": ' WHERE aggregate_id = 'A1'")
    location.sql("UPDATE events SET metadata = 'garbage' WHERE aggregate_id = 'B1' AND version = 2")
    broken, *rest = list(store.read_all())
    assert broken.upcast_error and "not valid JSON" in broken.upcast_error
    assert [e.aggregate_id for e in rest] == ["B1", "B1"]
    assert rest[1].metadata == {"_unreadable_metadata": "garbage"}
    with pytest.raises(esgui.StoreError, match="A1"):
        accounts.state("A1")
    assert accounts.state("B1").balance == 1


def test_unique_constraint_still_stops_a_writer_that_skips_the_checks(store, monkeypatch) -> None:
    """Optimistic concurrency does not rest on the read-then-write check alone."""
    store.append("A1", 0, [ev("AccountOpened"), ev()])
    appender = store._appends  # the store's append path (esgui.store.appends)
    monkeypatch.setattr(appender, "lock", lambda conn: None)
    head = (2, store.head()[1], None)
    monkeypatch.setattr(appender, "_check_versions", lambda conn, prepared: head)
    with pytest.raises(ConcurrencyError) as info:
        store.append("A1", 1, [ev()])  # would be version 2 again
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert store.head()[0] == 2


def test_ids_reused_in_another_stream_are_refused(store) -> None:
    known = str(uuid.uuid4())
    store.append("A1", 0, [ev("AccountOpened", event_id=known)])
    with pytest.raises(InvalidInput, match="already stored"):
        store.append("B1", 0, [ev("AccountOpened", event_id=known)])


@pytest.mark.parametrize(
    "nasty",
    ["x'); DROP TABLE events; --", "' OR '1'='1", "%s%s%(x)s", "?", 'ü\u202e\t"\\', "a" * 255],
)
def test_every_value_is_bound_never_formatted_into_sql(store, nasty: str) -> None:
    store.append(nasty, 0, [NewEvent(nasty[:100], {"k": nasty}, {"user": nasty[:200]})])
    (event,) = store.read_stream(nasty)
    assert (event.aggregate_id, event.data, event.operator) == (nasty, {"k": nasty}, nasty[:200])
    assert [e.aggregate_id for e in store.read_all(operator=nasty[:200])] == [nasty]
    assert store.current_version(nasty) == 1
