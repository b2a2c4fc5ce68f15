"""Saved queries (append-only, shared in the store) and statistics computed by the
database, on both engines: the statistics equal the same numbers computed in Python
from every event."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import esgui
from esgui.app.console import list_queries, save_query, statistics
from esgui.app.seed import seed
from esgui.app.stores import EventFilter
from esgui.cli import main
from esgui.domain.events import DEBIT_EVENT_TYPES, event_amount
from esgui.errors import InvalidInput


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- saved queries -------------------------------------------------------------------------


def test_saved_queries_are_shared_listed_and_run(store_url, capsys, monkeypatch) -> None:
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="5.00")
        accounts.deposit("A1", "1.25")
    monkeypatch.setenv("ESGUI_USER", "carol")
    sql = "SELECT account, amount FROM event_log ORDER BY position"
    assert _cli(capsys, "--db", store_url, "queries", "save", "moves", sql)[0] == 0
    code, out, err = _cli(capsys, "--db", store_url, "queries", "list", "--json")
    assert code == 0, err
    [saved] = json.loads(out)
    assert (saved["name"], saved["sql"], saved["author"]) == ("moves", sql, "carol")
    assert datetime.fromisoformat(saved["created_at"]).tzinfo is not None
    code, out, err = _cli(capsys, "--db", store_url, "queries", "run", "moves", "--json")
    assert code == 0, err
    assert json.loads(out) == [
        {"account": "A1", "amount": "5.00"},
        {"account": "A1", "amount": "1.25"},
    ]
    code, out, _ = _cli(capsys, "--db", store_url, "queries", "run", "moves", "--csv")
    assert out.splitlines() == ["account,amount", "A1,5.00", "A1,1.25"]
    # Saving the name again: the newer version runs, the older one stays in the table
    monkeypatch.setenv("ESGUI_USER", "dave")
    assert (
        _cli(
            capsys,
            "--db",
            store_url,
            "queries",
            "save",
            "moves",
            "SELECT count(*) AS n FROM event_log",
        )[0]
        == 0
    )
    code, out, _ = _cli(capsys, "--db", store_url, "queries", "run", "moves", "--json")
    assert json.loads(out) == [{"n": 2}]
    with esgui.open_store(store_url) as store:
        [newest] = list_queries(store)
        assert newest.author == "dave"
    code, out, _ = _cli(
        capsys,
        "--db",
        store_url,
        "query",
        "--json",
        "SELECT author FROM saved_queries ORDER BY created_at",
    )
    assert json.loads(out) == [{"author": "carol"}, {"author": "dave"}]


def test_unknown_or_bad_saved_queries_exit_2(store_url, capsys) -> None:
    with esgui.open_store(store_url):
        pass
    assert _cli(capsys, "--db", store_url, "queries", "run", "nothing")[0] == 2
    assert _cli(capsys, "--db", store_url, "queries", "save", " ", "SELECT 1")[0] == 2
    assert _cli(capsys, "--db", store_url, "queries", "save", "x", "  ")[0] == 2
    assert _cli(capsys, "--db", store_url, "queries", "save", "a\x07b", "SELECT 1")[0] == 2


def test_saved_queries_are_append_only(store, location) -> None:
    save_query(store, "q", "SELECT 1 AS one", author="carol")
    for statement in ("UPDATE saved_queries SET sql = 'x'", "DELETE FROM saved_queries"):
        with pytest.raises(Exception, match="append-only"):
            location.sql(statement)
    assert [q.sql for q in list_queries(store)] == ["SELECT 1 AS one"]


def test_a_saved_write_is_refused_when_run(store, capsys, store_url) -> None:
    save_query(store, "evil", "DELETE FROM events", author="mallory")
    assert _cli(capsys, "--db", store_url, "queries", "run", "evil")[0] == 5


# -- statistics ----------------------------------------------------------------------------


def _expected(events, key) -> dict[str, tuple[int, Decimal, Decimal]]:
    counts: Counter[str] = Counter()
    moved: dict[str, Decimal] = defaultdict(Decimal)
    net: dict[str, Decimal] = defaultdict(Decimal)
    for event in events:
        k = key(event)
        counts[k] += 1
        amount = Decimal(event_amount(event.event_type, event.data) or "0")
        moved[k] += amount
        net[k] += -amount if event.event_type in DEBIT_EVENT_TYPES else amount
    return {k: (counts[k], moved[k], net[k]) for k in counts}


def _monday(when: datetime) -> str:
    return (when.date() - timedelta(days=when.weekday())).isoformat()


KEYS = {
    "day": lambda e: e.recorded_at.date().isoformat(),
    "week": lambda e: _monday(e.recorded_at),
    "month": lambda e: e.recorded_at.strftime("%Y-%m"),
    "type": lambda e: e.event_type,
    "operator": lambda e: e.operator,
}


@pytest.fixture
def seeded(store):
    seed(store, accounts=12, events=900, seed=7, days=120)
    return store


@pytest.mark.parametrize("by", list(KEYS))
def test_statistics_equal_the_events_counted_in_python(seeded, by) -> None:
    events = list(seeded.read_all())
    stats = statistics(seeded, by)
    got = {row.key: (row.events, row.moved, row.net) for row in stats.groups}
    assert got == _expected(events, KEYS[by])
    assert [row.key for row in stats.groups] == sorted(got)
    assert stats.totals.events == len(events)
    assert stats.totals.moved == sum(v[1] for v in got.values())
    for row in stats.groups:
        assert row.moved.as_tuple().exponent == -2


def test_statistics_over_a_time_range_and_a_filter(seeded) -> None:
    events = list(seeded.read_all())
    since = events[len(events) // 3].recorded_at
    until = events[2 * len(events) // 3].recorded_at
    stats = statistics(seeded, "type", since=since, until=until)
    inside = [e for e in events if since <= e.recorded_at <= until]
    assert {r.key: (r.events, r.moved, r.net) for r in stats.groups} == _expected(
        inside, KEYS["type"]
    )
    account = events[0].aggregate_id
    where = EventFilter(aggregate_id=account, event_types=("MoneyDeposited",))
    stats = statistics(seeded, "month", where=where)
    mine = [e for e in events if e.aggregate_id == account and e.event_type == "MoneyDeposited"]
    assert stats.totals.events == len(mine)
    assert stats.totals.moved == sum(Decimal(e.data["amount"]) for e in mine)
    with pytest.raises(InvalidInput):
        statistics(seeded, "type", since=until, until=since)
    with pytest.raises(InvalidInput):
        statistics(seeded, "hour")


def test_busiest_accounts(seeded) -> None:
    events = list(seeded.read_all())
    counts = Counter(e.aggregate_id for e in events)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    stats = statistics(seeded, "day", busiest=5)
    assert [(r.key, r.events) for r in stats.busiest] == expected


def test_stats_cli_json_shape(seeded, store_url, capsys) -> None:
    code, out, err = _cli(capsys, "--db", store_url, "stats", "--by", "month", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all({"key", "events", "moved", "net"} <= set(r) for r in rows)
    assert all(isinstance(r["events"], int) and isinstance(r["moved"], str) for r in rows)
    assert sum(r["events"] for r in rows) == seeded.count()
    code, out, _ = _cli(
        capsys, "--db", store_url, "stats", "--by", "account", "--limit", "3", "--json"
    )
    assert len(json.loads(out)) == 3
    future = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    code, out, _ = _cli(capsys, "--db", store_url, "stats", "--since", future, "--json")
    assert (code, json.loads(out)) == (0, [])
    assert _cli(capsys, "--db", store_url, "stats", "--since", "yesterday")[0] == 2
    assert _cli(capsys, "--db", store_url, "stats", "--by", "hour")[0] == 2


def _raw_event(location, position: int, version: int, data: str, event_type: str) -> None:
    when = "2026-01-02 03:04:05.000000" if location.backend == "sqlite" else "2026-01-02T03:04:05Z"
    location.sql(
        "INSERT INTO events (position, id, aggregate_id, aggregate_type, event_type, "
        "schema_version, version, data, metadata, operator, created_at, hash) VALUES "
        "(?, ?, 'ODD', 'BankAccount', ?, 1, ?, ?, '{}', 'raw', ?, 'x')",
        (position, f"00000000-0000-0000-0000-{position:012d}", event_type, version, data, when),
    )


def test_facts_follow_every_insert_even_odd_data(store, location) -> None:
    """Rows written behind esgui's back (legacy cents, data esgui never writes) are
    inserted as they are — the facts trigger never refuses one — and counted."""
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="1.00")
    odd = ['{"amount_cents": 1050}', '{"amount": "abc"}', '{"amount": 5}', "[]", '"text"']
    if location.backend == "sqlite":
        odd.append("not json at all")
    for i, data in enumerate(odd):
        _raw_event(location, 2 + i, 1 + i, data, "MoneyDeposited")
    stats = statistics(store, "type")
    assert stats.totals.events == 1 + len(odd)
    deposits = {r.key: r for r in stats.groups}["MoneyDeposited"]
    assert deposits.events == len(odd)
    # 10.50 from the legacy cents; "abc" and the rest move nothing that can be read
    assert deposits.moved == Decimal("10.50")
    assert statistics(store, "day", where=EventFilter(aggregate_id="ODD")).totals.events == len(odd)


def test_an_upgraded_store_gets_its_facts(location, tmp_path) -> None:
    from tests.store.test_migrations import make_0001_store

    make_0001_store(location, tmp_path)
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from == "0001"
        events = list(store.read_all())
        stats = statistics(store, "operator")
        assert stats.totals.events == len(events) > 0
        assert {r.key: (r.events, r.moved, r.net) for r in stats.groups} == _expected(
            events, KEYS["operator"]
        )
