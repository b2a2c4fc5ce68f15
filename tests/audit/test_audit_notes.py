"""Review notes: added on events or accounts, listed and filtered, never in `events`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from esgui.audit.notes import add_note, list_notes, note_count
from esgui.audit.verify import verify_store
from esgui.errors import InvalidInput, RuleViolation, UnknownAccount


def _event_id(store, position: int) -> str:
    return next(store.read_all(after=position - 1, limit=1)).event_id


def test_notes_on_events_and_accounts(history, location) -> None:
    head = history.head()
    on_event = add_note(history, "  Why a withdrawal by bob?  ", author="kim",
                        event_id=_event_id(history, 5))  # fmt: skip
    on_account = add_note(history, "Reviewed.\nAll fine.", author="lee", account_id="B1")
    assert on_event.target_kind == "event" and on_event.account_id == "A1"
    assert on_event.text == "Why a withdrawal by bob?"
    assert on_account.target_kind == "account" and on_account.event_id is None
    assert history.head() == head and verify_store(history).intact  # the log is untouched
    assert location.sql("SELECT count(*) FROM events")[0][0] == 9
    assert [n.note_id for n in list_notes(history)] == [on_event.note_id, on_account.note_id]


def test_filters(history) -> None:
    first = add_note(history, "one", author="kim", account_id="A1")
    second = add_note(history, "two", author="lee", event_id=_event_id(history, 3))
    third = add_note(history, "three", author="kim", account_id="C1")

    def texts(**filters) -> list[str]:
        return [n.text for n in list_notes(history, **filters)]

    assert texts(account_id="A1") == ["one", "two"]  # an event's notes belong to its account
    assert texts(author="kim") == ["one", "three"]
    assert texts(event_id=second.event_id) == ["two"]
    assert texts(target_kind="account") == ["one", "three"]
    assert texts(since=second.created_at) == ["two", "three"]
    assert texts(until=first.created_at) == ["one"]
    assert texts(since=third.created_at + timedelta(seconds=1)) == []
    assert texts(limit=2) == ["one", "two"]


def test_listing_is_keyset_paged(history, monkeypatch) -> None:
    import esgui.audit.notes as module

    for i in range(7):
        add_note(history, f"note {i}", author="kim", account_id="A1")
    monkeypatch.setattr(module, "PAGE_SIZE", 3)
    assert [n.text for n in list_notes(history)] == [f"note {i}" for i in range(7)]
    assert [n.text for n in list_notes(history, limit=4)] == [f"note {i}" for i in range(4)]


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"account_id": "NOPE"}, UnknownAccount),
    ({"event_id": "00000000-0000-4000-8000-000000000000"}, RuleViolation),
    ({"event_id": "not-a-uuid"}, InvalidInput),
    ({}, InvalidInput),
    ({"account_id": "A1", "text": "   "}, InvalidInput),
    ({"account_id": "A1", "text": "x" * 4001}, InvalidInput),
    ({"account_id": "A1", "text": "bell\x07"}, InvalidInput),
    ({"account_id": "A1", "author": ""}, InvalidInput),
])  # fmt: skip
def test_bad_notes_are_refused(history, kwargs, error) -> None:
    arguments = {"text": "a note", "author": "kim", **kwargs}
    text = arguments.pop("text")
    with pytest.raises(error):
        add_note(history, text, **arguments)
    assert list(list_notes(history)) == []


def test_cli_notes(history, cli) -> None:
    event_id = _event_id(history, 7)
    code, out, err = cli("notes", "add", "--event", event_id, "Closing withdrawal checked")
    assert code == 0 and f"on event {event_id} of account B1 by auditor" in out, err
    code, out, _ = cli("notes", "add", "--account", "C1", "New account")
    assert code == 0
    code, out, _ = cli("notes", "list", "--account", "B1", "--json")
    (shown,) = [json.loads(line) for line in out.splitlines()]
    assert shown["event_id"] == event_id and shown["author"] == "auditor"
    assert shown["text"] == "Closing withdrawal checked" and shown["target"] == "event"
    code, out, _ = cli("notes", "list", "--author", "auditor")
    assert code == 0 and len(out.splitlines()) == 2 and "New account" in out
    code, out, err = cli("notes", "add", "--account", "ZZ9", "x")
    assert code == 1 and "Unknown account" in err
    code, out, err = cli("notes", "add", "--account", "C1", "--event", event_id, "x")
    assert code == 2 and "not allowed with" in err
    code, out, err = cli("notes")
    assert code == 2 and err.count("\n") == 1


def test_note_count_grows_with_every_note(history) -> None:
    assert note_count(history) == 0
    add_note(history, "First", author="kim", account_id="A1")
    add_note(history, "Second", author="kim", event_id=_event_id(history, 2))
    assert note_count(history) == 2
