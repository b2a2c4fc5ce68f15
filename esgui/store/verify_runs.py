"""Verification records: one append-only row per `verify` run (`verify_runs`, migration
0006), each chained to the one before by `record_hash`.

The store writes and reads the rows; what they prove and how a later run re-checks them
is `esgui.audit.verify_records`. A record is written in its own transaction, never while
the append lock is held (it needs only INSERT on the table), and is refused on a
read-only store (`NotPermitted`): the caller says that nothing was recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from esgui.store.connections import Connections
from esgui.store.engine import translated
from esgui.store.hashing import GENESIS_HASH
from esgui.store.paging import KeysetPager
from esgui.store.schema import verify_runs

FULL, INCREMENTAL = "full", "incremental"
INTACT, TAMPERED = "intact", "tampered"
PAGE_SIZE = 1000
ATTEMPTS = 20  # concurrent recorders: tries before giving up


@dataclass(frozen=True, slots=True)
class VerifyRun:
    """One recorded verification. `record_hash` is "" until the store assigns it (with
    `run_id`) on insert."""

    kind: str  # full | incremental
    verdict: str  # intact | tampered
    checked_from: int  # positions after this one were checked (0: the whole log)
    head_position: int
    head_hash: str  # the event chain's hash at head_position
    events_checked: int
    problem_count: int
    started_at: datetime
    finished_at: datetime
    operator: str
    esgui_version: str
    based_on: int | None = None  # an incremental run: the run it continued from
    run_id: int = 0
    record_hash: str = ""

    @property
    def intact(self) -> bool:
        return self.verdict == INTACT

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "verdict": self.verdict,
            "checked_from": self.checked_from,
            "head_position": self.head_position,
            "head_hash": self.head_hash,
            "events_checked": self.events_checked,
            "problem_count": self.problem_count,
            "based_on": self.based_on,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "operator": self.operator,
            "esgui_version": self.esgui_version,
            "record_hash": self.record_hash,
        }


def record_hash(prev_hash: str, run: VerifyRun) -> str:
    """SHA-256 over the previous record's hash and every field of this one (NUL-joined,
    times in ISO form with microseconds): editing, removing or reordering records breaks
    the chain of records, as it does the chain of events."""
    material = "\x00".join((
        prev_hash, str(run.run_id), run.kind, run.verdict, str(run.checked_from),
        str(run.head_position), run.head_hash, str(run.events_checked),
        str(run.problem_count), "" if run.based_on is None else str(run.based_on),
        run.started_at.isoformat(timespec="microseconds"),
        run.finished_at.isoformat(timespec="microseconds"), run.operator, run.esgui_version,
    ))  # fmt: skip
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


_COLUMNS = (verify_runs.c.kind, verify_runs.c.verdict, verify_runs.c.checked_from,
            verify_runs.c.head_position, verify_runs.c.head_hash, verify_runs.c.events_checked,
            verify_runs.c.problem_count, verify_runs.c.started_at, verify_runs.c.finished_at,
            verify_runs.c.operator, verify_runs.c.esgui_version, verify_runs.c.based_on,
            verify_runs.c.run_id, verify_runs.c.record_hash)  # fmt: skip


def _run(row: Any) -> VerifyRun:
    (kind, verdict, checked_from, head_position, head_hash, events_checked, problem_count,
     started_at, finished_at, operator, version, based_on, run_id, hash_) = row  # fmt: skip
    return VerifyRun(str(kind), str(verdict), int(checked_from), int(head_position),
                     str(head_hash), int(events_checked), int(problem_count), started_at,
                     finished_at, str(operator), str(version),
                     None if based_on is None else int(based_on), int(run_id),
                     str(hash_))  # fmt: skip


class VerifyRunStorage:
    def __init__(self, conns: Connections) -> None:
        self._conns = conns
        self._pager = KeysetPager(_COLUMNS, [verify_runs.c.run_id], raw=False)

    def add(self, run: VerifyRun) -> VerifyRun:
        """Append `run` as the next record (its id and chained hash assigned here);
        returns it as stored. Two runs recording at once both read the same last record:
        the primary key lets one in and the other chains again after it (so a role
        needs nothing but INSERT on `verify_runs`). NotPermitted on a read-only store."""
        self._conns.refuse_if_read_only()
        for attempt in range(ATTEMPTS):
            with translated(self._conns.description):
                try:
                    with self._conns.writer.begin() as conn:
                        last = conn.execute(
                            select(verify_runs.c.run_id, verify_runs.c.record_hash)
                            .order_by(verify_runs.c.run_id.desc())
                            .limit(1)
                        ).first()
                        run_id, prev = (
                            (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS_HASH)
                        )
                        stored = replace(run, run_id=run_id)
                        stored = replace(stored, record_hash=record_hash(prev, stored))
                        row = {column.name: getattr(stored, column.name) for column in _COLUMNS}
                        conn.execute(insert(verify_runs), [row])
                except IntegrityError:
                    if attempt == ATTEMPTS - 1:
                        raise
                    continue
            return stored
        raise AssertionError("unreachable")  # the loop returns or raises

    def all(self, *, page_size: int = PAGE_SIZE) -> Iterator[VerifyRun]:
        """Every record, oldest first, in keyset pages."""
        for rows in self._pager.pages(self._conns.read, page_size=page_size):
            for row in rows:
                yield _run(row)

    def latest(self) -> VerifyRun | None:
        """The newest record, or None when the store was never verified."""
        query = select(*_COLUMNS).order_by(verify_runs.c.run_id.desc()).limit(1)
        with self._conns.read() as conn:
            row = conn.execute(query).first()
        return _run(row) if row else None

    def count(self) -> int:
        with self._conns.read() as conn:
            return int(conn.execute(select(func.count()).select_from(verify_runs)).scalar() or 0)
