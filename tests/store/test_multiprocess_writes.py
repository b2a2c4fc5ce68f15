"""Several processes writing at once: every confirmed command lands exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

import esgui
from tests.workers import deposit_many, open_and_churn, open_store_once, run_parallel

pytestmark = pytest.mark.slow


def _assert_contiguous(store, account_id: str, expected_count: int) -> None:
    versions = [e.version for e in store.read_stream(account_id)]
    assert versions == list(range(1, expected_count + 1))


def test_four_processes_deposit_into_one_account(store_url) -> None:
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("SHARED", owner="Shared", initial="0.00")
    per_process = 40
    results = run_parallel(deposit_many, [
        (store_url, "SHARED", "0.10", per_process, f"writer{i}") for i in range(4)])
    assert results == [per_process] * 4
    with esgui.open_store(store_url) as store:
        state = esgui.Accounts(store, user="check").state("SHARED")
        assert state.balance == Decimal("16.00")  # 160 × 0.10, exactly
        assert state.version == 1 + 4 * per_process
        _assert_contiguous(store, "SHARED", 1 + 4 * per_process)
        positions = [e.position for e in store.read_all()]
        assert positions == list(range(1, len(positions) + 1))
        operators = {e.operator for e in store.read_stream("SHARED")}
        assert operators == {"setup", "writer0", "writer1", "writer2", "writer3"}


def test_four_processes_on_different_accounts_and_one_shared(store_url) -> None:
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("SHARED", owner="Shared")
    args = [(store_url, f"OWN{i}", 30, f"writer{i}") for i in range(3)]
    churn = run_parallel(open_and_churn, args)
    assert churn == [31, 31, 31]
    deposits = run_parallel(deposit_many, [(store_url, "SHARED", "1.00", 25, f"w{i}")
                                           for i in range(4)])
    assert deposits == [25] * 4
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="check")
        for i in range(3):
            state = accounts.state(f"OWN{i}")
            # 10.00 + 15 × 1.01 − 15 × 1.00
            assert state.balance == Decimal("10.15")
            _assert_contiguous(store, f"OWN{i}", 31)
        assert accounts.state("SHARED").balance == Decimal("100.00")
        _assert_contiguous(store, "SHARED", 101)
        assert store.count() == 3 * 31 + 101


def test_processes_creating_a_new_store_at_once(store_url) -> None:
    results = run_parallel(open_store_once, [(store_url,)] * 4)
    assert len(set(results)) == 1
    with esgui.open_store(store_url) as store:
        assert store.head()[0] == 0
