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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from esgui.app.accounts import check_user
from esgui.domain.ids import validate_account_id
from esgui.errors import InvalidInput, RuleViolation, UnknownAccount
from esgui.store import EventStore
from esgui.store.engine import WRITE, translated
from esgui.store.ids import new_event_id
from esgui.store.schema import events, review_notes

EVENT = "event"
ACCOUNT = "account"
MAX_NOTE_LENGTH = 4000
PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ReviewNote:
    note_id: str
    target_kind: str  # event | account
    event_id: str | None
    account_id: str
    text: str
    author: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "note_id": self.note_id,
            "target": self.target_kind,
            "event_id": self.event_id,
            "account_id": self.account_id,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.note_id,
            "target_kind": self.target_kind,
            "event_id": self.event_id,
            "account_id": self.account_id,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at,
        }


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
        query = select(events.c.aggregate_id).where(events.c.id == event_id)
        with translated(store.description), store.engine.connect() as conn:
            owner = conn.execute(query).scalar()
        if owner is None:
            raise RuleViolation(f"Unknown event {event_id}: no such event in the store")
        account_id = owner
    else:
        validate_account_id(account_id)
        assert account_id is not None
        if store.current_version(account_id) == 0:
            raise UnknownAccount(f"Unknown account {account_id!r}")
    note = make_note(text=text, author=author, account_id=account_id, event_id=event_id)
    # Written even on a read-only store (see the module docstring): notes never touch
    # the log, and the table refuses updates and deletes.
    with translated(store.description), store.engine.execution_options(**WRITE).begin() as conn:
        conn.execute(insert(review_notes), [note.as_row()])
    return note


def insert_missing(conn: Connection, notes: Sequence[ReviewNote]) -> int:
    """Insert the notes whose ids are not stored yet (import); returns how many. A stored
    note with the same id but other content is an InvalidInput."""
    if not notes:
        return 0
    ids = [note.note_id for note in notes]
    stored: dict[str, ReviewNote] = {}
    for start in range(0, len(ids), PAGE_SIZE):
        query = select(review_notes).where(review_notes.c.id.in_(ids[start : start + PAGE_SIZE]))
        stored.update({row.id: _from_row(row) for row in conn.execute(query)})
    fresh = []
    for note in notes:
        known = stored.get(note.note_id)
        if known is None:
            fresh.append(note)
        elif known != note:
            raise InvalidInput(
                f"Review note {note.note_id} is already stored with other content; "
                "nothing was imported from this batch"
            )
    if fresh:
        conn.execute(insert(review_notes), [note.as_row() for note in fresh])
    return len(fresh)


def _from_row(row: Any) -> ReviewNote:
    return ReviewNote(
        row.id, row.target_kind, row.event_id, row.account_id, row.text, row.author, row.created_at
    )


def note_filters(
    *,
    account_id: str | None = None,
    event_id: str | None = None,
    author: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    target_kind: str | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    if account_id is not None:
        conditions.append(review_notes.c.account_id == account_id)
    if event_id is not None:
        conditions.append(review_notes.c.event_id == check_event_id(event_id))
    if author is not None:
        conditions.append(review_notes.c.author == author)
    for bound in (since, until):
        if bound is not None and (not isinstance(bound, datetime) or bound.tzinfo is None):
            raise InvalidInput(f"Invalid time {bound!r}: needs a timezone")
    if since is not None:
        conditions.append(review_notes.c.created_at >= since)
    if until is not None:
        conditions.append(review_notes.c.created_at <= until)
    if target_kind is not None:
        if target_kind not in (EVENT, ACCOUNT):
            raise InvalidInput(f"Invalid note target {target_kind!r}: event or account")
        conditions.append(review_notes.c.target_kind == target_kind)
    return conditions


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
    extra: Iterable[Any] = (),
) -> Iterator[ReviewNote]:
    """Notes oldest first, filtered, read lazily in keyset pages (created_at, id).
    `extra` takes further SQL conditions on `review_notes` (the exporter's)."""
    conditions = note_filters(
        account_id=account_id,
        event_id=event_id,
        author=author,
        since=since,
        until=until,
        target_kind=target_kind,
    )
    conditions.extend(extra)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidInput(f"Invalid limit {limit!r}")
    remaining = limit
    last: tuple[datetime, str] | None = None
    while remaining is None or remaining > 0:
        size = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
        query = select(review_notes).where(*conditions)
        if last is not None:
            query = query.where(
                or_(
                    review_notes.c.created_at > last[0],
                    and_(review_notes.c.created_at == last[0], review_notes.c.id > last[1]),
                )
            )
        query = query.order_by(review_notes.c.created_at, review_notes.c.id).limit(size)
        with translated(store.description), store.engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            yield _from_row(row)
        if len(rows) < size:
            return
        last = (rows[-1].created_at, rows[-1].id)
        if remaining is not None:
            remaining -= len(rows)


def note_count(store: EventStore) -> int:
    """How many notes there are. Notes are append-only, so a different count means new
    notes (a viewer polls this to stay current)."""
    query = select(func.count()).select_from(review_notes)
    with translated(store.description), store.engine.connect() as conn:
        return int(conn.execute(query).scalar() or 0)
