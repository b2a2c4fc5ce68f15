"""Recording verifications and what is known of them: each run appended to the store's
records (`store.verify_runs`) and remembered on this machine (`VerifyMemory`), the
commands' one entry point (`run_verification`), and the last verification of a store
for the window to show when it opens it. The checking itself is
`esgui.audit.verify_records`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from esgui._version import __version__
from esgui.app.verify_memory import VerifyMemory
from esgui.audit.common import Progress, ShouldStop
from esgui.audit.verify_records import FULL, VerifyOutcome, verify_full, verify_incremental
from esgui.errors import InvalidInput, NotPermitted, StoreError
from esgui.store import EventStore, VerifyRun


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    run: VerifyRun  # as stored (with its id and record hash), or as it would have been
    recorded: bool
    message: str


def record_outcome(store: EventStore, outcome: VerifyOutcome, *, user: str) -> RecordOutcome:
    """Append the outcome to the store's verification records; on a read-only store or
    a standby nothing is written and the message says so."""
    result = outcome.result
    run = VerifyRun(
        kind=outcome.kind,
        verdict="intact" if result.intact else "tampered",
        checked_from=outcome.checked_from,
        head_position=result.head_position,
        head_hash=result.head_hash,
        events_checked=result.events,
        problem_count=result.problem_count,
        started_at=outcome.started_at or datetime.now(UTC),
        finished_at=datetime.now(UTC),
        operator=user,
        esgui_version=__version__,
        based_on=outcome.base.run_id if outcome.base is not None else None,
    )
    try:
        stored = store.verify_runs.add(run)
    except NotPermitted as error:
        why = "it is open read-only" if store.read_only else error.message
        return RecordOutcome(run, False, f"not recorded in the store: {why}")
    except StoreError as error:
        return RecordOutcome(run, False, f"not recorded in the store: {error}")
    return RecordOutcome(stored, True, f"recorded as verify run #{stored.run_id}")


def run_verification(
    store: EventStore,
    *,
    user: str,
    memory: VerifyMemory | None,
    incremental: bool = False,
    anchor: str | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> tuple[VerifyOutcome, RecordOutcome]:
    """Verify (incrementally from a run witnessed in `memory`, or fully), record the
    outcome in the store and remember it in `memory`."""
    if incremental and anchor is not None:
        raise InvalidInput("--anchor needs a full verify (drop --incremental)")
    if incremental:
        witnessed = memory.witnessed(store.description) if memory is not None else frozenset()
        outcome = verify_incremental(store, witnessed=witnessed, progress=progress,
                                     should_stop=should_stop)  # fmt: skip
    else:
        outcome = verify_full(store, anchor=anchor, progress=progress, should_stop=should_stop)
    return outcome, record_and_remember(store, outcome, user=user, memory=memory)


def record_and_remember(
    store: EventStore, outcome: VerifyOutcome, *, user: str, memory: VerifyMemory | None
) -> RecordOutcome:
    """Record the outcome in the store and remember it on this machine: witnessed when
    it is a full verify or continued from a witnessed run."""
    recorded = record_outcome(store, outcome, user=user)
    if memory is not None:
        witness = outcome.kind == FULL or outcome.base_witnessed
        memory.remember(store.description, recorded.run, recorded=recorded.recorded,
                        witness=witness)  # fmt: skip
    return recorded


def verification_json(outcome: VerifyOutcome, recorded: RecordOutcome | None) -> dict[str, Any]:
    """What a verification covered and whether it was recorded (for --json)."""
    return {
        "kind": outcome.kind,
        "checked_from": outcome.checked_from,
        "based_on": outcome.base.as_json() if outcome.base is not None else None,
        "based_on_witnessed": outcome.base_witnessed,
        "note": outcome.note or None,
        "description": outcome.describe(),
        "recorded": recorded.recorded if recorded is not None else False,
        "run": recorded.run.as_json() if recorded is not None and recorded.recorded else None,
        "message": recorded.message if recorded is not None else None,
    }


@dataclass(frozen=True, slots=True)
class KnownVerification:
    """The last verification known of a store, for the window to show when it opens."""

    verdict: str  # intact | tampered
    kind: str  # full | incremental
    finished_at: datetime
    operator: str
    head_position: int
    problem_count: int
    run_id: int  # 0: remembered on this machine only (the store could not record it)
    witnessed: bool  # run on this machine (its record is in the verify memory)
    overruled: str = ""  # a newer record not run here that this machine does not believe

    @property
    def intact(self) -> bool:
        return self.verdict == "intact"

    def source(self) -> str:
        if not self.run_id:
            return "remembered on this machine (not recorded in the store)"
        where = "run on this machine" if self.witnessed else "recorded in the store"
        return f"verify run #{self.run_id}, {where}"


def last_verification(store: EventStore, memory: VerifyMemory | None) -> KnownVerification | None:
    """The store's newest verification record, else what this machine remembers of the
    store (a read-only store records nothing), else None (never verified).

    A record not run on this machine never outweighs a tampered verdict this machine
    found: then that verdict is shown, the newer record named as `overruled` (anyone
    with SQL access can write a record saying intact)."""
    run = store.verify_runs.latest()
    key = store.description
    last = memory.last(key) if memory is not None else None
    mine = None
    if last is not None:
        mine = KnownVerification(last.verdict, last.kind, last.finished_at, last.operator,
                                 last.head_position, last.problem_count, last.run_id,
                                 True)  # fmt: skip
    if run is None:
        return mine
    witnessed = memory is not None and run.record_hash in memory.witnessed(key)
    newest = KnownVerification(run.verdict, run.kind, run.finished_at, run.operator,
                               run.head_position, run.problem_count, run.run_id,
                               witnessed)  # fmt: skip
    if not witnessed and run.intact and mine is not None and not mine.intact:
        return replace(mine, overruled=f"verify run #{run.run_id} by {run.operator}, not run "
                       "on this machine, says intact")  # fmt: skip
    return newest
