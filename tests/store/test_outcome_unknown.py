"""A commit whose acknowledgement is lost (the connection drops after COMMIT was sent,
as when a primary dies): the store says the outcome is unknown (OutcomeUnknown), the
command's retry with the same event ids never applies it twice, and the CLI reports
an outcome still unknown after its retries with exit 6."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, exc

import esgui
from esgui.cli import main
from esgui.errors import OutcomeUnknown


def _lose_commit_acknowledgements(store, times: int | None) -> list[int]:
    """Commit for real, then fail as a dropped connection would (`times` commits;
    None: every one)."""
    lost: list[int] = []

    @event.listens_for(store.engine, "commit")
    def _commit_then_drop(conn) -> None:
        if times is not None and len(lost) >= times:
            return
        conn.connection.dbapi_connection.commit()  # it is stored...
        lost.append(1)
        raise exc.OperationalError(  # ...but the client never hears so
            "COMMIT", {}, Exception("server closed the connection unexpectedly"),
            connection_invalidated=True,
        )  # fmt: skip

    return lost


def test_a_lost_commit_acknowledgement_is_unknown_then_retried_once(store) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice")
    lost = _lose_commit_acknowledgements(store, times=1)
    with pytest.raises(OutcomeUnknown, match="lost while committing"):
        store.append("A1", 1, [esgui.NewEvent("MoneyDeposited", {"amount": "1.00"}, {},
                                              schema_version=2)])  # fmt: skip
    assert store.current_version("A1") == 2  # it did commit
    state = accounts.deposit("A1", "2.50")  # the command retries with its own ids
    assert len(lost) == 1
    assert state.balance == Decimal("3.50") and state.version == 3


def test_an_accounts_command_retried_after_an_unknown_outcome_is_applied_once(store) -> None:
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice")
    lost = _lose_commit_acknowledgements(store, times=1)
    state = accounts.deposit("A1", "1.00")
    assert len(lost) == 1
    assert state.version == 2 and state.balance == Decimal("1.00")
    assert [e.version for e in store.read_stream("A1")] == [1, 2]


def test_outcome_still_unknown_after_the_retries_exits_6(store_url, capsys, monkeypatch) -> None:
    assert main(["--db", store_url, "open", "A1", "--owner", "Alice"]) == 0
    real_open = esgui.store.EventStore.__init__

    def open_and_lose_every_acknowledgement(self, *args, **kwargs):
        real_open(self, *args, **kwargs)
        _lose_commit_acknowledgements(self, times=None)

    monkeypatch.setattr(esgui.store.EventStore, "__init__", open_and_lose_every_acknowledgement)
    capsys.readouterr()
    assert main(["--db", store_url, "deposit", "A1", "1.00"]) == 6
    err = capsys.readouterr().err
    assert "outcome unknown" in err and "before running it again" in err
    assert "Traceback" not in err and err.count("\n") == 1
    monkeypatch.undo()
    with esgui.open_store(store_url) as store:
        # committed on the first try, never again on the retries
        assert [e.event_type for e in store.read_stream("A1")] == ["AccountOpened",
                                                                   "MoneyDeposited"]  # fmt: skip
