"""seed: M events over N new accounts, realistic, rule-abiding, reproducible."""

from __future__ import annotations

from collections import Counter

import pytest

import esgui
from esgui.app.seed import seed
from esgui.domain import BankAccount
from esgui.errors import InvalidInput, NotPermitted
from esgui.projections import AccountProjector


def replay_through_rules(events) -> BankAccount:
    """Re-issue every stored event as the command that made it: a rule break raises."""
    account = BankAccount(events[0].aggregate_id)
    for event in events:
        if event.event_type == "AccountOpened":
            account.open(event.data["owner"], event.data["initial"])
        elif event.event_type == "MoneyDeposited":
            account.deposit(event.data["amount"])
        elif event.event_type == "MoneyWithdrawn":
            account.withdraw(event.data["amount"])
        else:
            account.close()
    return account


def test_exact_counts_and_every_history_obeys_the_rules(store) -> None:
    result = seed(store, accounts=12, events=2_000, seed=4)
    assert len(result.account_ids) == 12 and result.events == 2_000
    assert store.count() == 2_000
    assert sorted(store.aggregate_ids()) == sorted(result.account_ids)
    types = Counter(e.event_type for e in store.read_all())
    assert types["AccountOpened"] == 12
    assert types["MoneyDeposited"] > 0 and types["MoneyWithdrawn"] > 0
    accounts = esgui.Accounts(store, user="check")
    for account_id in result.account_ids:
        stream = list(store.read_stream(account_id))
        final = replay_through_rules(stream)
        assert accounts.state(account_id) == accounts.replayer.state_at(
            account_id, use_snapshots=False)
        assert final.balance == accounts.state(account_id).balance
        assert final.balance >= 0
    times = [e.recorded_at for e in store.read_all()]
    assert times == sorted(times)


def test_some_accounts_close(store) -> None:
    seed(store, accounts=60, events=3_000, seed=1)
    closed = [s for s in AccountProjector(store).current() if s.status == "closed"]
    assert 0 < len(closed) < 60
    assert all(s.balance == 0 for s in closed)


def test_seeding_again_adds_new_accounts_only(store, accounts) -> None:
    accounts.open("ACC-000001", owner="Existing", initial="1.00")
    first = seed(store, accounts=3, events=30, seed=2)
    second = seed(store, accounts=3, events=30, seed=2)
    assert first.account_ids == ["ACC-000002", "ACC-000003", "ACC-000004"]
    assert second.account_ids == ["ACC-000005", "ACC-000006", "ACC-000007"]
    assert accounts.state("ACC-000001").owner == "Existing"
    assert accounts.state("ACC-000001").version == 1


def test_seed_writes_snapshots_that_match_replay(store_url) -> None:
    with esgui.open_store(store_url, snapshot_every=10) as store:
        result = seed(store, accounts=2, events=200, seed=3)
        for account_id in result.account_ids:
            snapshots = store.snapshots_at_or_below(account_id, 10_000, limit=100)
            assert snapshots, account_id
            replayer = esgui.app.Replayer(store)
            for snap in snapshots:
                truth = replayer.state_at(account_id, version=snap.version,
                                          use_snapshots=False)
                assert esgui.app.replay.usable_snapshot(snap, account_id) == truth


@pytest.mark.parametrize(("n", "m"), [(0, 10), (5, 4), (-1, 10), (True, 10)])
def test_bad_sizes_are_invalid(store, n, m) -> None:
    with pytest.raises(InvalidInput):
        seed(store, accounts=n, events=m)
    assert store.count() == 0


def test_read_only_store_cannot_be_seeded(store_url) -> None:
    esgui.open_store(store_url).close()
    with esgui.open_store(store_url, read_only=True) as store, pytest.raises(NotPermitted):
        seed(store, accounts=1, events=1)
