"""Review notes: an auditor flags an event or an account with a short text.

Notes live in their own append-only table beside the log, never in `events`, so they
change no account and no hash. A note on an event also records that event's account,
so "the notes of an account" includes the notes on its events.

Adding a note is allowed on a store opened read-only: read-only mode protects the
ledger, and flagging what they see is what auditors are there for (docs/audit.md).
The database role still decides: a role without INSERT on `review_notes` cannot.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from esgui.app.accounts import check_user
from esgui.domain.ids import validate_account_id
from esgui.errors import InvalidInput, RuleViolation, UnknownAccount
from esgui.store import EventStore, NoteFilter, ReviewNote
from esgui.store.ids import new_event_id

EVENT = "event"
ACCOUNT = "account"
MAX_NOTE_LENGTH = 4000
PAGE_SIZE = 500


def check_text(text: object) -> str:
    """1–4000 characters after trimming; line breaks and tabs allowed, other control
    characters not."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("A review note needs some text")
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"A review note holds at most {MAX_NOTE_LENGTH} characters")
    for ch in text:
        if (ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127:
            raise InvalidInput(
                f"A review note cannot contain the control character U+{ord(ch):04X}"
            )
    return text


def check_event_id(event_id: object) -> str:
    try:
        return str(uuid.UUID(str(event_id)))
    except ValueError:
        raise InvalidInput(f"Invalid event id {event_id!r}: not a UUID") from None


def make_note(
    *,
    text: str,
    author: str,
    account_id: str,
    event_id: str | None = None,
    note_id: str | None = None,
    created_at: datetime | None = None,
) -> ReviewNote:
    """Validate the parts of a note (no store access)."""
    when = created_at or datetime.now(UTC)
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise InvalidInput(f"Invalid note time {when!r}: needs a timezone")
    return ReviewNote(
        note_id=check_event_id(note_id) if note_id is not None else new_event_id(),
        target_kind=EVENT if event_id is not None else ACCOUNT,
        event_id=check_event_id(event_id) if event_id is not None else None,
        account_id=validate_account_id(account_id),
        text=check_text(text),
        author=check_user(author),
        created_at=when.astimezone(UTC),
    )


def add_note(
    store: EventStore,
    text: str,
    *,
    author: str,
    event_id: str | None = None,
    account_id: str | None = None,
) -> ReviewNote:
    """Flag one event (`event_id`) or one account (`account_id`). The target must exist:
    an unknown account or event is refused (RuleViolation, exit 1)."""
    if (event_id is None) == (account_id is None):
        raise InvalidInput("A review note is about one event or one account: give exactly one")
    if event_id is not None:
        event_id = check_event_id(event_id)
        found = store.scans.locate([event_id]).get(event_id)
        if found is None:
            raise RuleViolation(f"Unknown event {event_id}: no such event in the store")
        account_id = found.aggregate_id
    else:
        validate_account_id(account_id)
        assert account_id is not None
        if store.current_version(account_id) == 0:
            raise UnknownAccount(f"Unknown account {account_id!r}")
    note = make_note(text=text, author=author, account_id=account_id, event_id=event_id)
    # Stored even on a read-only store (see the module docstring): notes never touch
    # the log, and the table refuses updates and deletes.
    store.notes.add(note)
    return note


def list_notes(
    store: EventStore,
    *,
    account_id: str | None = None,
    event_id: str | None = None,
    author: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    target_kind: str | None = None,
    limit: int | None = None,
) -> Iterator[ReviewNote]:
    """Notes oldest first, filtered, read lazily in keyset pages (created_at, id)."""
    where = NoteFilter(
        account_id=account_id,
        event_id=check_event_id(event_id) if event_id is not None else None,
        author=author,
        since=since,
        until=until,
        target_kind=target_kind,
    )
    yield from store.notes.find(where, limit=limit, page_size=PAGE_SIZE)


def note_count(store: EventStore) -> int:
    """How many notes there are. Notes are append-only, so a different count means new
    notes (a viewer polls this to stay current)."""
    return store.notes.count()


__all__ = [
    "ACCOUNT",
    "EVENT",
    "MAX_NOTE_LENGTH",
    "ReviewNote",
    "add_note",
    "check_event_id",
    "check_text",
    "list_notes",
    "make_note",
    "note_count",
]
