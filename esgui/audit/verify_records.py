"""Verification records and incremental verify: the checks.

Every verification is recorded in the store (`verify_runs`, append-only, each record
chained to the one before) and remembered on this machine (`esgui.app.verify_memory`);
that part is `esgui.audit.verify_recording`.
An incremental verify starts from a recorded clean run and checks only what was
appended since, after re-checking that the run's checkpoint event still hashes to the
recorded head hash.

What a record can be trusted for: someone with SQL access can write a record that
chains correctly and names a real head hash (nothing in the store is secret). So an
incremental verify starts only from a run *witnessed on this machine* (its record hash
is in the user's verify memory): a forged record never becomes a starting point here.
A tampered verdict recorded after it (by anyone) is never skipped: the run falls back to
a full verify. A full verify re-checks every record: each must chain to the one before
and name the hash the log really has at its head position. See docs/audit.md,
"Verification records and incremental verify".
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from esgui.app.wording import plural
from esgui.audit.common import Progress, ShouldStop, check_stop
from esgui.audit.verify import (
    ALTERED,
    MISSING,
    PAGE_SIZE,
    TRUNCATED,
    Problem,
    VerifyResult,
    _as_json,
    _Checker,
    verify_store,
)
from esgui.errors import InvalidInput
from esgui.store import GENESIS_HASH, EventStore, StoredRow, VerifyRun, record_hash
from esgui.store.hashing import event_hash

RECORD = "record"  # a verification record that does not chain or names a wrong head

FULL, INCREMENTAL = "full", "incremental"


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    """A verification and what it relied on."""

    result: VerifyResult
    kind: str  # full | incremental (what was actually run)
    checked_from: int  # positions after this one were checked now
    base: VerifyRun | None = None  # the recorded run an incremental verify continued
    base_witnessed: bool = False  # that run was witnessed on this machine
    note: str = ""  # why a full verify ran although an incremental one was asked for
    started_at: datetime | None = None

    @property
    def intact(self) -> bool:
        return self.result.intact

    def describe(self) -> str:
        """What this verification covered, in one sentence."""
        result = self.result
        if self.kind == FULL:
            return (f"full verify of all {plural(result.events, 'event')} up to position "
                    f"{result.head_position:,}")  # fmt: skip
        base = self.base
        assert base is not None
        who = "witnessed on this machine" if self.base_witnessed else "NOT witnessed here"
        checked = result.head_position - self.checked_from
        when = f"{base.finished_at:%Y-%m-%d %H:%M:%S} UTC"
        source = (f"from verify run #{base.run_id} ({base.kind}, {base.verdict}, by "
                  f"{base.operator} at {when}, {who})")  # fmt: skip
        if checked <= 0:
            return (f"incremental verify: nothing appended since position "
                    f"{self.checked_from:,}, whose event still matches {source}")  # fmt: skip
        return (f"incremental verify of positions {self.checked_from + 1:,}–"
                f"{result.head_position:,} ({plural(checked, 'event')}) {source}")  # fmt: skip


# -- checking the records ------------------------------------------------------------------


def check_records(store: EventStore) -> list[Problem]:
    """Every record must chain to the one before and name the hash the log has at its
    head position (a record beyond the head: the log lost events)."""
    problems: list[Problem] = []
    prev = GENESIS_HASH
    expected_id = 1
    runs = list(store.verify_runs.all())
    hashes = store.scans.hashes_at({run.head_position for run in runs if run.head_position})
    for run in runs:
        if run.run_id != expected_id or record_hash(prev, run) != run.record_hash:
            problems.append(Problem(run.head_position, RECORD,
                                    f"verify record #{run.run_id} does not chain to the "
                                    "record before it: records were altered, removed or "
                                    "inserted"))  # fmt: skip
        if run.head_position == 0:
            stored: str | None = GENESIS_HASH
        else:
            stored = hashes.get(run.head_position)
        if stored != run.head_hash:
            problems.append(Problem(run.head_position, RECORD,
                                    f"verify record #{run.run_id} names head hash "
                                    f"{run.head_hash[:12]}… at position {run.head_position}, "
                                    "but the log holds "
                                    + (f"{stored[:12]}… there" if stored else "no event there")
                                    + ": the log or the record was altered"))  # fmt: skip
        prev, expected_id = run.record_hash, run.run_id + 1
    return problems


def _with_problems(result: VerifyResult, extra: list[Problem]) -> VerifyResult:
    if not extra:
        return result
    problems = sorted([*result.problems, *extra], key=lambda p: p.position)
    return replace(result, problems=tuple(problems),
                   problem_count=result.problem_count + len(extra))  # fmt: skip


# -- running ---------------------------------------------------------------------------------


def verify_full(
    store: EventStore,
    *,
    anchor: str | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    note: str = "",
) -> VerifyOutcome:
    """The whole log (`verify_store`) and every verification record."""
    started = datetime.now(UTC)
    result = verify_store(store, anchor=anchor, progress=progress, should_stop=should_stop)
    result = _with_problems(result, check_records(store))
    return VerifyOutcome(result, FULL, 0, note=note, started_at=started)


def choose_base(
    store: EventStore, witnessed: Container[str] | None
) -> tuple[VerifyRun | None, bool, str]:
    """(run to continue from, witnessed here, why none) for an incremental verify.

    The newest clean run witnessed on this machine (or, with `witnessed` None, the
    newest clean run in the store); none when a later record says tampered."""
    runs = list(store.verify_runs.all())
    if not runs:
        return None, False, "the store has no recorded verification"
    chosen: VerifyRun | None = None
    for run in reversed(runs):
        if not run.intact:
            return None, False, (f"verify run #{run.run_id} found tampering; only a full "
                                 "verify can say more")  # fmt: skip
        if witnessed is None or run.record_hash in witnessed:
            chosen = run
            break
    if chosen is None:
        return None, False, "no recorded verification of this store was witnessed on this machine"
    return chosen, witnessed is not None, ""


class NoIncrementalBase(InvalidInput):
    """No recorded run to continue from (or the records do not check)."""

    def __init__(self, reason: str, *, records_broken: bool = False) -> None:
        super().__init__(f"No incremental verify possible: {reason}")
        self.reason = reason
        self.records_broken = records_broken


def verify_incremental(
    store: EventStore,
    *,
    witnessed: Container[str] | None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    fallback_to_full: bool = True,
    base: VerifyRun | None = None,
    page_size: int = PAGE_SIZE,
) -> VerifyOutcome:
    """Check only what was appended after a recorded clean run (`base`, else the one
    `choose_base` picks), after re-checking that run's checkpoint event and the chain of
    records. Without a usable run: a full verify (`fallback_to_full`), or
    NoIncrementalBase."""
    started = datetime.now(UTC)
    if base is not None:
        is_witnessed, why = witnessed is not None and base.record_hash in witnessed, ""
    else:
        base, is_witnessed, why = choose_base(store, witnessed)
    record_problems = check_records(store) if base is not None else []
    broken = any(p.kind == RECORD for p in record_problems)
    if broken:
        why = "the verification records do not check (see the problems)"
        base = None
    if base is None:
        if not fallback_to_full:
            raise NoIncrementalBase(why, records_broken=broken)
        return verify_full(store, progress=progress, should_stop=should_stop,
                           note=f"full verify instead of incremental: {why}")  # fmt: skip
    checker = _Checker(None)
    checkpoint = base.head_position
    problems = _recheck_checkpoint(store, base)
    checker.prev_position = checkpoint if checkpoint else None
    checker.prev_hash = base.head_hash
    total = max(store.head()[0] - checkpoint, 0)
    check_stop(should_stop, "Verification")
    for rows in store.scans.stored_rows(page_size=page_size, after=checkpoint):
        _seed_versions(store, checker, rows, checkpoint)
        for row in rows:
            checker.check(row)
        if progress is not None:
            progress(checker.events, max(total, checker.events))
        if len(rows) < page_size:
            break
        check_stop(should_stop, "Verification")
    head_position = checker.prev_position or 0
    head_hash = checker.prev_hash
    if store.head()[0] < checkpoint:
        problems.append(Problem(checkpoint, TRUNCATED,
                                f"verify run #{base.run_id} checked the log up to position "
                                f"{checkpoint}, but it now ends before it: events at its "
                                "end were deleted"))  # fmt: skip
    highest = store.scans.highest_checkpoint()
    if highest > max(head_position, checkpoint):
        problems.append(Problem(head_position + 1, TRUNCATED,
                                f"the projection has applied events up to position "
                                f"{highest}, but the log ends at {head_position}: events "
                                "at its end were deleted"))  # fmt: skip
    for problem in problems:
        checker.report(problem)
    result = VerifyResult(
        checker.events,
        max(head_position, checkpoint) if checker.events else checkpoint,
        head_hash,
        tuple(sorted(checker.problems, key=lambda p: p.position)),
        checker.problem_count,
    )
    return VerifyOutcome(result, INCREMENTAL, checkpoint, base, is_witnessed,
                         started_at=started)  # fmt: skip


def _recheck_checkpoint(store: EventStore, base: VerifyRun) -> list[Problem]:
    """The checkpoint event must still be stored with the recorded hash, and that hash
    must still be its content chained to its predecessor's stored hash."""
    position = base.head_position
    if position == 0:
        return []
    rows = store.scans.stored_range(max(position - 1, 1), position)
    by_position = {row.position: row for row in rows}
    row = by_position.get(position)
    if row is None:
        return [
            Problem(
                position,
                MISSING,
                f"the checkpoint of verify run #{base.run_id} "
                f"(position {position}) is missing: events were deleted",
            )
        ]
    where: dict[str, Any] = dict(
        account_id=row.aggregate_id, version=row.version, event_id=row.event_id
    )
    message = (f"the checkpoint of verify run #{base.run_id} (position {position}) no longer "
               "matches: ")  # fmt: skip
    if row.hash != base.head_hash:
        return [Problem(position, ALTERED, message + "its stored hash differs from the "
                        "recorded head hash", **where)]  # fmt: skip
    prev = GENESIS_HASH if position == 1 else getattr(by_position.get(position - 1), "hash", None)
    try:
        if prev is None or row.recorded_at is None:
            raise ValueError("its predecessor or its time cannot be read")
        computed = event_hash(prev, row.position, row.event_id, row.aggregate_id,
                              row.aggregate_type, row.event_type, row.schema_version,
                              row.version, row.recorded_at, row.operator,
                              _as_json(row.data_json), _as_json(row.metadata_json))  # fmt: skip
    except (TypeError, ValueError, AttributeError) as error:
        return [Problem(position, ALTERED, message + f"it cannot be decoded ({error})", **where)]
    if computed != row.hash:
        return [Problem(position, ALTERED, message + "its content, or the hash of the event "
                        "before it, was altered", **where)]  # fmt: skip
    return []


def _seed_versions(
    store: EventStore, checker: _Checker, rows: list[StoredRow], checkpoint: int
) -> None:
    """Version continuity across the checkpoint: each account first met in this page
    continues from its version before the checkpoint (looked up, not scanned)."""
    wanted: dict[str, int] = {}
    for row in rows:
        if row.aggregate_id not in checker.versions and row.aggregate_id not in wanted:
            wanted[row.aggregate_id] = row.version
    keys = [(account, version - 1) for account, version in wanted.items() if version > 1]
    if not keys:
        return
    for (account, version), position in store.scans.positions_of(keys).items():
        if position <= checkpoint:
            checker.versions[account] = (version, position)
