"""Commands through the API: metadata, refusals append nothing, retries on conflict."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

import esgui
from esgui.errors import ConcurrencyError, InvalidInput, NotPermitted, RuleViolation


def test_api_session_matches_contracts(accounts) -> None:
    accounts.open("A1", owner="Alice", initial="100.00")
    accounts.deposit("A1", "0.10")
    accounts.deposit("A1", Decimal("0.20"))
    accounts.withdraw("A1", "5.00")
    s = accounts.state("A1")
    assert (s.account_id, s.owner, s.balance, s.status, s.version) == (
        "A1",
        "Alice",
        Decimal("95.30"),
        "open",
        4,
    )
    assert isinstance(s.balance, Decimal)
    accounts.withdraw("A1", "95.30")
    closed = accounts.close("A1")
    assert closed.status == "closed" and closed.balance == Decimal("0.00")


def test_every_event_records_operator_time_and_ids(accounts, store) -> None:
    accounts.open("A1", owner="Alice")
    accounts.deposit("A1", "1.00")
    opened, deposited = store.read_stream("A1")
    for event in (opened, deposited):
        meta = event.metadata
        assert meta["user"] == "alice" and event.operator == "alice"
        assert meta["timestamp"].endswith("+00:00")
        uuid.UUID(meta["correlation_id"])
        uuid.UUID(meta["causation_id"])
        assert meta["causation_id"] == meta["command_id"]
    assert opened.metadata["command"] == "open"
    assert opened.metadata["command_id"] != deposited.metadata["command_id"]


def test_correlation_id_can_be_given(store) -> None:
    accounts = esgui.Accounts(store, user="bob", correlation_id="batch-7")
    accounts.open("A1", owner="Bob")
    (event,) = store.read_stream("A1")
    assert event.metadata["correlation_id"] == "batch-7"


@pytest.mark.parametrize("command", [
    lambda a: a.open("A1", owner="Again"),
    lambda a: a.withdraw("A1", "1000000.00"),
    lambda a: a.deposit("A1", "abc"),
    lambda a: a.deposit("A1", "0"),
    lambda a: a.deposit("NOPE", "1.00"),
    lambda a: a.close("A1"),
    lambda a: a.open("bad id", owner="x"),
    lambda a: a.open("B1", owner=""),
    lambda a: a.deposit("A1", 0.1),
])  # fmt: skip
def test_refused_or_invalid_commands_append_nothing(accounts, store, command) -> None:
    accounts.open("A1", owner="Alice", initial="10.00")
    head = store.head()
    with pytest.raises((RuleViolation, InvalidInput)):
        command(accounts)
    assert store.head() == head


def test_read_only_store_refuses_commands(store_url) -> None:
    esgui.open_store(store_url).close()
    with esgui.open_store(store_url, read_only=True) as store, pytest.raises(NotPermitted):
        esgui.Accounts(store, user="x").open("A1", owner="x")


def test_conflict_is_retried_with_fresh_state(store) -> None:
    first = esgui.Accounts(store, user="one")
    second = esgui.Accounts(store, user="two")
    first.open("A1", owner="Alice", initial="10.00")
    second.deposit("A1", "1.00")  # second has now cached version 2
    first.withdraw("A1", "11.00")  # first's cache is stale (v1): conflict, reload, retry
    assert second.deposit("A1", "1.00").balance == Decimal("1.00")
    assert [e.version for e in store.read_stream("A1")] == [1, 2, 3, 4]


def test_unresolved_conflict_surfaces_as_concurrency_error(store, monkeypatch) -> None:
    accounts = esgui.Accounts(store, user="one", max_retries=2)
    accounts.open("A1", owner="Alice")
    calls = []

    def always_conflict(aggregate_id, expected, events):
        calls.append(expected)
        raise ConcurrencyError(aggregate_id, expected, expected + 1)

    monkeypatch.setattr(store, "append", always_conflict)
    with pytest.raises(ConcurrencyError):
        accounts.deposit("A1", "1.00")
    assert len(calls) == 3


def test_importing_esgui_does_not_import_qt() -> None:
    import subprocess
    import sys

    code = "import esgui, sys; assert not any(m.startswith('PySide6') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_refusal_on_a_stale_cache_is_checked_against_the_store(store) -> None:
    first = esgui.Accounts(store, user="one")
    second = esgui.Accounts(store, user="two")
    first.open("A1", owner="Alice", initial="0.00")  # first caches balance 0.00
    second.deposit("A1", "100.00")
    assert first.withdraw("A1", "50.00").balance == Decimal("50.00")
    # second's cache (balance 100.00) is stale now: its refusal must use the store's 50.00
    with pytest.raises(RuleViolation, match="balance 50.00"):
        second.withdraw("A1", "60.00")
    assert [e.version for e in store.read_stream("A1")] == [1, 2, 3]


def test_a_command_that_keeps_losing_races_takes_the_lock(store, store_url, monkeypatch) -> None:
    """After two lost optimistic races the command decides and appends holding the
    append lock: it cannot lose a third time."""
    accounts = esgui.Accounts(store, user="one")
    accounts.open("A1", owner="Alice", initial="1.00")
    rival = esgui.Accounts(esgui.open_store(store_url), user="rival")
    real_append = store.append
    losses = []

    def append_after_a_rival(aggregate_id, expected, events):
        if len(losses) < 5 and not store._conns.in_exclusive:
            losses.append(expected)
            rival.deposit(aggregate_id, "1.00")  # the rival always gets in first
        return real_append(aggregate_id, expected, events)

    monkeypatch.setattr(store, "append", append_after_a_rival)
    state = accounts.deposit("A1", "1.00")
    assert len(losses) == 2  # two optimistic attempts lost, the third held the lock
    assert state.balance == Decimal("4.00") and state.version == 4
    assert [e.operator for e in store.read_stream("A1")] == ["one", "rival", "rival", "one"]
    rival.store.close()
