"""Export (stored form, streamed, with notes) and import (idempotent, faithful,
all-or-nothing for bad files, conflicts refused)."""

from __future__ import annotations

import json
import re
from dataclasses import astuple
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event

import esgui
from esgui.audit.export import ExportFilters, export_events
from esgui.audit.importer import ImportConflict, import_file
from esgui.audit.notes import add_note, list_notes
from esgui.audit.verify import verify_store
from esgui.errors import InvalidInput
from esgui.projections import Cancelled
from esgui.store import NewEvent
from tests.audit.audit_helpers import START, ev


@pytest.fixture
def audited(history):
    """The history, plus a legacy schema-1 deposit (integer cents) and two notes."""
    history.append("C1", 1, [NewEvent("MoneyDeposited", {"amount_cents": 1050},
                                      {"user": "legacy", "note": "esgui 0.0"}, 1,
                                      recorded_at=START + timedelta(hours=20))])  # fmt: skip
    event_id = next(history.read_all(after=4, limit=1)).event_id
    add_note(history, "Withdrawal by another operator", author="kim", event_id=event_id)
    add_note(history, "Closed the same day", author="lee", account_id="B1")
    return history


def _rows(store) -> list[tuple]:
    return [(e.position, e.event_id, e.aggregate_id, e.aggregate_type, e.event_type, e.version,
             e.stored_schema_version, e.stored_data, e.metadata, e.recorded_at, e.operator,
             e.hash) for e in store.read_all()]  # fmt: skip


def _notes(store) -> list[tuple]:
    return [astuple(n) for n in list_notes(store)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_round_trip_is_faithful_and_idempotent(audited, same_url, tmp_path: Path, fmt) -> None:
    path = tmp_path / f"all.{fmt}"
    summary = export_events(audited, fmt, path, ExportFilters())
    assert (summary.events, summary.notes) == (10, 2)
    with esgui.open_store(same_url) as copy:
        first = import_file(copy, path)
        assert (first.events_added, first.events_skipped) == (10, 0)
        assert (first.notes_added, first.notes_skipped) == (2, 0)
        assert _rows(copy) == _rows(audited)  # ids, times, operators, stored form, hashes
        assert _notes(copy) == _notes(audited)
        assert copy.head() == audited.head()
        assert verify_store(copy).intact
        assert first.identical_chain
        again = import_file(copy, path)
        assert (again.events_added, again.events_skipped) == (0, 10)
        assert (again.notes_added, again.notes_skipped) == (0, 2)
        assert copy.head() == audited.head()
        legacy = list(copy.read_stream("C1"))[-1]
        assert legacy.stored_schema_version == 1 and legacy.data == {"amount": "10.50"}


def test_jsonl_layout(audited, tmp_path: Path) -> None:
    path = tmp_path / "all.jsonl"
    export_events(audited, "jsonl", path, ExportFilters())
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in records] == ["header"] + ["event"] * 10 + ["note"] * 2 + ["end"]
    assert records[0]["format"] == "esgui-export" and records[0]["complete"] is True
    legacy = records[10]
    assert legacy["schema_version"] == 1 and legacy["data"] == {"amount_cents": 1050}
    assert legacy["recorded_at"] == "2026-03-02T05:00:00+00:00"
    assert records[-1] == {"kind": "end", "events": 10, "notes": 2}


FILTERS = [
    ({"account_id": "B1"}, {"aggregate_id": "B1"}),
    ({"event_types": ("MoneyWithdrawn",)}, {"event_types": ["MoneyWithdrawn"]}),
    ({"operator": "bob"}, {"operator": "bob"}),
    ({"since": START + timedelta(hours=2), "until": START + timedelta(hours=6)},
     {"since": START + timedelta(hours=2), "until": START + timedelta(hours=6)}),
    ({"after": 3, "limit": 4}, {"after": 3, "limit": 4}),
    ({"account_id": "A1", "operator": "alice", "after": 1}, {"aggregate_id": "A1",
                                                             "operator": "alice", "after": 1}),
]  # fmt: skip


@pytest.mark.parametrize(("filters", "read_all"), FILTERS)
def test_filters_are_those_of_the_event_log(audited, tmp_path: Path, filters, read_all) -> None:
    path = tmp_path / "some.jsonl"
    export_events(audited, "jsonl", path, ExportFilters(**filters))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    exported = [r["event_id"] for r in records if r["kind"] == "event"]
    assert exported == [e.event_id for e in audited.read_all(**read_all)]
    assert records[0]["complete"] is False
    notes = [r for r in records if r["kind"] == "note"]
    accounts = {r["aggregate_id"] for r in records if r["kind"] == "event"}
    for note in notes:  # only notes about what was exported
        assert note["event_id"] in exported or (
            note["target"] == "account" and note["account_id"] in accounts
        )
    expected_notes = (("Closed the same day" if "B1" in accounts else None),
                      ("Withdrawal by another operator"
                       if next(audited.read_all(after=4, limit=1)).event_id in exported
                       else None))  # fmt: skip
    assert sorted(n["text"] for n in notes) == sorted(t for t in expected_notes if t)


def test_an_account_export_imports_into_a_fresh_store(audited, same_url, tmp_path) -> None:
    path = tmp_path / "b1.jsonl"
    export_events(audited, "jsonl", path, ExportFilters(account_id="B1"))
    with esgui.open_store(same_url) as copy:
        result = import_file(copy, path)
        assert (result.events_added, result.notes_added) == (4, 1)
        assert esgui.Accounts(copy).state("B1") == esgui.Accounts(audited).state("B1")
        assert verify_store(copy).intact and not result.identical_chain


def test_a_later_slice_extends_a_copy(audited, same_url, tmp_path) -> None:
    export_events(audited, "jsonl", tmp_path / "first.jsonl", ExportFilters(limit=6))
    export_events(audited, "jsonl", tmp_path / "rest.jsonl", ExportFilters(after=6))
    with esgui.open_store(same_url) as copy:
        import_file(copy, tmp_path / "first.jsonl")
        assert copy.head()[0] == 6
        import_file(copy, tmp_path / "rest.jsonl")
        assert _rows(copy) == _rows(audited)


def test_a_slice_missing_earlier_versions_is_refused(audited, same_url, tmp_path, cli) -> None:
    path = tmp_path / "withdrawals.jsonl"
    export_events(audited, "jsonl", path, ExportFilters(event_types=("MoneyWithdrawn",)))
    code, out, err = cli("import", str(path), db=same_url)
    assert code == 2 and out == ""
    assert "versions 1–2 are neither in the file nor in the store" in err
    with esgui.open_store(same_url) as copy:
        assert copy.head()[0] == 0


def test_diverged_histories_are_a_conflict(audited, same_url, tmp_path, cli) -> None:
    path = tmp_path / "all.jsonl"
    export_events(audited, "jsonl", path, ExportFilters())
    with esgui.open_store(same_url) as other:
        other.append("Z1", 0, [ev("AccountOpened", owner="Zed", initial="1.00")])
        other.append("A1", 0, [ev("AccountOpened", owner="Someone else", initial="1.00")])
        with pytest.raises(ImportConflict, match="A1 already has another event at version 1"):
            import_file(other, path)
        assert other.head()[0] == 2  # nothing imported
    code, _out, err = cli("import", str(path), db=same_url)
    assert code == 1 and "histories have diverged" in err and err.count("\n") == 1


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


BAD_FILES = {
    "garbage": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff\xfe\n"),
    "empty": lambda p: p.write_bytes(b""),
    "not an export": lambda p: p.write_text('{"hello": "world"}\n'),
    "newer format": lambda p: p.write_text(_lines(p)[0].replace('"format_version":1',
                                                                 '"format_version":99')
                                           + "".join(_lines(p)[1:])),
    "no end record": lambda p: p.write_text("".join(_lines(p)[:-1])),
    "cut mid-line": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "not JSON": lambda p: p.write_text("".join(_lines(p)[:3]) + "{oops\n"
                                       + "".join(_lines(p)[3:])),
    "wrong counts": lambda p: p.write_text("".join(_lines(p)[:-1])
                                           + '{"kind":"end","events":3,"notes":2}\n'),
    "edited amount": lambda p: p.write_text(p.read_text().replace('"amount":"50.00"',
                                                                  '"amount":"5000.00"')),
    "dropped event": lambda p: p.write_text("".join(_lines(p)[:4] + _lines(p)[5:])
                                            .replace('"events":10', '"events":9')),
    "bad event id": lambda p: p.write_text(p.read_text().replace('"event_id":"',
                                                                 '"event_id":"x', 1)),
    "note on unknown event": lambda p: p.write_text("".join(
        re.sub(r'"event_id":"[^"]+"', '"event_id":"00000000-0000-4000-8000-000000000000"', line)
        if '"target":"event"' in line else line for line in _lines(p))),
}  # fmt: skip


EXPECTED = {
    "garbage": "is not an esgui export",
    "empty": "is empty",
    "not an export": "is not an esgui export",
    "newer format": "written by a newer esgui",
    "no end record": "truncated",
    "cut mid-line": "truncated",
    "not JSON": "line 4: not a JSON record",
    "wrong counts": "counts do not match",
    "edited amount": "line 4: the event at position 3 does not match its hash",
    "dropped event": "position 4 is missing from a complete export",
    "bad event id": "line 2: event_id must be a UUID",
    "note on unknown event": "is about event 00000000-0000-4000-8000-000000000000",
}


@pytest.mark.parametrize("damage", sorted(BAD_FILES))
def test_bad_files_import_nothing_with_one_clear_line(audited, same_url, tmp_path, cli,
                                                      damage: str) -> None:  # fmt: skip
    path = tmp_path / "damaged.jsonl"
    export_events(audited, "jsonl", path, ExportFilters())
    BAD_FILES[damage](path)
    code, out, err = cli("import", str(path), db=same_url)
    assert code == 2, err
    assert out == "" and err.startswith("esgui: ") and err.count("\n") == 1
    assert "Traceback" not in err and "nothing was imported" in err
    assert EXPECTED[damage] in err
    with esgui.open_store(same_url) as copy:
        assert copy.head()[0] == 0 and list(list_notes(copy)) == []


@pytest.mark.parametrize("damage", ["header", "cut", "columns"])
def test_bad_csv_imports_nothing(audited, same_url, tmp_path, cli, damage: str) -> None:
    path = tmp_path / "all.csv"
    export_events(audited, "csv", path, ExportFilters())
    lines = _lines(path)
    if damage == "header":
        path.write_text("a,b,c\n" + "".join(lines[1:]))
    elif damage == "cut":
        path.write_bytes(path.read_bytes()[:-40])
    else:
        path.write_text("".join(lines[:3]) + "1,2,3\n" + "".join(lines[3:]))
    code, _out, err = cli("import", str(path), db=same_url)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    with esgui.open_store(same_url) as copy:
        assert copy.head()[0] == 0


def test_missing_file_and_folder(cli, tmp_path) -> None:
    for target in (tmp_path / "nope.jsonl", tmp_path):
        code, _out, err = cli("import", str(target))
        assert code == 2 and "Cannot import" in err


def test_export_is_streamed_in_keyset_pages(audited, tmp_path, monkeypatch) -> None:
    import esgui.audit.export as module

    monkeypatch.setattr(module, "PAGE_SIZE", 3)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if "FROM events" in statement and "ORDER BY events.position" in statement:
            statements.append(statement)

    sa_event.listen(audited.engine, "before_cursor_execute", seen)
    try:
        export_events(audited, "jsonl", tmp_path / "x.jsonl", ExportFilters())
    finally:
        sa_event.remove(audited.engine, "before_cursor_execute", seen)
    assert len(statements) == 4 and all("LIMIT" in s.upper() for s in statements)


def test_export_progress_and_a_cancel_leaves_no_file(audited, tmp_path, monkeypatch) -> None:
    import esgui.audit.export as module

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    monkeypatch.setattr(module, "PAGE_SIZE", 4)
    seen: list[tuple[int, int]] = []
    export_events(audited, "csv", tmp_path / "x.csv", ExportFilters(),
                  progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    assert seen == [(4, 10), (8, 10), (10, 10)]
    with pytest.raises(Cancelled):
        export_events(audited, "jsonl", tmp_path / "y.jsonl", should_stop=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x.notes.csv"]


def test_cli_export(audited, cli, tmp_path) -> None:
    code, out, err = cli("export", "--format", "jsonl", "B1", "--type", "MoneyDeposited")
    assert code == 0, err
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds == ["header", "event", "note", "end"]  # B1's account note comes along
    code, out, err = cli("export", "--format", "csv", "--output", str(tmp_path / "e.csv"))
    assert code == 0 and "Exported 10 events and 2 review notes" in out and "e.notes.csv" in out
    assert (tmp_path / "e.notes.csv").read_text().startswith("note_id,target,event_id")
    code, out, err = cli("export", "--format", "xml")
    assert code == 2 and "invalid choice" in err
    code, out, err = cli("export", "--format", "jsonl", "--since", "yesterday")
    assert code == 2 and "Invalid time" in err
    code, out, err = cli("export", "--format", "jsonl", "--output", str(tmp_path / "no" / "x"))
    assert code == 2 and "does not exist" in err


def test_import_into_a_read_only_store_is_refused(audited, tmp_path, same_url) -> None:
    path = tmp_path / "all.jsonl"
    export_events(audited, "jsonl", path, ExportFilters())
    esgui.open_store(same_url).close()
    with esgui.open_store(same_url, read_only=True) as copy, pytest.raises(esgui.NotPermitted):
        import_file(copy, path)


def test_invalid_export_format(audited) -> None:
    with pytest.raises(InvalidInput):
        export_events(audited, "xml")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_failed_write_of_the_export_is_a_store_error_and_leaves_no_file(
    audited, tmp_path, monkeypatch, fmt: str
) -> None:
    import errno

    import esgui.audit.export as module

    def disk_full(_value) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(module, "_dump", disk_full)
    monkeypatch.setattr(module, "canonical_json", disk_full)
    with pytest.raises(esgui.StoreError, match="Cannot write .*No space left"):
        export_events(audited, fmt, out / f"x.{fmt}", ExportFilters())
    assert list(out.iterdir()) == []
