"""Reading export files back: JSON Lines or CSV, record by record, strictly.

Every problem is an InvalidInput naming the file and line, so `esgui import` can say
in one line what is wrong with a file and import nothing from it.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from esgui.audit.csv_cells import restore
from esgui.audit.export import EVENT_FIELDS, FORMAT, FORMAT_VERSION, NOTE_FIELDS, notes_sidecar
from esgui.audit.notes import ReviewNote, make_note
from esgui.errors import EsguiError, InvalidInput
from esgui.store.clock import check_not_future
from esgui.store.hashing import canonical_json, event_hash
from esgui.store.validation import check_text

_HASH_RE = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only ("²".isdigit() is True)
_MAX_FIELD = 10_000_000  # characters in one CSV field


@dataclass(frozen=True, slots=True)
class EventRecord:
    line: int
    position: int
    event_id: str
    aggregate_id: str
    aggregate_type: str
    event_type: str
    version: int
    schema_version: int
    recorded_at: datetime
    operator: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    hash: str

    def computed_hash(self, prev_hash: str) -> str:
        return event_hash(
            prev_hash,
            self.position,
            self.event_id,
            self.aggregate_id,
            self.aggregate_type,
            self.event_type,
            self.schema_version,
            self.version,
            self.recorded_at,
            self.operator,
            canonical_json(self.data),
            canonical_json(self.metadata),
        )


@dataclass(frozen=True, slots=True)
class NoteRecord:
    line: int
    note: ReviewNote


@dataclass(frozen=True, slots=True)
class Header:
    complete: bool
    source: str


Record = EventRecord | NoteRecord


class _Fail(Exception):
    """A field problem; the reader adds file and line."""


def _int(record: dict[str, Any], name: str, minimum: int) -> int:
    value = record.get(name)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _Fail(f"{name} must be a whole number ≥ {minimum}, not {value!r}")
    return value


def _text(record: dict[str, Any], name: str, limit: int, *, empty: bool = False) -> str:
    value = record.get(name)
    if not isinstance(value, str) or (not value and not empty) or len(value) > limit:
        raise _Fail(f"{name} must be text of 1–{limit} characters, not {value!r:.60}")
    if "\x00" in value:
        raise _Fail(f"{name} contains a NUL character")
    _storable(value, name)
    return value


def _storable(value: object, name: str) -> None:
    if isinstance(value, str):
        try:
            check_text(value, name)
        except InvalidInput as error:
            raise _Fail(error.message) from None


def _object(record: dict[str, Any], name: str) -> dict[str, Any]:
    value = record.get(name)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _Fail(f"{name} is not JSON") from None
    if not isinstance(value, dict):
        raise _Fail(f"{name} must be a JSON object")
    return value


def _time(record: dict[str, Any], name: str) -> datetime:
    value = record.get(name)
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise _Fail(f"{name} must be an ISO-8601 time with its offset, not {value!r:.60}")
    return when.astimezone(UTC)


def _recorded_at(record: dict[str, Any]) -> datetime:
    """The event's recorded time: refused more than the allowed skew in the future, so
    the whole file is refused before anything is imported (esgui.store.clock)."""
    when = _time(record, "recorded_at")
    try:
        check_not_future(when, "The event")
    except InvalidInput as error:
        raise _Fail(error.message.removesuffix("; nothing was appended")) from None
    return when


def _uuid(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    try:
        if isinstance(value, str):
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise _Fail(f"{name} must be a UUID, not {value!r:.60}")


def parse_event(record: dict[str, Any], line: int) -> EventRecord:
    if record.get("unreadable"):
        raise _Fail(
            f"the source store could not read this event ({str(record['unreadable'])[:200]}); "
            "repair the source (run `esgui verify` on it) before moving its history"
        )
    metadata = _object(record, "metadata")
    operator = _text(record, "operator", 200, empty=True)
    if operator != str(metadata.get("user", ""))[:200]:
        raise _Fail("operator does not match the user in the metadata")
    digest = record.get("hash")
    if not isinstance(digest, str) or not _HASH_RE.fullmatch(digest):
        raise _Fail("hash must be 64 hexadecimal digits")
    return EventRecord(
        line=line,
        position=_int(record, "position", 1),
        event_id=_uuid(record, "event_id"),
        aggregate_id=_text(record, "aggregate_id", 255),
        aggregate_type=_text(record, "aggregate_type", 100),
        event_type=_text(record, "event_type", 100),
        version=_int(record, "version", 1),
        schema_version=_int(record, "schema_version", 1),
        recorded_at=_recorded_at(record),
        operator=operator,
        data=_object(record, "data"),
        metadata=metadata,
        hash=digest,
    )


def parse_note(record: dict[str, Any], line: int) -> NoteRecord:
    target = record.get("target")
    event_id = record.get("event_id") or None
    for name in ("text", "author", "account_id"):
        _storable(record.get(name), name)
    if target not in ("event", "account") or (target == "event") != (event_id is not None):
        raise _Fail("a note's target must be 'event' (with an event_id) or 'account'")
    try:
        note = make_note(
            text=record.get("text"),  # type: ignore[arg-type]  # checked by make_note
            author=record.get("author"),  # type: ignore[arg-type]
            account_id=record.get("account_id"),  # type: ignore[arg-type]
            event_id=event_id,
            note_id=_uuid(record, "note_id"),
            created_at=_time(record, "created_at"),
        )
    except EsguiError as error:
        raise _Fail(error.message) from None
    if note.text != record.get("text"):
        raise _Fail("the note text has blanks around it that an export never has")
    return NoteRecord(line, note)


# -- files -------------------------------------------------------------------------------


class ExportFile:
    """One export file (and, for CSV, its notes sidecar). Iterate `records()` as often
    as needed; each pass reads the file again from the start."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            if self.path.is_dir():
                what = "is a folder"
            elif self.path.exists():
                what = "is not a regular file (a device, pipe or socket), not an esgui export"
            else:
                what = "does not exist"
            raise InvalidInput(f"Cannot import {self.path}: it {what}")
        try:
            with open(self.path, "rb") as handle:
                start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        except OSError as error:
            raise InvalidInput(f"Cannot read {self.path}: {error.strerror or error}") from None
        self.format = "jsonl" if start.startswith(b"{") else "csv"
        self.size = self.path.stat().st_size
        sidecar = notes_sidecar(self.path)
        self.notes_path = sidecar if self.format == "csv" and sidecar.is_file() else None
        self.bytes_read = 0
        self.header: Header | None = None

    def _fail(self, path: Path, line: int, message: str) -> InvalidInput:
        return InvalidInput(f"{path.name}, line {line}: {message}; nothing was imported")

    def _lines(self, path: Path) -> Iterator[tuple[int, str]]:
        try:
            handle = open(path, "rb")  # noqa: SIM115
        except OSError as error:
            raise InvalidInput(f"Cannot read {path}: {error.strerror or error}") from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                self.bytes_read += len(raw)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    if number == 1:
                        raise InvalidInput(
                            f"{path.name} is not an esgui export (it is not "
                            "UTF-8 text); nothing was imported"
                        ) from None
                    raise self._fail(path, number, "not UTF-8 text") from None
                if number == 1:
                    text = text.removeprefix("\ufeff")
                if not text.endswith("\n"):
                    raise self._fail(
                        path, number, "the file ends in the middle of a line (truncated)"
                    )
                yield number, text

    def records(self) -> Iterator[Record]:
        self.bytes_read = 0
        if self.format == "jsonl":
            yield from self._jsonl()
        else:
            yield from self._csv(self.path, EVENT_FIELDS, parse_event)
            if self.notes_path is not None:
                yield from self._csv(self.notes_path, NOTE_FIELDS, parse_note)

    def _jsonl(self) -> Iterator[Record]:
        counts = {"event": 0, "note": 0}
        ended = False
        number = 0
        for number, text in self._lines(self.path):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError:
                raise self._fail(self.path, number, "not a JSON record") from None
            kind = record.get("kind") if isinstance(record, dict) else None
            if number == 1:
                self.header = self._header(record)
                continue
            if ended:
                raise self._fail(self.path, number, "records after the end record")
            try:
                if kind == "event":
                    if counts["note"]:
                        raise _Fail("an event after the review notes")
                    counts["event"] += 1
                    yield parse_event(record, number)
                elif kind == "note":
                    counts["note"] += 1
                    yield parse_note(record, number)
                elif kind == "end":
                    ended = True
                    if (
                        record.get("events") != counts["event"]
                        or record.get("notes") != counts["note"]
                    ):
                        raise _Fail("the end record's counts do not match the records")
                else:
                    raise _Fail(f"unknown record kind {kind!r}")
            except _Fail as error:
                raise self._fail(self.path, number, str(error)) from None
        if number == 0:
            raise InvalidInput(f"{self.path.name} is empty; nothing was imported")
        if not ended:
            raise InvalidInput(
                f"{self.path.name} has no end record: the file is truncated; nothing was imported"
            )

    def _header(self, record: Any) -> Header:
        if (
            not isinstance(record, dict)
            or record.get("kind") != "header"
            or record.get("format") != FORMAT
        ):
            raise InvalidInput(
                f"{self.path.name} is not an esgui export (no esgui header "
                "record); nothing was imported"
            )
        version = record.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise InvalidInput(
                f"{self.path.name} was written by a newer esgui (export format "
                f"{version!r}); upgrade esgui to import it; nothing was imported"
            )
        return Header(bool(record.get("complete")), str(record.get("source", "")))

    def _csv(self, path: Path, fields: tuple[str, ...], parse: Any) -> Iterator[Record]:
        current = [0]

        def texts() -> Iterator[str]:
            for number, text in self._lines(path):
                current[0] = number
                yield text

        csv.field_size_limit(_MAX_FIELD)
        reader = csv.reader(texts(), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise InvalidInput(f"{path.name} is empty; nothing was imported")
            if tuple(header) != fields:
                raise InvalidInput(
                    f"{path.name} is not an esgui export (expected JSON Lines "
                    "with an esgui header, or CSV with the esgui columns); "
                    "nothing was imported"
                )
            for row in reader:
                if len(row) != len(fields):
                    raise self._fail(
                        path, current[0], f"{len(row)} fields instead of {len(fields)}"
                    )
                try:
                    cells = (restore(cell) for cell in row)  # undo csv_cells.neutralise
                    yield parse(dict(zip(fields, cells, strict=True)), current[0])
                except _Fail as error:
                    raise self._fail(path, current[0], str(error)) from None
        except csv.Error as error:
            raise self._fail(path, current[0], f"not valid CSV ({error})") from None
