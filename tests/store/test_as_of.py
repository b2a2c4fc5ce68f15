"""The whole store as of a time: equal to every account's own `state --at`, bounded by
snapshots, on both backends."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import esgui
from esgui.app.as_of import trial_balance
from esgui.errors import EsguiError, UnknownAccount

_runs = itertools.count()

steps = st.lists(
    st.tuples(
        st.sampled_from(["open", "deposit", "withdraw", "transfer", "close", "empty"]),
        st.integers(0, 3),
        st.integers(0, 3),
        st.integers(1, 5_000),
    ),
    min_size=1,
    max_size=25,
)


def _cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def _run(accounts: esgui.Accounts, prefix: str, script) -> None:
    """Apply a random script; refusals are part of it (they append nothing)."""
    for action, a, b, amount in script:
        first, second = f"{prefix}-{a}", f"{prefix}-{b}"
        try:
            if action == "open":
                accounts.open(first, owner=f"Owner {a}", initial=_cents(amount))
            elif action == "deposit":
                accounts.deposit(first, _cents(amount))
            elif action == "withdraw":
                accounts.withdraw(first, _cents(amount))
            elif action == "transfer":
                accounts.transfer(first, second, _cents(amount), reference=f"r{amount}")
            elif action == "empty":
                balance = accounts.state(first).balance
                if balance:
                    accounts.withdraw(first, balance)
            else:
                accounts.close(first)
        except EsguiError:
            pass


def _assert_as_of_equals_state_at(store: esgui.EventStore, when: datetime) -> None:
    accounts = esgui.Accounts(store, user="check")
    view = trial_balance(store, when)
    listed = {row.account_id: row for row in view.accounts}
    for account_id in store.aggregate_ids():
        try:
            state = accounts.state(account_id, at_time=when)
        except UnknownAccount:
            assert account_id not in listed, (account_id, when)
            continue
        row = listed[account_id]
        assert (row.owner, row.balance, row.status, row.version, row.last_activity) == (
            state.owner,
            state.balance,
            state.status,
            state.version,
            state.updated_at,
        )
        assert row.last_activity is not None and row.last_activity <= when
    assert view.total == sum((row.balance for row in view.accounts), Decimal("0.00"))
    assert view.count == view.open_count + view.closed_count


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    script=steps,
    picks=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from([-1, 0, 1])), min_size=1, max_size=4
    ),
)
def test_as_of_equals_state_at_for_every_account(store_url, script, picks) -> None:
    with esgui.open_store(store_url, snapshot_every=3) as store:
        accounts = esgui.Accounts(store, user="alice")
        _run(accounts, f"R{next(_runs)}", script)
        times = [event.recorded_at for event in store.read_all()]
        if not times:
            return
        for index, offset in picks:
            when = times[index % len(times)] + timedelta(microseconds=offset)
            _assert_as_of_equals_state_at(store, when)
        _assert_as_of_equals_state_at(store, times[0] - timedelta(days=1))
        _assert_as_of_equals_state_at(store, times[-1] + timedelta(days=1))


def test_as_of_lists_accounts_then_with_totals(store) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Ann", initial="100.00")
    accounts.open("B1", owner="Bob", initial="5.00")
    accounts.withdraw("B1", "5.00")
    accounts.close("B1")
    middle = datetime.now(UTC)
    accounts.open("C1", owner="Cy")
    accounts.transfer("A1", "C1", "40.10", reference="rent")
    before = trial_balance(store, middle)
    assert [(a.account_id, a.balance, a.status) for a in before.accounts] == [
        ("A1", Decimal("100.00"), "open"),
        ("B1", Decimal("0.00"), "closed"),
    ]
    assert (before.count, before.open_count, before.closed_count) == (2, 1, 1)
    assert before.total == Decimal("100.00")
    now = trial_balance(store, datetime.now(UTC))
    assert [(a.account_id, a.balance) for a in now.accounts] == [
        ("A1", Decimal("59.90")),
        ("B1", Decimal("0.00")),
        ("C1", Decimal("40.10")),
    ]
    assert now.total == Decimal("100.00")
    assert (now.head_position, now.head_hash) == store.head()
    assert trial_balance(store, datetime(2000, 1, 1)).accounts == ()  # naive: UTC


def test_as_of_reads_only_the_events_after_the_newest_snapshot(store_url) -> None:
    with esgui.open_store(store_url, snapshot_every=10) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Ann")
        for _ in range(34):
            accounts.deposit("A1", "1.00")
        when = datetime.now(UTC)
        accounts.deposit("A1", "1.00")
        (stream,) = store.streams_at(when)
        assert (stream.version, stream.snapshot.version) == (35, 30)
        assert [row.version for row in stream.rows] == [31, 32, 33, 34, 35]
        (row,) = trial_balance(store, when).accounts
        assert (row.version, row.balance) == (35, Decimal("34.00"))


def test_a_corrupt_snapshot_falls_back_to_the_events(store_url, location) -> None:
    with esgui.open_store(store_url, snapshot_every=5) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Ann", initial="1.00")
        for _ in range(11):
            accounts.deposit("A1", "1.00")
    location.drop_append_only()  # an attacker with DDL rights
    location.sql("UPDATE snapshots SET checksum = 'x' WHERE version = 10")
    with esgui.open_store(store_url, snapshot_every=5) as store:
        (row,) = trial_balance(store, datetime.now(UTC)).accounts
        assert (row.version, row.balance) == (12, Decimal("12.00"))


def test_an_unreadable_account_is_listed_as_such(store, location) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Ann", initial="3.00")
    accounts.open("B1", owner="Bob", initial="1.00")
    location.drop_append_only()
    location.sql("UPDATE events SET event_type = 'FromTheFuture' WHERE position = 2")
    view = trial_balance(store, datetime.now(UTC))
    rows = {row.account_id: row for row in view.accounts}
    assert rows["B1"].status == "unreadable" and "FromTheFuture" in (rows["B1"].error or "")
    assert view.total == Decimal("3.00") and view.unreadable_count == 1


def test_version_at_is_one_index_seek(store) -> None:
    """The query plans use migration 0007's indexes (no scan of the events table)."""
    from sqlalchemy import text

    from esgui.store.reads import _VERSIONS_AT

    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Ann")
    with store.engine.connect() as conn:
        compiled = _VERSIONS_AT.compile(conn)
        sql = str(compiled)
        params = {**compiled.params, "when": datetime.now(UTC)}
        if store.backend == "sqlite":
            params = {"when": "2030-01-01 00:00:00.000000"}
            sql = sql.replace("?", ":when")
            plan = " ".join(
                str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params)
            )
            assert "ix_events_opened" in plan and "ix_events_aggregate_time" in plan, plan
            assert "SCAN events" not in plan.replace("COVERING", ""), plan
        else:
            conn.execute(text("SET enable_seqscan = off"))  # a tiny table: make it choose
            plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
            assert "ix_events_aggregate_time" in plan, plan
