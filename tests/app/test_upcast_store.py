"""A store holding schema-1 events (integer cents) reads as if written today."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import esgui
from esgui.cli import main
from esgui.projections import AccountProjector
from esgui.store import NewEvent

LEGACY = Path(__file__).parents[1] / "data" / "legacy-0001.db"


def write_legacy_history(store) -> None:
    """What esgui 0.0 stored: deposits and withdrawals as {"amount_cents": N}."""
    store.append("OLD-1", 0, [NewEvent("AccountOpened", {"owner": "Olga", "initial": "10.00"},
                                       {"user": "legacy"}, 1)])
    store.append("OLD-1", 1, [NewEvent("MoneyDeposited", {"amount_cents": 1050},
                                       {"user": "legacy"}, 1)])
    store.append("OLD-1", 2, [NewEvent("MoneyWithdrawn", {"amount_cents": 275},
                                       {"user": "legacy"}, 1)])


def test_legacy_events_are_upcast_on_read(store, accounts) -> None:
    write_legacy_history(store)
    opened, deposited, withdrawn = store.read_stream("OLD-1")
    assert deposited.stored_data == {"amount_cents": 1050}
    assert deposited.stored_schema_version == 1
    assert deposited.data == {"amount": "10.50"}
    assert deposited.schema_version == 2 and deposited.upcast
    assert not opened.upcast
    assert accounts.state("OLD-1").balance == Decimal("17.75")
    assert accounts.state("OLD-1", at_version=2).balance == Decimal("20.50")


def test_new_commands_continue_a_legacy_stream_in_the_new_schema(store, accounts) -> None:
    write_legacy_history(store)
    accounts.deposit("OLD-1", "0.25")
    latest = list(store.read_stream("OLD-1"))[-1]
    assert latest.stored_schema_version == 2 and latest.stored_data == {"amount": "0.25"}
    assert accounts.state("OLD-1").balance == Decimal("18.00")
    projector = AccountProjector(store)
    projector.catch_up()
    assert projector.summary("OLD-1").balance == Decimal("18.00")


def test_cli_shows_the_upcast_form(store_url, capsys) -> None:
    with esgui.open_store(store_url) as store:
        write_legacy_history(store)
    assert main(["--db", store_url, "events", "OLD-1", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[1]["data"] == {"amount": "10.50"} and lines[1]["schema_version"] == 2


def test_committed_legacy_store_file_replays(tmp_path) -> None:
    if not LEGACY.exists():
        pytest.skip("legacy fixture missing")
    copy = tmp_path / "legacy.db"
    shutil.copy(LEGACY, copy)
    with esgui.open_store(f"sqlite:///{copy}") as store:
        accounts = esgui.Accounts(store, user="auditor")
        assert accounts.state("OLD-1").balance == Decimal("17.75")
        closed = accounts.state("OLD-2")
        assert (closed.status, closed.balance) == ("closed", Decimal("0.00"))
        assert accounts.state("OLD-2", at_version=2).balance == Decimal("0.01")
