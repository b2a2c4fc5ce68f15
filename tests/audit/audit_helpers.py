"""Helpers shared by the audit tests (imported as tests.audit.audit_helpers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from esgui.store import NewEvent

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def ev(event_type: str, *, user: str = "alice", when: datetime | None = None, **data) -> NewEvent:
    schema = 2 if event_type.startswith("Money") else 1
    return NewEvent(event_type, dict(data), {"user": user}, schema, recorded_at=when)


def make_history(store) -> None:
    """Three accounts, interleaved, with two operators and known times (one hour apart):

    pos account v  event            amount  operator
      1 A1      1  AccountOpened    100.00  alice
      2 B1      1  AccountOpened      0.00  bob
      3 A1      2  MoneyDeposited    50.00  alice
      4 B1      2  MoneyDeposited    20.00  bob
      5 A1      3  MoneyWithdrawn    30.00  bob
      6 C1      1  AccountOpened     10.00  alice
      7 B1      3  MoneyWithdrawn    20.00  bob
      8 B1      4  AccountClosed              bob
      9 A1      4  MoneyDeposited     5.25  alice
    """
    rows = [
        ("A1", 0, ev("AccountOpened", owner="Alice Andersen", initial="100.00")),
        ("B1", 0, ev("AccountOpened", user="bob", owner="Bob Bauer", initial="0.00")),
        ("A1", 1, ev("MoneyDeposited", amount="50.00")),
        ("B1", 1, ev("MoneyDeposited", user="bob", amount="20.00")),
        ("A1", 2, ev("MoneyWithdrawn", user="bob", amount="30.00")),
        ("C1", 0, ev("AccountOpened", owner="Chloé Costa", initial="10.00")),
        ("B1", 2, ev("MoneyWithdrawn", user="bob", amount="20.00")),
        ("B1", 3, ev("AccountClosed", user="bob")),
        ("A1", 3, ev("MoneyDeposited", amount="5.25")),
    ]
    for index, (account, expected, event) in enumerate(rows):
        timed = NewEvent(event.event_type, event.data, event.metadata, event.schema_version,
                         recorded_at=START + timedelta(hours=index))  # fmt: skip
        store.append(account, expected, [timed])


class Attacker:
    """Someone with DDL rights on the database (the tables' owner, a superuser, or
    anyone who can write the SQLite file): drops the append-only triggers, edits, and
    puts the triggers back (so the protection check sees nothing: only the hash chain
    can tell; tests/store/test_protection.py covers an attacker who leaves them off)."""

    def __init__(self, location) -> None:
        self.location = location

    def __call__(self, statement: str, params: tuple = ()) -> list[tuple]:
        self.location.drop_append_only()
        try:
            return self.location.sql(statement, params)
        finally:
            self.location.restore_append_only()
