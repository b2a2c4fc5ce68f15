"""Verify the hash chain: prove that no stored event was edited, removed, inserted or
moved since it was appended.

The whole log is streamed in position order in keyset pages (memory: one page plus one
small entry per account). Every link is checked on its own: an event's stored hash must
be the hash of its own stored fields chained to the stored hash of the event before it
(position - 1; the genesis hash for position 1), positions must run 1, 2, 3… without gaps,
and each account's versions must run 1, 2, 3… in position order. Checking each link
separately localises every tampered row instead of flagging everything after the first.

What a chain without a secret cannot show: a writer who rewrites the newest events and
recomputes their hashes (or appends new ones) leaves a consistent chain. An *anchor* —
a head hash recorded earlier and kept elsewhere — catches that, and truncation: the
anchor must still be one of the stored hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from esgui.audit.common import Progress, ShouldStop, check_stop
from esgui.audit.verify_notes import check_notes
from esgui.audit.verify_snapshots import check_snapshots
from esgui.errors import InvalidInput
from esgui.store import EventStore, StoredRow
from esgui.store.hashing import GENESIS_HASH, canonical_json, decode_json, event_hash

PAGE_SIZE = 5000
MAX_PROBLEMS = 1000  # kept in the result; all are counted
_HASH_RE = re.compile(r"[0-9a-f]{64}")

# Problem kinds
ALTERED = "altered"  # content, position or predecessor's hash no longer matches
MISSING = "missing"  # positions absent from the log (deleted rows)
UNEXPECTED = "unexpected"  # a row at a position the log never hands out (< 1)
VERSION = "version"  # an account's versions skip or go back in position order
UNREADABLE = "unreadable"  # a stored field cannot even be decoded
TRUNCATED = "truncated"  # the projection has seen positions beyond the head
ANCHOR = "anchor"  # the recorded anchor is no longer in the chain
PROTECTION = "protection"  # the append-only triggers or grants are missing or altered


@dataclass(frozen=True, slots=True)
class Problem:
    position: int
    kind: str
    message: str
    account_id: str | None = None
    version: int | None = None
    event_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "account_id": self.account_id,
            "version": self.version,
            "event_id": self.event_id,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class VerifyResult:
    events: int
    head_position: int
    head_hash: str
    problems: tuple[Problem, ...]  # the first MAX_PROBLEMS, in position order
    problem_count: int
    anchor: str | None = None
    anchor_position: int | None = None

    @property
    def intact(self) -> bool:
        return self.problem_count == 0

    @property
    def first_problem(self) -> Problem | None:
        """The first problem in the log, else the first store-wide one (protection)."""
        return next((p for p in self.problems if p.kind != PROTECTION), None) or (
            self.problems[0] if self.problems else None
        )

    @property
    def protection_problems(self) -> tuple[Problem, ...]:
        """Missing or altered append-only protection (not proof of tampering)."""
        return tuple(p for p in self.problems if p.kind == PROTECTION)

    @property
    def tampered(self) -> bool:
        """Whether the log itself shows tampering (anything but missing protection)."""
        return self.problem_count > len(self.protection_problems)

    @property
    def bad_positions(self) -> frozenset[int]:
        """Positions to mark in an event log (of the problems kept)."""
        return frozenset(p.position for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "head_position": self.head_position,
            "head_hash": self.head_hash,
            "anchor": self.anchor,
            "anchor_position": self.anchor_position,
            "problem_count": self.problem_count,
            "problems": [p.as_json() for p in self.problems],
        }


def normalise_anchor(anchor: str) -> str:
    """A head hash as given by a person: 64 hex digits, any case, blanks trimmed."""
    text = anchor.strip().lower() if isinstance(anchor, str) else ""
    if not _HASH_RE.fullmatch(text):
        raise InvalidInput(
            f"Invalid anchor {anchor!r}: a head hash is 64 hexadecimal digits, as printed "
            "by `esgui verify`"
        )
    if text == GENESIS_HASH:
        raise InvalidInput(
            "Invalid anchor: 000…0 is the hash before the first event, which every store "
            "starts from; it anchors nothing. Give a head hash recorded from `esgui verify`"
        )
    return text


@dataclass
class _Checker:
    """The running state of one verification pass."""

    anchor: str | None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    events: int = 0
    prev_position: int | None = None
    prev_hash: str = GENESIS_HASH
    anchor_position: int | None = None
    # account -> (last version, its position): version continuity per account
    versions: dict[str, tuple[int, int]] = field(default_factory=dict)
    # indexes of MISSING problems whose account is not known yet
    unattributed: list[int] = field(default_factory=list)

    def report(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def check(self, row: StoredRow) -> None:
        (
            position,
            event_id,
            aggregate_id,
            aggregate_type,
            event_type,
            schema_version,
            version,
            recorded_at,
            operator,
            data_json,
            metadata_json,
            stored_hash,
            time_error,
        ) = row
        self.events += 1
        where: dict[str, Any] = dict(account_id=aggregate_id, version=version, event_id=event_id)
        expected = 1 if self.prev_position is None else self.prev_position + 1
        if position < 1:
            self.report(
                Problem(
                    position,
                    UNEXPECTED,
                    f"an event at position {position}, before the first position "
                    "of the log: it was inserted",
                    **where,
                )
            )
        elif position > expected:
            if len(self.problems) < MAX_PROBLEMS:
                self.unattributed.append(len(self.problems))
            self.report(Problem(expected, MISSING, _missing_message(expected, position - 1)))
        if position == 1:
            link_prev: str | None = GENESIS_HASH
        elif self.prev_position is not None and 1 <= self.prev_position == position - 1:
            link_prev = self.prev_hash
        else:
            link_prev = None  # its predecessor is missing: already reported
        if position >= 1:
            try:
                if recorded_at is None:
                    raise ValueError(time_error or "no recorded time")
                computed = event_hash(
                    link_prev or GENESIS_HASH,
                    position,
                    event_id,
                    aggregate_id,
                    aggregate_type,
                    event_type,
                    schema_version,
                    version,
                    recorded_at,
                    operator,
                    _as_json(data_json),
                    _as_json(metadata_json),
                )
            except (TypeError, ValueError, AttributeError, RecursionError) as error:
                if isinstance(error, RecursionError):
                    error = ValueError("the data is nested too deeply to read")
                self.report(
                    Problem(
                        position,
                        UNREADABLE,
                        f"a stored field cannot be decoded ({error}): the row was altered",
                        **where,
                    )
                )
            else:
                if link_prev is not None and computed != stored_hash:
                    self.report(
                        Problem(
                            position,
                            ALTERED,
                            "the stored event does not match its hash: its "
                            "content or position, or the hash of the event "
                            "before it, was altered",
                            **where,
                        )
                    )
        damage = _damaged_columns(row)
        if damage is not None:
            self.report(Problem(position, UNREADABLE, f"{damage}: the row was altered", **where))
        else:
            self._check_version(position, aggregate_id, version, where)
        if self.anchor is not None and stored_hash == self.anchor:
            self.anchor_position = position
        self.prev_position, self.prev_hash = position, stored_hash

    def _check_version(
        self, position: int, aggregate_id: str, version: int, where: dict[str, Any]
    ) -> None:
        last = self.versions.get(aggregate_id)
        last_version, last_position = last if last else (0, 0)
        if version > last_version + 1:
            self._attribute(aggregate_id, last_position, position)
            self.report(
                Problem(
                    position,
                    VERSION,
                    f"account {aggregate_id} jumps from version {last_version} "
                    f"to {version}: events were removed",
                    **where,
                )
            )
        elif version <= last_version:
            self.report(
                Problem(
                    position,
                    VERSION,
                    f"account {aggregate_id} has version {version} after version "
                    f"{last_version}: events were inserted or reordered",
                    **where,
                )
            )
        if version > last_version:
            self.versions[aggregate_id] = (version, position)

    def _attribute(self, aggregate_id: str, after: int, before: int) -> None:
        """Name the account of missing positions that fall inside its version gap."""
        for index in list(self.unattributed):
            problem = self.problems[index]
            if after < problem.position < before:
                self.problems[index] = Problem(
                    problem.position, problem.kind, problem.message, account_id=aggregate_id
                )
                self.unattributed.remove(index)


def _damaged_columns(row: StoredRow) -> str | None:
    """A column holding what no esgui writes (SQLite keeps any value in any column)."""
    for name, value, kind in (("version", row.version, int),
                              ("schema version", row.schema_version, int),
                              ("aggregate id", row.aggregate_id, str),
                              ("event type", row.event_type, str)):  # fmt: skip
        if type(value) is not kind:
            wanted = "whole number" if kind is int else "text"
            return f"the stored {name} {value!r:.60} is not a {wanted}"
    return None


def _missing_message(first: int, last: int) -> str:
    if first == last:
        return f"position {first} is missing: an event was deleted"
    return f"positions {first}–{last} are missing: events were deleted"


def _as_json(raw: Any) -> str:
    """Stored JSON text in the canonical form the hash covers (PostgreSQL's jsonb text
    is not canonical)."""
    value = decode_json(raw) if isinstance(raw, (str, bytes)) else raw
    return canonical_json(value)


def verify_store(
    store: EventStore,
    *,
    anchor: str | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    page_size: int = PAGE_SIZE,
) -> VerifyResult:
    """Check the whole log. `progress(done, total)` after each page; `should_stop()`
    between pages (then Cancelled is raised)."""
    anchor = normalise_anchor(anchor) if anchor is not None else None
    checker = _Checker(anchor)
    total = store.count()
    check_stop(should_stop, "Verification")
    for rows in store.scans.stored_rows(page_size=page_size):
        for row in rows:
            checker.check(row)
        if progress is not None:
            progress(checker.events, max(total, checker.events))
        if len(rows) < page_size:
            break
        check_stop(should_stop, "Verification")
    head_position = checker.prev_position or 0
    head_hash = checker.prev_hash
    _check_checkpoint(store, checker, head_position)
    _check_beside_the_log(store, checker)
    for missing in store.protection_problems():  # store-wide: reported at position 0
        checker.report(Problem(0, PROTECTION, missing.message))
    if anchor is not None and checker.anchor_position is None:
        checker.report(
            Problem(
                0,
                ANCHOR,
                f"no event in this store has the hash {anchor}: the anchor is not in the "
                f"log (it ends at position {head_position}), so the events up to it were "
                "removed or rewritten — or the anchor was recorded from another store",
            )
        )
    problems = sorted(checker.problems, key=lambda p: p.position)
    return VerifyResult(
        checker.events,
        head_position,
        head_hash,
        tuple(problems),
        checker.problem_count,
        anchor,
        checker.anchor_position,
    )


def _check_beside_the_log(store: EventStore, checker: _Checker) -> None:
    """What lies beside the chain and could change what esgui shows: snapshots (each must
    be the events' state at its version) and review notes (their own hash chain); see
    `esgui.audit.verify_snapshots` and `esgui.audit.verify_notes`."""
    for finding in (*check_snapshots(store), *check_notes(store)):
        checker.report(Problem(*finding))


def _check_checkpoint(store: EventStore, checker: _Checker, head_position: int) -> None:
    """A projection that has seen positions the log no longer holds: a truncated log."""
    checkpoint = store.scans.highest_checkpoint()
    if checkpoint > head_position:
        checker.report(
            Problem(
                head_position + 1,
                TRUNCATED,
                f"the projection has applied events up to position "
                f"{checkpoint}, but the log ends at {head_position}: events at "
                "its end were deleted",
            )
        )
