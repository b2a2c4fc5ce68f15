"""Bounded reads (issue 13): time queries by binary search over runs of non-decreasing
time, an account's events paged by version, and the heads of many streams read by one
index probe each. Every answer must equal the plain filter over all rows, on both
engines, including stores whose times go back (imports of older events)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import esgui
from esgui.store import NewEvent
from esgui.store.reads import current_versions

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ev(at: datetime | None = None, amount: str = "1.00") -> NewEvent:
    return NewEvent("MoneyDeposited", {"amount": amount}, {"user": "t"}, recorded_at=at)


def regressions(location) -> list[int]:
    return [int(p) for (p,) in location.sql("SELECT position FROM esgui_time_regressions")]


def test_only_appends_whose_times_go_back_are_listed(location) -> None:
    with esgui.open_store(location.url) as store:
        store.append("A", 0, [ev(T0), ev(T0 + timedelta(hours=1))])  # 1, 2
        store.append("B", 0, [ev(T0 + timedelta(minutes=30))])  # 3: back in time
        store.append("B", 1, [ev()])  # 4: now, never back
        store.append("C", 0, [ev(T0 - timedelta(days=1)), ev(T0 - timedelta(days=2))])  # 5, 6
        store.append("C", 2, [ev(T0 - timedelta(days=2))])  # 7: equal is not back
    assert sorted(regressions(location)) == [3, 5, 6]
    with pytest.raises(Exception, match="append-only"):
        location.sql("DELETE FROM esgui_time_regressions")


def _expected(store, since, until, aggregate_id=None, descending=False, after=0):
    rows = [e for e in store.read_all() if (aggregate_id is None or e.aggregate_id == aggregate_id)]
    rows = [
        e
        for e in rows
        if (since is None or e.recorded_at >= since)
        and (until is None or e.recorded_at <= until)
        and (not after or (e.position < after if descending else e.position > after))
    ]
    return [e.position for e in (reversed(rows) if descending else rows)]


@settings(
    max_examples=12,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    offsets=st.lists(st.integers(0, 40), min_size=1, max_size=30),
    accounts=st.lists(st.sampled_from("ABC"), min_size=30, max_size=30),
    bounds=st.tuples(st.none() | st.integers(-2, 42), st.none() | st.integers(-2, 42)),
    after=st.integers(0, 20),
    descending=st.booleans(),
)
def test_time_filters_and_state_at_time_equal_the_plain_filter(
    location, offsets, accounts, bounds, after, descending
) -> None:
    """Random given times (so the log's times go back and forth), then every time
    filter and every account's version at a time against a filter over all rows. The
    examples share one store, which grows: the expectations cover all of it."""
    with esgui.open_store(location.url) as store:
        versions = {a: store.current_version(a) for a in "ABC"}
        for offset, account in zip(offsets, accounts, strict=False):
            at = T0 + timedelta(minutes=offset)
            store.append(account, versions[account], [ev(at)])
            versions[account] += 1
        since = None if bounds[0] is None else T0 + timedelta(minutes=bounds[0])
        until = None if bounds[1] is None else T0 + timedelta(minutes=bounds[1])
        got = [
            e.position
            for e in store.read_all(since=since, until=until, after=after, descending=descending)
        ]
        assert got == _expected(store, since, until, None, descending, after)
        assert store.count(since=since, until=until) == len(_expected(store, since, until))
        for account in versions:
            got = [
                e.position
                for e in store.read_all(
                    aggregate_id=account,
                    since=since,
                    until=until,
                    after=after,
                    descending=descending,
                    page_size=2,
                )
            ]
            assert got == _expected(store, since, until, account, descending, after)
            for minute in (-1, 0, 5, 17, 40, 41):
                when = T0 + timedelta(minutes=minute)
                exact = max(
                    (e.version for e in store.read_stream(account) if e.recorded_at <= when),
                    default=0,
                )
                assert store.version_at(account, when) == exact


def test_state_at_time_by_binary_search_in_a_long_account(location) -> None:
    with esgui.open_store(location.url) as store:
        store.append("L", 0, [ev(T0 + timedelta(seconds=i)) for i in range(500)])
        store.append("M", 0, [ev(T0 + timedelta(seconds=1000))])
        for second, version in ((-1, 0), (0, 1), (250, 251), (499, 500), (10_000, 500)):
            assert store.version_at("L", T0 + timedelta(seconds=second)) == version
        assert store.version_at("nobody", T0) == 0
        since = T0 + timedelta(seconds=495)
        assert [e.version for e in store.read_all(since=since, limit=3)] == [496, 497, 498]


def test_current_versions_of_many_streams(location) -> None:
    with esgui.open_store(location.url) as store:
        store.append_many([(f"S{i}", 0, [ev()] * (i % 4 + 1)) for i in range(1, 30)])
        wanted = [f"S{i}" for i in range(0, 35)]
        with store.engine.connect() as conn:
            found = current_versions(conn, wanted)
        assert found == {f"S{i}": i % 4 + 1 for i in range(1, 30)}
        store.append_many([("S1", 2, [ev()]), ("S2", 3, [ev()]), ("NEW", 0, [ev()])])
        assert store.current_version("S1") == 3 and store.current_version("NEW") == 1
        with pytest.raises(esgui.ConcurrencyError):
            store.append_many([("S3", 4, [ev()]), ("S4", 0, [ev()])])


def test_an_account_read_pages_by_version_in_both_directions(location) -> None:
    with esgui.open_store(location.url) as store:
        for i in range(12):
            store.append("X" if i % 3 else "Y", i // 3 if i % 3 == 0 else (i - i // 3 - 1), [ev()])
        xs = [e.position for e in store.read_all() if e.aggregate_id == "X"]
        assert [e.position for e in store.read_all(aggregate_id="X", page_size=3)] == xs
        assert [
            e.position for e in store.read_all(aggregate_id="X", descending=True, page_size=2)
        ] == xs[::-1]
        assert [e.position for e in store.read_all(aggregate_id="X", after=xs[2], limit=3)] == xs[
            3:6
        ]
        assert [
            e.position for e in store.read_all(aggregate_id="X", after=xs[4], descending=True)
        ] == xs[:4][::-1]
