"""Moving a store to the other engine (SQLite → PostgreSQL, and back when the tests run
on PostgreSQL) by export and import: equal states, notes, and a passing verify."""

from __future__ import annotations

import pytest

import esgui
from esgui.app.seed import seed
from esgui.audit.notes import add_note, list_notes
from esgui.audit.verify import verify_store


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_move_to_the_other_engine(history, other_url, cli, tmp_path, fmt) -> None:
    seed(history, accounts=12, events=600, seed=7)
    add_note(history, "Large cash deposit", author="kim",
             event_id=next(history.read_all(after=100, limit=1)).event_id)  # fmt: skip
    add_note(history, "Owner name check", author="lee", account_id="ACC-000003")
    path = tmp_path / f"move.{fmt}"
    code, out, err = cli("export", "--format", fmt, "--output", str(path))
    assert code == 0, err
    code, out, err = cli("import", str(path), db=other_url)
    assert code == 0, err
    assert "Imported 609 events" in out and "2 review notes" in out
    assert "identical to the source" in out

    with esgui.open_store(other_url) as copy:
        assert copy.backend != history.backend
        source_ids, copy_ids = history.aggregate_ids(), copy.aggregate_ids()
        assert copy_ids == source_ids and len(copy_ids) == 15
        here, there = esgui.Accounts(history), esgui.Accounts(copy)
        for account_id in source_ids:
            assert there.state(account_id) == here.state(account_id)
        assert [(e.event_id, e.recorded_at, e.operator, e.metadata) for e in copy.read_all()] == [
            (e.event_id, e.recorded_at, e.operator, e.metadata) for e in history.read_all()
        ]
        assert list(list_notes(copy)) == list(list_notes(history))
        result = verify_store(copy)
        assert result.intact and result.head_hash == history.head()[1]

    code, out, _ = cli("verify", "--anchor", history.head()[1], db=other_url)
    assert code == 0 and "intact: 609 events" in out
    code, out, _ = cli("import", str(path), db=other_url)
    assert code == 0 and "Imported 0 events (609 already present)" in out
