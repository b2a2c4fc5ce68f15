"""Import an export file into a store, idempotently and faithfully.

Two passes over the file. The first checks everything before anything is written: the
format and every record, the file's own hash chain wherever consecutive positions let
it be checked (an export altered after the fact, or taken from a tampered store, is
refused), and the plan against the store: events already stored (same id, same account
and version) are skipped; a different event at a version the store already has is a
conflict; an account whose earlier versions are neither in the file nor in the store
cannot be continued; every field is checked as an append checks it, every event id is
unique in the file, and every account history follows the business rules
(`esgui.audit.import_rules`). The second pass appends the new events with
`append_many` and their expected versions, in batches, keeping every event id, recorded
time, operator, metadata and schema version, then adds the review notes not stored yet.
Both passes hold the append lock, in one transaction: all or nothing.

Exit codes (docs/audit.md): a bad, garbage or truncated file is InvalidInput (2); a
conflict is ImportConflict (1: the histories diverged, retrying cannot help).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esgui.audit.common import Progress, ShouldStop, check_stop
from esgui.audit.export_file import EventRecord, ExportFile, NoteRecord
from esgui.audit.import_rules import HistoryRules, as_new_event
from esgui.errors import InvalidInput, RuleViolation
from esgui.store import EventStore, NewEvent
from esgui.store.hashing import GENESIS_HASH

BATCH_SIZE = 2000
_IN = 500  # notes checked against the store at a time


class ImportConflict(RuleViolation):
    """The file and the store hold different events at the same place."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    events_added: int
    events_skipped: int  # already stored
    notes_added: int
    notes_skipped: int
    head_position: int
    head_hash: str
    source_head_hash: str | None  # the hash of the file's last event

    @property
    def identical_chain(self) -> bool:
        """The store's chain is now the source's up to the file's last event, hash for
        hash: each hash covers its position and its predecessor's hash, so equal heads
        mean equal chains (a complete export into an empty store, or a store that
        already held exactly it)."""
        return self.source_head_hash is not None and self.source_head_hash == self.head_hash


@dataclass
class _Plan:
    """What the first pass learned."""

    events: int = 0
    notes: int = 0
    last_hash: str | None = None
    store_version: dict[str, int] = field(default_factory=dict)  # account -> version
    expect: dict[str, int] = field(default_factory=dict)  # account -> next file version
    note_events: set[str] = field(default_factory=set)
    note_accounts: set[str] = field(default_factory=set)


def _stored_events(store: EventStore, ids: list[str]) -> dict[str, tuple[str, int]]:
    """(account, version) of each of these event ids that is stored."""
    return {event_id: (where.aggregate_id, where.version)
            for event_id, where in store.scans.locate(ids).items()}  # fmt: skip


def _fail(record: EventRecord | NoteRecord, message: str) -> InvalidInput:
    return InvalidInput(f"line {record.line}: {message}; nothing was imported")


class _Validator:
    def __init__(self, store: EventStore, source: ExportFile) -> None:
        self.store, self.source, self.plan = store, source, _Plan()
        self.prev: EventRecord | None = None
        self.rules = HistoryRules(store)

    def event(self, record: EventRecord) -> None:
        self.rules.fields(record)
        prev = self.prev
        if prev is not None and record.position <= prev.position:
            raise _fail(
                record,
                f"position {record.position} after {prev.position}: the events are out of order",
            )
        complete = self.source.header is not None and self.source.header.complete
        expected = prev.position + 1 if prev else 1
        if complete and record.position != expected:
            raise _fail(
                record,
                f"position {expected} is missing from a complete export: the file was altered",
            )
        link = (
            GENESIS_HASH
            if record.position == 1
            else (prev.hash if prev is not None and record.position == prev.position + 1 else None)
        )
        if link is not None and record.computed_hash(link) != record.hash:
            raise _fail(
                record,
                f"the event at position {record.position} does not match its "
                "hash: the file was altered after export, or the source store was "
                "tampered with (run `esgui verify` on it)",
            )
        self.prev = record
        self.plan.events += 1
        self.plan.last_hash = record.hash

    def chunk(self, records: list[EventRecord]) -> None:
        """Check a chunk of events against the store."""
        plan = self.plan
        with self.store.reading():  # both lookups on one connection
            stored = _stored_events(self.store, [r.event_id for r in records])
            fresh = sorted({r.aggregate_id for r in records} - set(plan.store_version))
            plan.store_version.update(self.store.current_versions(fresh))
        for account in fresh:
            plan.store_version.setdefault(account, 0)
        for r in records:
            place = (r.aggregate_id, r.version)
            known = stored.get(r.event_id)
            if known is not None and known != place:
                raise ImportConflict(
                    f"line {r.line}: event {r.event_id} is stored as "
                    f"{known[0]} version {known[1]}, but the file has it as "
                    f"{r.aggregate_id} version {r.version}; nothing was "
                    "imported"
                )
            in_store = plan.store_version[r.aggregate_id]
            if known is None and r.version <= in_store:
                raise ImportConflict(
                    f"line {r.line}: account {r.aggregate_id} already has "
                    f"another event at version {r.version} in this store: "
                    "the histories have diverged; nothing was imported"
                )
            want = plan.expect.get(r.aggregate_id, r.version if known else in_store + 1)
            if r.version > want:
                raise _fail(
                    r,
                    f"account {r.aggregate_id} continues at version {r.version}, "
                    f"but versions {want}–{r.version - 1} are neither in the file nor "
                    "in the store (a filtered export can only extend histories the "
                    "store already has)",
                )
            if r.version < want:
                raise _fail(
                    r, f"account {r.aggregate_id} version {r.version} appears again or out of order"
                )
            plan.expect[r.aggregate_id] = r.version + 1
            if known is None:  # a new event: it must follow the business rules
                self.rules.event(r, in_store)

    def notes(self, records: list[NoteRecord]) -> None:
        plan = self.plan
        stored = self.store.notes.stored(r.note.note_id for r in records)
        for r in records:
            known = stored.get(r.note.note_id)
            if known is not None and known != r.note:
                raise ImportConflict(
                    f"line {r.line}: review note {r.note.note_id} is already "
                    "stored with other content; nothing was imported"
                )
            plan.notes += 1
            if r.note.event_id is not None:
                plan.note_events.add(r.note.event_id)
            plan.note_accounts.add(r.note.account_id)

    def note_targets(self) -> None:
        """Every note must be about an event or account in the file or in the store."""
        plan = self.plan
        accounts = plan.note_accounts - set(plan.expect)
        with self.store.reading():
            missing_events = plan.note_events - set(
                _stored_events(self.store, sorted(plan.note_events))
            )
            for account in sorted(accounts):
                if self.store.current_version(account) == 0:
                    raise InvalidInput(
                        f"A review note is about account {account}, which is "
                        "neither in the file nor in the store; nothing was "
                        "imported"
                    )
        if missing_events:
            for record in self.source.records():  # again: only ids not stored yet
                if isinstance(record, EventRecord):
                    missing_events.discard(record.event_id)
        if missing_events:
            raise InvalidInput(
                f"A review note is about event {min(missing_events)}, which is "
                "neither in the file nor in the store; nothing was imported"
            )


def _validate(
    store: EventStore,
    source: ExportFile,
    progress: Progress | None,
    should_stop: ShouldStop | None,
    batch_size: int,
) -> _Plan:
    validator = _Validator(store, source)
    events_chunk: list[EventRecord] = []
    notes_chunk: list[NoteRecord] = []
    for record in source.records():
        if isinstance(record, EventRecord):
            validator.event(record)
            events_chunk.append(record)
            if len(events_chunk) >= batch_size:
                validator.chunk(events_chunk)
                events_chunk = []
                _tick(source, progress, should_stop, 0)
        else:
            notes_chunk.append(record)
            if len(notes_chunk) >= _IN:
                validator.notes(notes_chunk)
                notes_chunk = []
    if events_chunk:
        validator.chunk(events_chunk)
    if notes_chunk:
        validator.notes(notes_chunk)
    validator.note_targets()
    return validator.plan


def _tick(
    source: ExportFile, progress: Progress | None, should_stop: ShouldStop | None, pass_offset: int
) -> None:
    check_stop(should_stop, "Import")
    if progress is not None:
        progress(pass_offset + source.bytes_read, 2 * max(source.size, 1))


def _append(store: EventStore, records: list[EventRecord]) -> tuple[int, int]:
    """Append the records not stored yet, as consecutive runs per account, in one
    transaction. Returns (added, skipped)."""
    stored = _stored_events(store, [r.event_id for r in records])
    new = [r for r in records if r.event_id not in stored]
    entries: list[tuple[str, int, list[NewEvent]]] = []
    for r in new:
        event = as_new_event(r)
        if entries and entries[-1][0] == r.aggregate_id:
            entries[-1][2].append(event)
        else:
            entries.append((r.aggregate_id, r.version - 1, [event]))
    if entries:
        store.append_many(entries, return_records=False)
    return len(new), len(records) - len(new)


def _insert_notes(store: EventStore, records: list[NoteRecord]) -> tuple[int, int]:
    notes = [r.note for r in records]
    added = store.notes.insert_missing(notes)
    return added, len(notes) - added


def import_file(
    store: EventStore,
    path: Path | str,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import an export (JSON Lines, or CSV with its ``.notes.csv`` sidecar), all or
    nothing: both passes run holding the store's append lock in one transaction
    (`EventStore.exclusive`), so no other writer can slip in between the check and the
    writes (they wait), and a refusal, a failure or a cancel leaves the store as it was."""
    store.writer()  # a read-only store refuses before any work
    source = ExportFile(path)
    with store.exclusive():
        plan = _validate(store, source, progress, should_stop, batch_size)
        added, skipped, notes_added, notes_skipped = _write(
            store, source, progress, should_stop, batch_size
        )
    if progress is not None:
        progress(2 * max(source.size, 1), 2 * max(source.size, 1))
    head_position, head_hash = store.head()
    return ImportSummary(
        added, skipped, notes_added, notes_skipped, head_position, head_hash, plan.last_hash
    )


def _write(
    store: EventStore,
    source: ExportFile,
    progress: Progress | None,
    should_stop: ShouldStop | None,
    batch_size: int,
) -> tuple[int, int, int, int]:
    """The second pass: append what the first one checked. Returns (events added,
    skipped, notes added, skipped)."""
    added = skipped = notes_added = notes_skipped = 0
    pending: list[EventRecord] = []
    pending_notes: list[NoteRecord] = []
    for record in source.records():
        if isinstance(record, EventRecord):
            pending.append(record)
            if len(pending) >= batch_size:
                a, s = _append(store, pending)
                added, skipped, pending = added + a, skipped + s, []
                _tick(source, progress, should_stop, source.size)
        else:  # notes come after every event: the events are all in by now
            if pending:
                a, s = _append(store, pending)
                added, skipped, pending = added + a, skipped + s, []
            pending_notes.append(record)
            if len(pending_notes) >= _IN:
                a, s = _insert_notes(store, pending_notes)
                notes_added, notes_skipped, pending_notes = notes_added + a, notes_skipped + s, []
    if pending:
        a, s = _append(store, pending)
        added, skipped = added + a, skipped + s
    if pending_notes:
        a, s = _insert_notes(store, pending_notes)
        notes_added, notes_skipped = notes_added + a, notes_skipped + s
    return added, skipped, notes_added, notes_skipped
