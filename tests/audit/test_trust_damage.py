"""One damaged row (issue 10, Medium 4 and 5, and the whole-store half of High 2): a
row changed outside esgui in a way no esgui writes — a version or schema version that
is not a number, an id stored as bytes, data nested 5,000 deep or a JSON array, a time
that is garbage or in another form, an amount beyond the maximum — is reported as
unreadable *for its account only* on every read path; every other account reads on,
`verify` reports it (exit 1), and nothing exits 70 with a traceback.

The damaged row is A1 version 2 (position 3) of the audit history (see
`tests.audit.audit_helpers.make_history`); B1 and C1 stay readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esgui.app.queries import LogRow
from esgui.audit.verify import verify_store
from esgui.projections import AccountProjector
from esgui.store import EventFilter

DEEP = '{"amount":' + "[" * 5000 + "]" * 5000 + "}"
HUGE = '{"amount":"99999999999999999999999999999.00"}'

# kind -> (SQL, parameters, engines where the damage can be stored at all)
DAMAGE = {
    "version-abc": ("UPDATE events SET version = 'abc' WHERE position = 3", (), {"sqlite"}),
    "data-nested-5000": ("UPDATE events SET data = ? WHERE position = 3", (DEEP,),
                         {"sqlite", "postgresql"}),
    "schema-version-x": ("UPDATE events SET schema_version = 'x' WHERE position = 3", (),
                         {"sqlite"}),
    "aggregate-id-bytes": ("UPDATE events SET aggregate_id = CAST('A1' AS BLOB) "
                           "WHERE position = 3", (), {"sqlite"}),
    "data-array": ("UPDATE events SET data = ? WHERE position = 3", ('["amount", "50.00"]',),
                   {"sqlite", "postgresql"}),
    "created-at-garbage": ("UPDATE events SET created_at = 'garbage' WHERE position = 3", (),
                           {"sqlite"}),
    "created-at-T": ("UPDATE events SET created_at = replace(created_at, ' ', 'T') "
                     "WHERE position = 3", (), {"sqlite"}),
    "created-at-offset": ("UPDATE events SET created_at = created_at || '+00:00' "
                          "WHERE position = 3", (), {"sqlite"}),
    "amount-huge": ("UPDATE events SET data = ? WHERE position = 3", (HUGE,),
                    {"sqlite", "postgresql"}),
}  # fmt: skip


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request, history, attacker, location):
    statement, params, engines = DAMAGE[request.param]
    if location.backend not in engines:
        pytest.skip(f"{location.backend} cannot store this damage (its column types refuse it)")
    if location.backend == "postgresql" and "data = ?" in statement:
        statement = statement.replace("data = ?", "data = CAST(? AS jsonb)")
    attacker()(statement, params)
    return history


def _clean(code: int, err: str) -> None:
    assert code != 70 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) <= 3, err


def test_verify_reports_the_damaged_row(damaged, cli) -> None:
    result = verify_store(damaged)
    assert not result.intact
    assert 3 in result.bad_positions
    code, out, err = cli("verify")
    _clean(code, err)
    assert code == 1 and "3" in out


def test_state_of_other_accounts_reads_on(damaged, cli) -> None:
    code, out, err = cli("state", "B1", "--json")
    assert code == 0, err
    assert json.loads(out)["balance"] == "0.00"
    code, out, err = cli("state", "A1", "--json")
    _clean(code, err)
    assert code != 0  # A1 itself cannot be replayed past the damage


def test_events_list_every_row_and_mark_the_damaged_one(damaged, cli) -> None:
    code, out, err = cli("events", "--json")
    _clean(code, err)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["position"] for r in rows] == list(range(1, 10))
    code, out, err = cli("events")
    _clean(code, err)
    assert code == 0


def test_accounts_and_projections_rebuild_and_check_go_on(damaged, cli) -> None:
    for command in (("projections", "rebuild"), ("accounts", "--json"), ("projections", "check")):
        code, out, err = cli(*command)
        _clean(code, err)
        assert code in (0, 1), (command, err)
    code, out, err = cli("accounts", "--json")
    by_id = {row["account_id"]: row for row in json.loads(out)}
    assert by_id["B1"]["status"] == "closed" and by_id["C1"]["balance"] == "10.00"
    if "A1" in by_id:
        assert by_id["A1"]["status"] == "unreadable"


def test_export_goes_on_and_report_of_another_account_works(damaged, cli, tmp_path: Path):
    code, out, err = cli("export", "--format", "jsonl", "--output", str(tmp_path / "all.jsonl"))
    _clean(code, err)
    assert code in (0, 1)
    code, out, err = cli("report", "C1", "--output", str(tmp_path / "c1.pdf"))
    _clean(code, err)
    assert code in (0, 1) and (tmp_path / "c1.pdf").exists()
    code, out, err = cli("report", "A1", "--output", str(tmp_path / "a1.pdf"))
    _clean(code, err)


def test_the_api_reads_every_row(damaged) -> None:
    records = list(damaged.read_all())
    assert [r.position for r in records] == list(range(1, 10))
    bad = [r for r in records if r.position == 3][0]
    others = [r for r in records if r.position != 3]
    assert all(not r.unreadable for r in others)
    assert [e.version for e in damaged.read_stream("B1")] == [1, 2, 3, 4]
    for record in records:
        record.as_json()  # every record can be shown
    if bad.unreadable:
        assert bad.damage


def test_the_gui_log_model_rows_read_every_row(damaged) -> None:
    entries = damaged.log.window(EventFilter(), limit=100)
    rows = [LogRow.from_row(entry) for entry in entries]
    assert [r.position for r in rows] == list(range(1, 10))
    assert not any(r.unreadable for r in rows if r.position != 3)


def test_projection_marks_only_the_damaged_account(damaged) -> None:
    projector = AccountProjector(damaged)
    projector.rebuild()
    rows = {row.account_id: row for row in projector.current()}
    assert rows["B1"].status == "closed" and str(rows["C1"].balance) == "10.00"


def test_diff_never_says_minus_one_versions(history, attacker, cli) -> None:
    attacker()("UPDATE events SET version = -1 WHERE aggregate_id = 'C1'")
    code, out, err = cli("diff", "C1", "0", "1")
    _clean(code, err)
    assert code == 4 and "-1 versions" not in err and "no readable versions" in err


def test_a_refused_foreign_sqlite_file_is_left_byte_for_byte(tmp_path, cli) -> None:
    import hashlib
    import sqlite3

    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers VALUES (1, 'Ada')")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for command in (("accounts",), ("verify",), ("open", "X1", "--owner", "Ada"),
                    ("import", str(path))):  # fmt: skip
        code, _out, err = cli(*command, db=f"sqlite:///{path}")
        assert code in (2, 4) and "Traceback" not in err, err
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_an_exported_unreadable_row_is_marked_and_never_imported(
    history, attacker, location, cli, tmp_path: Path
) -> None:
    cast = "CAST(? AS jsonb)" if location.backend == "postgresql" else "?"
    attacker()(f"UPDATE events SET data = {cast} WHERE position = 3", ('["amount", "50.00"]',))
    out = tmp_path / "all.jsonl"
    code, _out, err = cli("export", "--format", "jsonl", "--output", str(out))
    assert code == 0, err
    line = [json.loads(t) for t in out.read_text().splitlines() if '"position":3,' in t][0]
    assert "JSON array" in line["unreadable"]
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    code, _out, err = cli("import", str(out), db=target)
    assert code == 2 and "line 4" in err and "could not read this event" in err
