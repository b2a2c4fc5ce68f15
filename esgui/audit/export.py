"""Export events (and the review notes about them) in their stored form, streamed.

JSON Lines (the format for moving and archiving a store): a header record, one record
per event in position order, one per review note, and an end record with the counts,
so a truncated file is recognised. CSV (for spreadsheets): one row per event; review
notes go to a sidecar file ``NAME.notes.csv``; cells a spreadsheet would run as a
formula are neutralised (esgui.audit.csv_cells). Both hold each event exactly as stored
(`data` and `schema_version` before upcasting, the recorded time, the operator, the
hash), which is what makes an import a faithful copy. See docs/audit.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from esgui._version import __version__
from esgui.audit.common import Progress, ShouldStop, check_stop, iso
from esgui.audit.csv_cells import neutralise
from esgui.audit.notes import ReviewNote, list_notes
from esgui.audit.output import check_output, is_stdout, output_text
from esgui.audit.trust import integrity_header
from esgui.audit.verify import VerifyResult
from esgui.errors import InvalidInput
from esgui.store import EventFilter, EventStore, RecordedEvent
from esgui.store.hashing import canonical_json

FORMAT = "esgui-export"
FORMAT_VERSION = 1
FORMATS = ("jsonl", "csv")
EVENT_FIELDS = (
    "position",
    "event_id",
    "aggregate_id",
    "aggregate_type",
    "event_type",
    "version",
    "schema_version",
    "recorded_at",
    "operator",
    "data",
    "metadata",
    "hash",
)
NOTE_FIELDS = ("note_id", "target", "event_id", "account_id", "text", "author", "created_at")
PAGE_SIZE = 2000


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """The `events` filters: account, types, operator, time range, position, count,
    correlation."""

    account_id: str | None = None
    event_types: tuple[str, ...] | None = None
    operator: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: int = 0
    limit: int | None = None
    correlation_id: str | None = None

    @property
    def complete(self) -> bool:
        """Whether the export holds the whole log (so its hash chain can be checked)."""
        return self == ExportFilters()

    def event_filter(self) -> EventFilter:
        """The store's filter: exactly the semantics of `esgui events`."""
        return EventFilter(
            aggregate_id=self.account_id,
            event_types=self.event_types,
            operator=self.operator,
            since=self.since,
            until=self.until,
            correlation_id=self.correlation_id,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "event_types": list(self.event_types) if self.event_types else None,
            "operator": self.operator,
            "since": iso(self.since),
            "until": iso(self.until),
            "after": self.after,
            "limit": self.limit,
            **({"correlation_id": self.correlation_id} if self.correlation_id else {}),
        }


@dataclass(frozen=True, slots=True)
class ExportSummary:
    format: str
    events: int
    notes: int
    last_position: int
    output: Path | None  # None: standard output
    notes_output: Path | None = None  # the CSV sidecar, when notes were written


def event_record(event: RecordedEvent) -> dict[str, Any]:
    """An event in its stored form."""
    return {
        "position": event.position,
        "event_id": event.event_id,
        "aggregate_id": event.aggregate_id,
        "aggregate_type": event.aggregate_type,
        "event_type": event.event_type,
        "version": event.version,
        "schema_version": event.stored_schema_version,
        "recorded_at": event.recorded_at.astimezone(UTC).isoformat(),
        "operator": event.operator,
        "data": event.stored_data,
        "metadata": event.metadata,
        "hash": event.hash,
        # a row the source store could not read: shown for what it is, never imported
        **({"unreadable": event.damage} if event.damage is not None else {}),
    }


def note_record(note: ReviewNote) -> dict[str, Any]:
    return note.as_json()


def _events(store: EventStore, filters: ExportFilters) -> Iterator[RecordedEvent]:
    return store.read_all(
        after=filters.after, limit=filters.limit, where=filters.event_filter(),
        page_size=PAGE_SIZE,
    )  # fmt: skip


def _total(store: EventStore, filters: ExportFilters) -> int:
    total = store.count(where=filters.event_filter())
    return total if filters.limit is None else min(total, filters.limit)


def _notes(store: EventStore, filters: ExportFilters, last_position: int) -> Iterator[ReviewNote]:
    """The notes about what was exported: every note for a complete export; otherwise
    notes on exported events and on accounts that have exported events."""
    if filters.complete:
        return list_notes(store)
    if last_position == 0:
        return iter(())
    return store.notes.about(filters.event_filter(), filters.after, last_position)


class _Counter:
    def __init__(self, total: int, progress: Progress | None, should_stop: ShouldStop | None):
        self.done, self.total = 0, total
        self.progress, self.should_stop = progress, should_stop

    def tick(self) -> None:
        self.done += 1
        if self.done % PAGE_SIZE == 0:
            check_stop(self.should_stop, "Export")
            if self.progress is not None:
                self.progress(self.done, max(self.total, self.done))

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.done)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(
    store: EventStore,
    out: IO[str],
    filters: ExportFilters,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    integrity: VerifyResult | None = None,
) -> tuple[int, int, int]:
    """Write the JSON Lines export; returns (events, notes, last position). With
    `integrity` (a verification of the source) the header says whether it is tampered."""
    header: dict[str, Any] = {
        "kind": "header",
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "esgui_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(),
        "source": store.description,
        "complete": filters.complete,
        "filters": filters.as_json(),
    }
    if integrity is not None:
        header["integrity"] = integrity_header(integrity)
    out.write(_dump(header) + "\n")
    counter = _Counter(_total(store, filters), progress, should_stop)
    last_position = 0
    for event in _events(store, filters):
        out.write(_dump({"kind": "event", **event_record(event)}) + "\n")
        last_position = event.position
        counter.tick()
    notes = 0
    for note in _notes(store, filters, last_position):
        out.write(_dump({"kind": "note", **note_record(note)}) + "\n")
        notes += 1
    out.write(_dump({"kind": "end", "events": counter.done, "notes": notes}) + "\n")
    counter.finish()
    return counter.done, notes, last_position


def write_csv(
    store: EventStore,
    out: IO[str],
    filters: ExportFilters,
    *,
    notes_out: IO[str] | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> tuple[int, int, int]:
    """Write events as CSV (data and metadata as canonical JSON text) and, when
    `notes_out` is given, the notes as a second CSV; returns (events, notes, last)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    counter = _Counter(_total(store, filters), progress, should_stop)
    last_position = 0
    for event in _events(store, filters):
        record = event_record(event)
        record["data"] = canonical_json(record["data"])
        record["metadata"] = canonical_json(record["metadata"])
        writer.writerow([neutralise(record[name]) for name in EVENT_FIELDS])
        last_position = event.position
        counter.tick()
    notes = 0
    if notes_out is not None:
        note_writer = csv.writer(notes_out, lineterminator="\n")
        note_writer.writerow(NOTE_FIELDS)
        for note in _notes(store, filters, last_position):
            record = note_record(note)
            note_writer.writerow(
                [neutralise("" if record[f] is None else record[f]) for f in NOTE_FIELDS]
            )
            notes += 1
    counter.finish()
    return counter.done, notes, last_position


def notes_sidecar(path: Path) -> Path:
    """Where a CSV export keeps its review notes: ``NAME.notes.csv`` beside it."""
    return path.with_name(f"{path.stem}.notes.csv")


def export_events(
    store: EventStore,
    fmt: str,
    output: Path | str | None = None,
    filters: ExportFilters | None = None,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    integrity: VerifyResult | None = None,
) -> ExportSummary:
    """Export to `output`: a file (written atomically), standard output (None or
    "-"), or a FIFO or character device (written through); see esgui.audit.output.
    Only a regular file gets a ``NAME.notes.csv`` sidecar for a CSV export's notes."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown export format {fmt!r}: use jsonl or csv")
    filters = filters or ExportFilters()
    to_stdout = is_stdout(output)
    path = None if to_stdout else Path(str(output))
    how = "through" if path is None else check_output(path)
    if fmt == "jsonl":
        with output_text(path) as out:
            counts = write_jsonl(store, out, filters, progress=progress,
                                 should_stop=should_stop, integrity=integrity)  # fmt: skip
        return ExportSummary(fmt, *counts, output=path)
    if path is None or how == "through":
        with output_text(path) as out:
            counts = write_csv(store, out, filters, progress=progress, should_stop=should_stop)
        return ExportSummary(fmt, *counts, output=path)
    sidecar = notes_sidecar(path)
    check_output(sidecar)
    with output_text(path) as out, output_text(sidecar) as notes_out:
        counts = write_csv(
            store, out, filters, notes_out=notes_out, progress=progress, should_stop=should_stop
        )
    if counts[1] == 0:
        sidecar.unlink(missing_ok=True)  # no notes: no sidecar
    return ExportSummary(fmt, *counts, output=path, notes_output=sidecar if counts[1] else None)
