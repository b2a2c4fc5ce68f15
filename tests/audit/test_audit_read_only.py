"""Read-only mode: every command that changes the store is refused with exit 5 (and
writes nothing), while browsing, replay, verify, export, reports and notes work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esgui.audit.export import ExportFilters, export_events
from esgui.audit.notes import add_note
from esgui.projections import AccountProjector

MUTATING = [
    ("open", "N1", "--owner", "Nina"),
    ("deposit", "A1", "1.00"),
    ("withdraw", "A1", "1.00"),
    ("close", "C1"),
    ("seed", "--accounts", "1", "--events", "2"),
    ("projections", "update"),
    ("projections", "rebuild"),
    ("import", "{export}"),
]


def _snapshot(location) -> tuple:
    return (location.sql("SELECT count(*) FROM events")[0][0],
            location.sql("SELECT count(*) FROM account_summary")[0][0],
            location.sql("SELECT count(*) FROM projection_checkpoints")[0][0])  # fmt: skip


@pytest.fixture
def export_file(history, tmp_path: Path) -> str:
    path = tmp_path / "copy.jsonl"
    export_events(history, "jsonl", path, ExportFilters())
    return str(path)


@pytest.mark.parametrize("how", ["flag", "env"])
@pytest.mark.parametrize("command", MUTATING, ids=lambda c: " ".join(c[:2]))
def test_every_mutating_command_is_refused(history, cli, location, monkeypatch, export_file,
                                           command: tuple, how: str) -> None:  # fmt: skip
    args = [part.replace("{export}", export_file) for part in command]
    before = _snapshot(location)
    if how == "env":
        monkeypatch.setenv("ESGUI_READ_ONLY", "1")
    else:
        args = ["--read-only", *args]
    code, out, err = cli(*args)
    assert code == 5, err
    assert out == ""
    assert err.startswith("esgui: read-only mode:") and err.count("\n") == 1
    assert _snapshot(location) == before


def test_refused_before_the_store_is_opened(cli, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'nothing-here.db'}"
    code, _out, err = cli("--read-only", "seed", "--accounts", "1", "--events", "1", db=missing)
    assert code == 5 and "read-only" in err
    assert not (tmp_path / "nothing-here.db").exists()


READING = [
    ("state", "A1", "--json"),
    ("state", "A1", "--at-version", "2"),
    ("events", "--json"),
    ("events", "B1"),
    ("accounts", "--json"),
    ("verify",),
    ("diff", "A1", "1", "3"),
    ("projections", "check"),
    ("export", "--format", "jsonl"),
    ("export", "--format", "csv", "A1"),
    ("notes", "list"),
    ("report", "A1", "--output", "{pdf}"),
]


@pytest.mark.parametrize("command", READING, ids=lambda c: " ".join(c[:2]))
def test_reading_commands_work_read_only(history, cli, location, tmp_path: Path,
                                         command: tuple) -> None:  # fmt: skip
    AccountProjector(history).catch_up()
    add_note(history, "a note to list", author="kim", account_id="A1")
    before = _snapshot(location)
    args = [part.replace("{pdf}", str(tmp_path / "r.pdf")) for part in command]
    code, out, err = cli("--read-only", *args)
    assert code == 0, err
    assert out
    assert _snapshot(location) == before


def test_accounts_read_only_on_a_stale_projection_completes_in_memory(
    history, cli, location
) -> None:
    code, out, _ = cli("--read-only", "accounts", "--json")
    assert code == 0
    assert [a["account_id"] for a in json.loads(out)] == ["A1", "B1", "C1"]
    assert location.sql("SELECT count(*) FROM account_summary")[0][0] == 0


def test_a_review_note_is_allowed_read_only(history, cli, location) -> None:
    """Decision (docs/audit.md): notes never touch the log, so an auditor working
    read-only can still flag what they see."""
    code, out, err = cli("--read-only", "notes", "add", "--account", "B1", "Closed quickly?")
    assert code == 0, err
    assert "Noted" in out
    assert location.sql("SELECT count(*) FROM events")[0][0] == 9
    assert location.sql("SELECT author, text FROM review_notes") == [("auditor", "Closed quickly?")]
