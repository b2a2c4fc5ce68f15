"""The account-summary projection follows the log exactly once."""

from __future__ import annotations

import multiprocessing as mp
import threading
from decimal import Decimal

import pytest

import esgui
from esgui.app import Replayer
from esgui.projections import UNREADABLE, AccountProjector, Cancelled
from esgui.store import NewEvent
from tests.workers import deposit_many, open_and_churn


def assert_equals_replay(store, projector: AccountProjector) -> None:
    replayer = Replayer(store)
    rows = {s.account_id: s for s in projector.summaries()}
    assert sorted(rows) == store.aggregate_ids()
    for account_id, row in rows.items():
        state = replayer.state_at(account_id, use_snapshots=False)
        assert (row.owner, row.balance, row.status, row.version) == (
            state.owner, state.balance, state.status, state.version)
        assert row.event_count == state.version
        assert row.last_activity == state.updated_at
    assert projector.checkpoint() == store.head()[0]


def test_catch_up_applies_each_event_once(accounts, store) -> None:
    projector = AccountProjector(store, batch_size=3)
    assert projector.catch_up() == 0
    accounts.open("A1", owner="Alice", initial="1.00")
    accounts.open("B1", owner="Bob")
    for _ in range(5):
        accounts.deposit("A1", "1.00")
    assert projector.catch_up() == 7
    assert projector.catch_up() == 0
    accounts.withdraw("A1", "0.50")
    assert projector.catch_up() == 1
    assert projector.summary("A1").balance == Decimal("5.50")
    assert_equals_replay(store, projector)


def test_rebuild_gives_the_same_read_model(accounts, store) -> None:
    accounts.open("A1", owner="Alice", initial="1.00")
    accounts.deposit("A1", "2.00")
    projector = AccountProjector(store)
    projector.catch_up()
    before = projector.summaries()
    assert projector.rebuild() == 2
    assert projector.summaries() == before


def test_progress_and_cancel(accounts, store) -> None:
    accounts.open("A1", owner="Alice")
    for _ in range(9):
        accounts.deposit("A1", "1.00")
    projector = AccountProjector(store, batch_size=4)
    seen: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        projector.catch_up(progress=lambda c, h: seen.append((c, h)),
                           should_stop=lambda: len(seen) >= 1)
    assert seen == [(4, 10)]
    assert projector.checkpoint() == 4  # what was committed stays
    projector.catch_up()
    assert_equals_replay(store, projector)


def test_cancel_between_pages_rolls_the_unit_back(accounts, store) -> None:
    """A unit of work reads several pages before it writes; a cancel seen between two
    pages leaves nothing of that unit applied, and the next catch-up does all of it."""
    accounts.open("A1", owner="Alice")
    for _ in range(9):
        accounts.deposit("A1", "1.00")
    projector = AccountProjector(store, batch_size=100, page_size=3)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 1  # not before the unit, but after its first page

    with pytest.raises(Cancelled):
        projector.catch_up(should_stop=stop)
    assert projector.checkpoint() == 0
    projector.catch_up()
    assert projector.checkpoint() == 10
    assert_equals_replay(store, projector)


def test_concurrent_projectors_never_double_apply(accounts, store) -> None:
    accounts.open("A1", owner="Alice")
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            projector = AccountProjector(store, batch_size=2)
            for _ in range(15):
                projector.catch_up()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=follow) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(30):
        accounts.deposit("A1", "1.00")
    for thread in threads:
        thread.join()
    assert errors == []
    projector = AccountProjector(store)
    projector.catch_up()
    assert projector.summary("A1").balance == Decimal("30.00")
    assert_equals_replay(store, projector)


def test_unknown_event_type_marks_only_that_account(accounts, store) -> None:
    accounts.open("A1", owner="Alice", initial="5.00")
    accounts.open("B1", owner="Bob")
    store.append("A1", 1, [NewEvent("MoneyFrozen", {"why": "newer esgui"}, {"user": "x"})])
    accounts.deposit("B1", "1.00")
    projector = AccountProjector(store)
    projector.catch_up()
    broken = projector.summary("A1")
    assert broken.status == UNREADABLE and "MoneyFrozen" in broken.error
    assert broken.version == 2 and broken.balance == Decimal("5.00")
    assert projector.summary("B1").balance == Decimal("1.00")
    assert projector.checkpoint() == store.head()[0]
    with pytest.raises(esgui.StoreError, match="MoneyFrozen"):
        accounts.state("A1")


def test_read_only_store_sees_current_rows_without_writing(store_url) -> None:
    with esgui.open_store(store_url) as store:
        accounts = esgui.Accounts(store, user="w")
        accounts.open("A1", owner="Alice", initial="1.00")
        AccountProjector(store).catch_up()
        accounts.deposit("A1", "1.00")
    with esgui.open_store(store_url, read_only=True) as store:
        projector = AccountProjector(store)
        (row,) = projector.current()
        assert row.balance == Decimal("2.00") and row.version == 2
        assert projector.checkpoint() == 1  # nothing written


@pytest.mark.slow
def test_projection_caught_up_repeatedly_during_concurrent_writes(store_url) -> None:
    """The out-of-order-visibility race: writers commit while the projector follows.
    A skipped event would surface as a version gap (an 'unreadable' row) or a balance
    that differs from a full replay."""
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("SHARED", owner="Shared")
        ctx = mp.get_context("spawn")
        writers = [ctx.Process(target=deposit_many, args=(store_url, "SHARED", "0.01", 60,
                                                          f"w{i}")) for i in range(3)]
        writers += [ctx.Process(target=open_and_churn, args=(store_url, f"OWN{i}", 40,
                                                             f"c{i}")) for i in range(2)]
        for process in writers:
            process.start()
        projector = AccountProjector(store, batch_size=7)
        rounds = 0
        while any(p.is_alive() for p in writers) or rounds < 3:
            projector.catch_up()
            rounds += 1
            assert all(s.status != UNREADABLE for s in projector.summaries())
        for process in writers:
            process.join(timeout=120)
            assert process.exitcode == 0
        projector.catch_up()
        assert rounds > 3
        assert projector.summary("SHARED").balance == Decimal("1.80")
        assert_equals_replay(store, projector)


def test_a_history_that_breaks_the_rules_marks_only_that_account(store, location) -> None:
    """Tampering that raises a withdrawal beyond the balance: that account is unreadable
    (with the reason), never a negative balance; the others are untouched."""
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="10.00")
    accounts.withdraw("A1", "4.00")
    accounts.open("B1", owner="Bob", initial="1.00")
    location.drop_append_only()
    location.sql("UPDATE events SET data = ? WHERE aggregate_id = 'A1' AND version = 2",
                 ('{"amount":"40.00"}',))
    projector = AccountProjector(store)
    projector.catch_up()
    broken = projector.summary("A1")
    assert broken.status == UNREADABLE and "breaks the rules" in broken.error
    assert broken.balance == Decimal("10.00")
    assert projector.summary("B1").balance == Decimal("1.00")
    assert [s.account_id for s in projector.summaries()] == ["A1", "B1"]  # all readable rows
    with pytest.raises(esgui.StoreError, match="withdraws 40.00 from a balance of 10.00"):
        esgui.Accounts(store, user="x").replayer.state_at("A1", use_snapshots=False)
