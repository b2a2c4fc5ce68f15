"""Replay: any version or time, with and without snapshots, against a reference model."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import esgui
from esgui.app import Replayer
from esgui.errors import InvalidInput, RuleViolation, UnknownAccount

_ids = itertools.count()

commands = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(1, 50_000)),
        st.tuples(st.just("withdraw"), st.integers(1, 50_000)),
        st.tuples(st.just("close"), st.just(0)),
        st.tuples(st.just("withdraw_all"), st.just(0)),
    ),
    max_size=40,
)


def cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def run_reference(accounts: esgui.Accounts, account_id: str, initial: int,
                  script: list[tuple[str, int]]) -> list[tuple[int, str]]:
    """Apply commands through the app and a tiny reference model side by side; returns
    the reference (balance in cents, status) after every version."""
    accounts.open(account_id, owner="Ref", initial=cents(initial))
    balance, status = initial, "open"
    expected = [(balance, status)]
    for command, amount in script:
        if command == "withdraw_all":
            command, amount = "withdraw", balance
        allowed = status == "open" and (
            (command == "deposit" and amount > 0)
            or (command == "withdraw" and 0 < amount <= balance)
            or (command == "close" and balance == 0))
        try:
            if command == "close":
                accounts.close(account_id)
            else:
                getattr(accounts, command)(account_id, cents(amount))
        except (RuleViolation, InvalidInput):
            assert not allowed, (command, amount, balance, status)
            continue
        assert allowed, (command, amount, balance, status)
        if command == "deposit":
            balance += amount
        elif command == "withdraw":
            balance -= amount
        else:
            status = "closed"
        expected.append((balance, status))
    return expected


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(initial=st.integers(0, 100_000), script=commands, every=st.integers(1, 7))
def test_snapshot_and_full_replay_agree_with_the_reference_at_every_version(
        store_url, initial: int, script: list[tuple[str, int]], every: int) -> None:
    with esgui.open_store(store_url, snapshot_every=every) as store:
        accounts = esgui.Accounts(store, user="prop")
        account_id = f"P{next(_ids)}"
        expected = run_reference(accounts, account_id, initial, script)
        replayer = Replayer(store)
        for version, (balance, status) in enumerate(expected, start=1):
            with_snapshots = replayer.state_at(account_id, version=version)
            without = replayer.state_at(account_id, version=version, use_snapshots=False)
            assert with_snapshots == without
            assert with_snapshots.balance == Decimal(cents(balance))
            assert with_snapshots.status == status
            assert with_snapshots.version == version
        assert accounts.state(account_id) == replayer.state_at(account_id,
                                                               version=len(expected))


def test_state_at_time_of_every_event(accounts, store) -> None:
    accounts.open("A1", owner="Alice", initial="1.00")
    for _ in range(5):
        accounts.deposit("A1", "1.00")
    for event in store.read_stream("A1"):
        state = accounts.state("A1", at_time=event.recorded_at)
        assert state.version == event.version
        assert state.updated_at == event.recorded_at
    first = next(store.read_stream("A1")).recorded_at
    with pytest.raises(UnknownAccount, match="did not exist yet"):
        accounts.state("A1", at_time=first - timedelta(seconds=1))
    naive = first.replace(tzinfo=None)  # a time without an offset is UTC
    assert accounts.state("A1", at_time=naive).version == 1


def test_versions_out_of_range(accounts) -> None:
    accounts.open("A1", owner="Alice")
    # One rule (docs/cli.md): any version outside 1..current of a known account is
    # invalid input naming the span; an unknown account is UnknownAccount at any version.
    with pytest.raises(InvalidInput, match=r"has version 1; there is no version 0"):
        accounts.state("A1", at_version=0)
    with pytest.raises(UnknownAccount):
        accounts.state("NOPE", at_version=0)
    with pytest.raises(UnknownAccount):
        accounts.state("NOPE", at_version=5)
    with pytest.raises(InvalidInput, match="no version 2"):
        accounts.state("A1", at_version=2)
    with pytest.raises(InvalidInput):
        accounts.state("A1", at_version=-1)
    with pytest.raises(InvalidInput):
        accounts.state("A1", at_version=2**40)
    with pytest.raises(UnknownAccount):
        accounts.state("NOPE")
    with pytest.raises(InvalidInput):
        accounts.state("A1", at_version=1, at_time=__import__("datetime").datetime.now())


class CountingStore:
    """Wraps a store and counts the events replay reads."""

    def __init__(self, store) -> None:
        self._store = store
        self.read = 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def replay_rows(self, *args, **kwargs):
        for event in self._store.replay_rows(*args, **kwargs):
            self.read += 1
            yield event


def test_replay_cost_is_bounded_by_the_snapshot_interval(store_url) -> None:
    with esgui.open_store(store_url, snapshot_every=10) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("LONG", owner="Long", initial="0.00")
        for _ in range(94):
            accounts.deposit("LONG", "0.01")
        counting = CountingStore(store)
        replayer = Replayer(counting)  # type: ignore[arg-type]
        for version in (95, 90, 57, 9):
            counting.read = 0
            state = replayer.state_at("LONG", version=version)
            assert state.balance == Decimal(version - 1) / 100
            assert counting.read <= 9
        counting.read = 0
        replayer.state_at("LONG", version=95, use_snapshots=False)
        assert counting.read == 95


def test_unusable_snapshots_are_ignored(store_url, location) -> None:
    with esgui.open_store(store_url, snapshot_every=5) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="0.00")
        for _ in range(11):
            accounts.deposit("A1", "1.00")
        truth = {v: Replayer(store).state_at("A1", version=v, use_snapshots=False)
                 for v in range(1, 13)}
        # corrupt the newest snapshot's state, give the older one an unknown schema
        location.drop_append_only()
        location.sql("UPDATE snapshots SET state = ? WHERE version = 10",
                     ('{"account_id":"A1","balance":"999.00","owner":"X","status":"open",'
                      '"version":10}',))
        location.sql("UPDATE snapshots SET schema_version = 99 WHERE version = 5")
        fresh = Replayer(store)
        for version, state in truth.items():
            assert fresh.state_at("A1", version=version) == state


@pytest.mark.parametrize("bad_state", ['{"version": 10}', "not json", '{"account_id": "B9"}'])
def test_malformed_snapshot_rows_are_ignored(store_url, location, bad_state: str) -> None:
    with esgui.open_store(store_url, snapshot_every=10) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="0.00")
        for _ in range(11):
            accounts.deposit("A1", "1.00")
        if bad_state == "not json" and location.backend == "postgresql":
            pytest.skip("jsonb cannot hold invalid JSON")
        location.drop_append_only()
        location.sql("UPDATE snapshots SET state = ? WHERE version = 10", (bad_state,))
        assert Replayer(store).state_at("A1").balance == Decimal("11.00")


def test_missing_snapshots_are_written_by_replay(store_url, location) -> None:
    with esgui.open_store(store_url, snapshot_every=4) as store:
        accounts = esgui.Accounts(store, user="alice")
        accounts.open("A1", owner="Alice", initial="0.00")
        for _ in range(9):
            accounts.deposit("A1", "1.00")
        location.drop_append_only()
        location.sql("DELETE FROM snapshots")
        Replayer(store).state_at("A1")
        assert [s.version for s in store.snapshots_at_or_below("A1", 100)] == [8, 4]


def test_history_gives_balance_after_every_event(accounts) -> None:
    accounts.open("A1", owner="Alice", initial="5.00")
    accounts.deposit("A1", "2.50")
    accounts.withdraw("A1", "7.50")
    points = Replayer(accounts.store).history("A1")
    assert [(p.version, p.event_type, p.balance) for p in points] == [
        (1, "AccountOpened", Decimal("5.00")), (2, "MoneyDeposited", Decimal("7.50")),
        (3, "MoneyWithdrawn", Decimal("0.00"))]
