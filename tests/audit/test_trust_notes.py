"""Review notes are chained like events (issue 10, Low): verify finds a note edited,
deleted, inserted behind esgui's back or reordered; honest notes (also concurrent ones
and imported ones) keep an intact chain."""

from __future__ import annotations

import threading

import pytest

from esgui.audit.notes import add_note
from esgui.audit.verify import verify_store


@pytest.fixture
def noted(history):
    for n, text in enumerate(["one", "two", "three"]):
        add_note(history, text, author=f"kim{n}", account_id="A1")
    return history


def test_honest_notes_are_a_chain_verify_accepts(noted) -> None:
    assert [(c.note.text, c.seq) for c in noted.notes.chain()] == [
        ("one", 1),
        ("two", 2),
        ("three", 3),
    ]
    assert verify_store(noted).intact


@pytest.mark.parametrize("statement, expected", [
    ("UPDATE review_notes SET text = 'edited' WHERE seq = 2", "does not match its hash"),
    ("UPDATE review_notes SET author = 'mallory' WHERE seq = 1", "does not match its hash"),
    ("DELETE FROM review_notes WHERE seq = 2", "note 2 is missing"),
    ("UPDATE review_notes SET seq = NULL, hash = NULL WHERE seq = 3", "not in the notes' chain"),
])  # fmt: skip
def test_a_tampered_note_is_a_finding(noted, attacker, cli, statement, expected) -> None:
    attacker()(statement)
    result = verify_store(noted)
    assert not result.intact
    assert any(p.kind == "note" and expected in p.message for p in result.problems)
    code, out, _err = cli("verify")
    assert code == 1 and "note" in out


def test_a_note_inserted_behind_esgui_s_back_is_a_finding(noted, location) -> None:
    # INSERT needs no DDL rights (the triggers only refuse UPDATE and DELETE)
    t = "2026-11-28 10:00:00.000000" if location.backend == "sqlite" else "2026-11-28 10:00Z"
    location.sql("INSERT INTO review_notes (id, target_kind, event_id, account_id, text, "
                 "author, created_at, seq, hash) VALUES ('00000000-0000-4000-8000-0000000000ff', "
                 "'account', NULL, 'A1', 'forged', 'boss', ?, 4, ?)", (t, "a" * 64))  # fmt: skip
    result = verify_store(noted)
    assert [p.kind for p in result.problems] == ["note"]


def test_concurrent_note_writers_keep_one_chain(history) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                add_note(history, f"w{n}-{i}", author=f"w{n}", account_id="B1")
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert [c.seq for c in history.notes.chain()] == list(range(1, 16))
    assert verify_store(history).intact
