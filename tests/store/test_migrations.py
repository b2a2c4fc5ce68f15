"""Real upgrades: a store written at an earlier schema revision, with data, opens in
this esgui, says it was upgraded, and keeps every event and its hash chain."""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine

import esgui
import esgui.store.schema_manager as schema_manager
from esgui.audit.notes import add_note, list_notes
from esgui.audit.verify import verify_store
from esgui.cli import main
from esgui.errors import StoreError
from esgui.store.schema import VERSION_TABLE

LEGACY = Path(__file__).parents[1] / "data" / "legacy-0001.db"
COLUMNS = (
    "position, id, aggregate_id, aggregate_type, event_type, schema_version, version, "
    "data, metadata, operator, created_at, hash"
)


def make_0001_store(location, tmp_path: Path) -> None:
    """The committed legacy file, or on PostgreSQL the same rows in a 0001 schema."""
    if location.backend == "sqlite":
        shutil.copy(LEGACY, tmp_path / "store.db")
        return
    engine = create_engine(location.url)
    with engine.begin() as conn:
        schema_manager.upgrade(conn, "0001")
    engine.dispose()
    with sqlite3.connect(LEGACY) as legacy:
        rows = legacy.execute(f"SELECT {COLUMNS} FROM events ORDER BY position").fetchall()
    for row in rows:
        location.sql(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, "
                     "CAST(? AS jsonb), CAST(? AS jsonb), ?, CAST(? || '+00' AS timestamptz), ?)",
                     row)  # fmt: skip


def test_store_at_0001_is_upgraded_with_its_data(location, tmp_path) -> None:
    make_0001_store(location, tmp_path)
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [("0001",)]
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from == "0001"
        assert verify_store(store).intact
        accounts = esgui.Accounts(store, user="auditor")
        assert accounts.state("OLD-1").balance == Decimal("17.75")
        assert accounts.state("OLD-2").status == "closed"
        add_note(store, account_id="OLD-1", text="checked after upgrade", author="auditor")
        assert [n.text for n in list_notes(store)] == ["checked after upgrade"]
        accounts.deposit("OLD-1", "0.25")
        assert verify_store(store).intact
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [
        (schema_manager.HEAD_REVISION,)
    ]


def test_cli_says_it_upgraded(location, tmp_path, capsys) -> None:
    make_0001_store(location, tmp_path)
    assert main(["--db", location.url, "state", "OLD-1", "--json"]) == 0
    err = capsys.readouterr().err
    assert "upgraded the store schema from 0001" in err


def test_failed_upgrade_changes_nothing(location, tmp_path, monkeypatch) -> None:
    make_0001_store(location, tmp_path)
    real = schema_manager.upgrade

    def upgrade_then_fail(conn, target="head"):
        real(conn, target)  # every step runs...
        raise RuntimeError("disk unplugged")  # ...and then something goes wrong

    monkeypatch.setattr(schema_manager, "upgrade", upgrade_then_fail)
    with pytest.raises(StoreError, match="from schema 0001 failed.*nothing was changed"):
        esgui.open_store(location.url)
    monkeypatch.undo()
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [("0001",)]
    assert location.sql("SELECT count(*) FROM events") == [(7,)]
    listing = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if location.backend == "sqlite"
        else "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()"
    )
    tables = {t for (t,) in location.sql(listing)}
    assert "review_notes" not in tables
    with esgui.open_store(location.url) as store:  # and a later try succeeds
        assert store.upgraded_from == "0001"


def test_read_only_open_of_an_old_store_refuses_to_upgrade(location, tmp_path) -> None:
    make_0001_store(location, tmp_path)
    with pytest.raises(esgui.NotPermitted, match="needs an upgrade"):
        esgui.open_store(location.url, read_only=True)
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [("0001",)]


def make_0003_store_with_notes_and_snapshots(location, tmp_path: Path) -> None:
    """The legacy events brought to 0003, plus what a 0003 esgui wrote beside them:
    review notes (unchained) and a snapshot (unbound)."""
    make_0001_store(location, tmp_path)
    engine = create_engine(location.url)
    with engine.begin() as conn:
        schema_manager.upgrade(conn, "0003")
    engine.dispose()
    t = "2026-11-28 10:00:0{}.000000" if location.backend == "sqlite" else "2026-11-28 10:00:0{}Z"
    for n, (note_id, text) in enumerate([("00000000-0000-4000-8000-000000000001", "first"),
                                         ("00000000-0000-4000-8000-000000000002", "second")]):
        location.sql("INSERT INTO review_notes (id, target_kind, event_id, account_id, text, "
                     "author, created_at) VALUES (?, 'account', NULL, 'OLD-1', ?, 'kim', ?)",
                     (note_id, text, t.format(n)))  # fmt: skip
    location.sql("INSERT INTO snapshots (aggregate_id, version, schema_version, state, "
                 "checksum, created_at) VALUES ('OLD-1', 1, 1, '{}', 'x', ?)", (t.format(5),))


def test_store_at_0003_with_notes_and_snapshots_is_upgraded_to_0004(location, tmp_path) -> None:
    make_0003_store_with_notes_and_snapshots(location, tmp_path)
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from == "0003"
        # the old notes are chained in time order, the snapshot bound to its event
        chained = list(store.notes.chain())
        assert [(c.note.text, c.seq) for c in chained] == [("first", 1), ("second", 2)]
        snapshot = store.snapshots_at_or_below("OLD-1", 1)[0]
        assert snapshot.bound
        add_note(store, account_id="OLD-1", text="after the upgrade", author="auditor")
        assert [c.seq for c in store.notes.chain()] == [1, 2, 3]
        result = verify_store(store)
        # the events and notes are intact; the (invalid) legacy snapshot is named
        assert [(p.kind, p.version) for p in result.problems] == [("snapshot", 1)]
    with pytest.raises(Exception, match="append-only"):
        location.sql("DELETE FROM snapshots")
    with pytest.raises(Exception, match="append-only"):
        location.sql("UPDATE review_notes SET text = 'x'")
