"""The non-Qt helpers the explorer stands on: windowed log queries, the balance series,
and the change watchers (data_version on SQLite, LISTEN/NOTIFY on PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

import esgui
from esgui.app.live import open_watcher
from esgui.app.queries import (
    EventQuery,
    Stopped,
    event_positions,
    fetch_newer,
    fetch_page,
    load_event,
)
from esgui.app.seed import seed
from esgui.app.timeline import BalanceSeries


def _all_pages(store, query, limit=7, window=13):
    rows, cursor = [], None
    while True:
        page = fetch_page(store, query, cursor, limit, window=window)
        rows += page.rows
        cursor = page.cursor
        if page.exhausted:
            return rows


@pytest.fixture
def seeded(store):
    seed(store, accounts=4, events=300, seed=5, user="seeder")
    accounts = esgui.Accounts(store, user="clerk")
    accounts.open("Q1", owner="Quinn Needle", initial="5.00")
    accounts.deposit("Q1", "1.00")
    return store


@pytest.mark.parametrize("newest_first", [True, False])
@pytest.mark.parametrize(
    "query",
    [
        EventQuery(),
        EventQuery(event_types=("MoneyWithdrawn",)),
        EventQuery(operator="clerk"),
        EventQuery(text="needle"),
        EventQuery(text="ACC-000002"),
        EventQuery(aggregate_id="ACC-000003"),
        EventQuery(aggregate_id="ACC-000003", event_types=("MoneyDeposited",)),
    ],
)
def test_paged_queries_match_a_plain_scan(seeded, query, newest_first):
    from dataclasses import replace

    query = replace(query, newest_first=newest_first)
    everything = list(seeded.read_all())
    text = query.text.lower()

    def wanted(e):
        import json

        blob = " ".join([e.aggregate_id, e.event_type, e.operator, json.dumps(e.stored_data),
                         json.dumps(e.metadata)]).lower()  # fmt: skip
        return ((not query.event_types or e.event_type in query.event_types)
                and (query.operator is None or e.operator == query.operator)
                and (query.aggregate_id is None or e.aggregate_id == query.aggregate_id)
                and (not text or text in blob))  # fmt: skip

    expected = [e.position for e in everything if wanted(e)]
    if newest_first:
        expected.reverse()
    assert [row.position for row in _all_pages(seeded, query)] == expected


def test_a_stopped_scan_keeps_what_it_found(seeded):
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(Stopped) as stopped:
        fetch_page(seeded, EventQuery(text="zzz-nowhere"), None, 10, window=20, should_stop=stop)
    page = stopped.value.page
    assert page.rows == [] and page.cursor is not None and not page.exhausted
    rest = fetch_page(seeded, EventQuery(text="zzz-nowhere"), page.cursor, 10, window=1000)
    assert rest.exhausted and rest.rows == []


def test_newer_rows_and_single_events(seeded):
    head = seeded.head()[0]
    esgui.Accounts(seeded, user="clerk").deposit("Q1", "2.50")
    rows, top, overflow = fetch_newer(seeded, EventQuery(), head, 10)
    assert [r.position for r in rows] == [head + 1] and top == head + 1 and not overflow
    assert rows[0].amount == "2.50" and rows[0].operator == "clerk"
    event = load_event(seeded, head + 1)
    assert event is not None and event.data == {"amount": "2.50"}
    assert load_event(seeded, head + 99) is None


def test_balance_series_agrees_with_replay(seeded):
    accounts = esgui.Accounts(seeded, user="check")
    series = BalanceSeries.load(seeded, "ACC-000001")
    assert len(series) == seeded.current_version("ACC-000001")
    for version in range(1, len(series) + 1, max(1, len(series) // 25)):
        state = accounts.state("ACC-000001", at_version=version)
        point = series.at(version)
        assert (point.balance, point.status) == (state.balance, state.status)
        assert series.version_at_time(point.recorded_at) >= version
        assert series.version_of_position(point.position) == version
    assert series.at(0) is None and series.balance_at(0) == Decimal("0.00")
    before = len(series)
    if series.status_at(before) == "open":
        accounts.deposit("ACC-000001", "1.00")
    series.extend(seeded)
    assert len(series) == seeded.current_version("ACC-000001")


def test_watchers_see_commits_from_other_connections(store, store_url):
    stop = threading.Event()
    watcher = open_watcher(store, stop)
    try:
        assert not watcher.wait(0.05)
        with esgui.open_store(store_url) as other:
            esgui.Accounts(other, user="elsewhere").open("N1", owner="Nia")
        assert any(watcher.wait(0.2) for _ in range(25))
        stop.set()
        assert not watcher.wait(5)  # returns at once when stopped
    finally:
        watcher.close()


def test_postgres_listener_ignores_other_schemas(store, tmp_path):
    if store.backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    from tests.conftest import StoreLocation

    other = StoreLocation(tmp_path)
    stop = threading.Event()
    watcher = open_watcher(store, stop)
    try:
        with esgui.open_store(other.url) as elsewhere:
            esgui.Accounts(elsewhere, user="x").open("O1", owner="Otto")
        assert not any(watcher.wait(0.2) for _ in range(3))
        esgui.Accounts(store, user="x").open("O1", owner="Otto")
        assert any(watcher.wait(0.2) for _ in range(25))
    finally:
        watcher.close()
        other.drop()


def test_event_positions_of_ids(store):
    accounts = esgui.Accounts(store, user="setup")
    accounts.open("P1", owner="Pia", initial="1.00")
    accounts.deposit("P1", "2.00")
    ids = {event.event_id: (event.position, event.version) for event in store.read_all()}
    unknown = "00000000-0000-4000-8000-000000000000"
    assert event_positions(store, [*ids, unknown]) == ids
    assert event_positions(store, []) == {}
