"""Transfers: two legs in one transaction, both versions checked, one correlation, the
received leg caused by the sent one; refusals append nothing. Both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

import esgui
from esgui.app.stores import EventFilter
from esgui.errors import ConcurrencyError, InvalidInput, NotPermitted, RuleViolation, UnknownAccount
from esgui.store import NewEvent


@pytest.fixture
def bank(store):
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Ann", initial="100.00")
    accounts.open("B1", owner="Bob")
    return accounts


def test_a_transfer_appends_both_legs_with_one_correlation(store, bank) -> None:
    result = bank.transfer("A1", "B1", "30.25", reference="December rent")
    assert (result.sender.balance, result.receiver.balance) == (Decimal("69.75"), Decimal("30.25"))
    assert (result.sender.version, result.receiver.version) == (2, 2)
    sent, received = list(store.read_all(after=2))
    assert (sent.aggregate_id, sent.event_type, sent.version) == ("A1", "TransferSent", 2)
    assert (received.aggregate_id, received.event_type) == ("B1", "TransferReceived")
    assert received.position == sent.position + 1
    assert sent.data == {"amount": "30.25", "counterparty": "B1", "reference": "December rent"}
    assert received.data == {"amount": "30.25", "counterparty": "A1", "reference": "December rent"}
    assert sent.metadata["correlation_id"] == received.metadata["correlation_id"]
    assert received.metadata["causation_id"] == sent.event_id
    assert sent.metadata["causation_id"] == sent.metadata["command_id"]
    assert sent.recorded_at == received.recorded_at
    fresh = esgui.Accounts(store, user="bob")
    assert fresh.state("A1").balance == Decimal("69.75")
    assert fresh.state("B1").balance == Decimal("30.25")


@pytest.mark.parametrize(
    ("source", "target", "amount", "error", "words"),
    [
        ("A1", "B1", "100.01", RuleViolation, "Insufficient funds in 'A1'"),
        ("A1", "ZZ", "1.00", UnknownAccount, "Unknown account 'ZZ'"),
        ("ZZ", "A1", "1.00", UnknownAccount, "Unknown account 'ZZ'"),
        ("A1", "A1", "1.00", InvalidInput, "two different accounts"),
        ("A1", "B1", "0", InvalidInput, "greater than zero"),
        ("A1", "B1", "1.001", InvalidInput, "Invalid amount"),
        ("A1", "B1", "1e3", InvalidInput, "Invalid amount"),
        ("A1", "C1", "1.00", RuleViolation, r"'C1' \(receiver of the transfer\) is closed"),
        ("C1", "A1", "1.00", RuleViolation, r"'C1' \(sender of the transfer\) is closed"),
        ("A1", "bad id!", "1.00", InvalidInput, "Invalid account id"),
    ],
)
def test_refusals_append_nothing(store, bank, source, target, amount, error, words) -> None:
    bank.open("C1", owner="Cy")
    bank.close("C1")
    head = store.head()
    with pytest.raises(error, match=words):
        bank.transfer(source, target, amount)
    assert store.head() == head


def test_bad_references_are_refused_and_blank_is_none(store, bank) -> None:
    with pytest.raises(InvalidInput, match="reference"):
        bank.transfer("A1", "B1", "1.00", reference="x" * 201)
    with pytest.raises(InvalidInput, match="control character"):
        bank.transfer("A1", "B1", "1.00", reference="a\nb")
    bank.transfer("A1", "B1", "1.00", reference="   ")
    assert list(store.read_all(after=2))[0].data["reference"] is None


def test_read_only_store_refuses_a_transfer(store_url, bank) -> None:
    with esgui.open_store(store_url, read_only=True) as ro, pytest.raises(NotPermitted):
        esgui.Accounts(ro, user="x").transfer("A1", "B1", "1.00")


def test_both_expected_versions_are_checked_by_the_store(store, bank) -> None:
    """The multi-stream append refuses the pair when either stream moved."""
    meta = {"user": "x"}
    legs = [
        (
            "A1",
            1,
            [
                NewEvent(
                    "TransferSent",
                    {"amount": "1.00", "counterparty": "B1", "reference": None},
                    meta,
                )
            ],
        ),
        (
            "B1",
            1,
            [
                NewEvent(
                    "TransferReceived",
                    {"amount": "1.00", "counterparty": "A1", "reference": None},
                    meta,
                )
            ],
        ),
    ]
    bank.deposit("B1", "1.00")  # B1 is at version 2 now
    head = store.head()
    with pytest.raises(ConcurrencyError, match="B1"):
        store.append_many(legs)
    assert store.head() == head


def test_a_stale_cache_on_either_side_is_retried(store_url, bank) -> None:
    with esgui.open_store(store_url) as other_store:
        other = esgui.Accounts(other_store, user="bob")
        other.state("A1")
        bank.transfer("A1", "B1", "10.00")  # `other` has not seen this
        other._remember(esgui.Accounts(other_store).state("B1"))
        bank.deposit("B1", "5.00")
        result = other.transfer("B1", "A1", "15.00")  # decided on stale B1: retried
        assert (result.sender.balance, result.receiver.balance) == (
            Decimal("0.00"),
            Decimal("105.00"),
        )


def test_replay_projection_and_as_of_count_transfer_legs(store, bank) -> None:
    from esgui.app.as_of import trial_balance
    from esgui.projections import AccountProjector

    bank.transfer("A1", "B1", "40.00")
    bank.transfer("B1", "A1", "15.50")
    projected = {s.account_id: s.balance for s in AccountProjector(store).current()}
    assert projected == {"A1": Decimal("75.50"), "B1": Decimal("24.50")}
    replayed = esgui.Accounts(store).replayer.state_at("B1", use_snapshots=False)
    assert replayed.balance == Decimal("24.50")
    assert trial_balance(store, datetime.now(UTC)).total == Decimal("100.00")


def test_events_of_one_correlation(store, bank) -> None:
    bank.transfer("A1", "B1", "1.00")
    bank.transfer("A1", "B1", "2.00")
    last = list(store.read_all())[-1]
    correlation = last.metadata["correlation_id"]
    found = list(store.read_all(where=EventFilter(correlation_id=correlation)))
    assert [(e.aggregate_id, e.data["amount"]) for e in found] == [("A1", "2.00"), ("B1", "2.00")]
    assert store.count(where=EventFilter(correlation_id=correlation)) == 2
    assert store.count(where=EventFilter(correlation_id="no-such")) == 0
    both = EventFilter(aggregate_id="B1", correlation_id=correlation)
    assert [e.position for e in store.read_all(where=both)] == [last.position]
    with pytest.raises(InvalidInput, match="correlation"):
        EventFilter(correlation_id="  ")


def test_correlation_lookup_uses_its_index(store, bank) -> None:
    from sqlalchemy import select, text

    from esgui.store.filters import event_conditions
    from esgui.store.schema import events

    query = select(events.c.position).where(
        *event_conditions(EventFilter(correlation_id="x"), store._backend)
    )
    with store.engine.connect() as conn:
        compiled = query.compile(conn)
        if store.backend == "sqlite":
            sql = str(compiled).replace("?", "'x'")
            plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}",
                                                               compiled.params))  # fmt: skip
    assert "ix_events_correlation" in plan, plan


def test_an_esgui_without_transfers_reads_them_as_unreadable(store, bank, monkeypatch) -> None:
    """The upcaster rules for a type this esgui does not know (an older esgui reading a
    newer store): the account is marked unreadable with the reason, replay refuses in
    plain words, the other accounts read on."""
    from esgui.domain import events as domain_events
    from esgui.errors import UnreadableEvent
    from esgui.projections import AccountProjector

    bank.open("C1", owner="Cy", initial="5.00")
    bank.transfer("A1", "B1", "1.00")
    monkeypatch.delitem(domain_events.EVENT_CLASSES, "TransferSent")
    monkeypatch.delitem(domain_events.EVENT_CLASSES, "TransferReceived")
    rows = {s.account_id: s for s in AccountProjector(store).current()}
    assert rows["A1"].status == "unreadable" and "TransferSent" in rows["A1"].error
    assert rows["C1"].status == "open" and rows["C1"].balance == Decimal("5.00")
    with pytest.raises(UnreadableEvent, match="Unknown event type 'TransferReceived'"):
        esgui.Accounts(store).replayer.state_at("B1", use_snapshots=False)
