"""Several processes transferring at random among a few accounts at once: no balance
ever below zero, the total never changes, versions and positions stay contiguous, and
every sent leg has its received leg in the same transaction. Both backends."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

import esgui
from esgui.app import Replayer
from tests.workers import run_parallel, transfer_randomly

pytestmark = pytest.mark.slow

ACCOUNTS = ["T1", "T2", "T3", "T4"]


def test_concurrent_transfers_conserve_the_total(store_url) -> None:
    with esgui.open_store(store_url) as store:
        setup = esgui.Accounts(store, user="setup")
        for account_id in ACCOUNTS:
            setup.open(account_id, owner=account_id, initial="50.00")
    per_process = 30
    results = run_parallel(
        transfer_randomly, [(store_url, ACCOUNTS, per_process, f"w{i}", i) for i in range(4)]
    )
    assert all(done + refused == per_process for done, refused in results)
    done = sum(done for done, _refused in results)
    assert done > 0
    with esgui.open_store(store_url) as store:
        replayer = Replayer(store)
        total = Decimal("0.00")
        for account_id in ACCOUNTS:
            history = replayer.history(account_id)
            assert [p.version for p in history] == list(range(1, len(history) + 1))
            assert all(point.balance >= 0 for point in history), account_id
            total += history[-1].balance
        assert total == Decimal("200.00")
        events = list(store.read_all())
        assert [e.position for e in events] == list(range(1, len(events) + 1))
        legs = [e for e in events if e.event_type.startswith("Transfer")]
        assert len(legs) == 2 * done
        by_correlation = Counter(e.metadata["correlation_id"] for e in legs)
        assert set(by_correlation.values()) == {2}
        for sent, received in zip(legs[::2], legs[1::2], strict=True):
            # one transaction: adjacent positions, the received leg caused by the sent one
            assert (sent.event_type, received.event_type) == ("TransferSent", "TransferReceived")
            assert received.position == sent.position + 1
            assert received.metadata["causation_id"] == sent.event_id
            assert sent.data["counterparty"] == received.aggregate_id
            assert received.data["counterparty"] == sent.aggregate_id
            assert sent.data["amount"] == received.data["amount"]
