"""What an account report says about the store's integrity, and on which verification
that rests — without verifying the whole store (issue 13: a report is bounded by its
account).

- a verification the caller already ran (the window's) is reused as it is;
- "auto": the newest clean recorded run (preferably one witnessed on this machine) and
  an incremental verify of what was appended since, recorded like any verify; the
  newest record saying tampered is reported as such (its positions are not known here);
  no record at all: the report says the store is not verified;
- "full": a whole-store verify now (asked for explicitly: `report --full-verify`);
- "recorded": the newest record's verdict, nothing checked now.
"""

from __future__ import annotations

from esgui.app.verify_memory import VerifyMemory
from esgui.audit.common import ShouldStop
from esgui.audit.report_model import INTACT, TAMPERED, UNVERIFIED, ReportIntegrity
from esgui.audit.verify import VerifyResult
from esgui.audit.verify_recording import record_and_remember
from esgui.audit.verify_records import (
    NoIncrementalBase,
    VerifyOutcome,
    choose_base,
    verify_full,
    verify_incremental,
)
from esgui.errors import InvalidInput
from esgui.store import EventStore, VerifyRun

AUTO, FULL, RECORDED = "auto", "full", "recorded"
MODES = (AUTO, FULL, RECORDED)


def _from_result(
    result: VerifyResult, account_id: str, statement: str, witnessed: bool
) -> ReportIntegrity:
    return ReportIntegrity(
        verdict=INTACT if result.intact else TAMPERED,
        statement=statement,
        head_position=result.head_position,
        head_hash=result.head_hash,
        problem_count=result.problem_count,
        first_problem=result.first_problem,
        account_problems=tuple(p for p in result.problems if p.account_id == account_id),
        positions_known=True,
        witnessed=witnessed,
    )


def _from_record(run: VerifyRun, statement: str, witnessed: bool) -> ReportIntegrity:
    return ReportIntegrity(
        verdict=INTACT if run.intact else TAMPERED,
        statement=statement,
        head_position=run.head_position,
        head_hash=run.head_hash,
        problem_count=run.problem_count,
        first_problem=None,
        account_problems=(),
        positions_known=run.intact,
        witnessed=witnessed,
    )


def _describe_run(run: VerifyRun) -> str:
    return (f"verify run #{run.run_id} ({run.kind}, by {run.operator} at "
            f"{run.finished_at:%Y-%m-%d %H:%M:%S} UTC, up to position "
            f"{run.head_position:,})")  # fmt: skip


def report_integrity(
    store: EventStore,
    account_id: str,
    *,
    given: VerifyResult | None,
    mode: str,
    user: str,
    memory: VerifyMemory,
    should_stop: ShouldStop | None = None,
) -> ReportIntegrity:
    if mode not in MODES:
        raise InvalidInput(f"Unknown verification {mode!r}: one of {', '.join(MODES)}")
    if given is not None:
        return _from_result(given, account_id, "the verification this window ran "
                            f"({given.events:,} events checked, up to position "
                            f"{given.head_position:,})", True)  # fmt: skip
    key = store.description
    if mode == FULL:
        full = verify_full(store, should_stop=should_stop)
        done = record_and_remember(store, full, user=user, memory=memory)
        return _from_result(full.result, account_id,
                            f"a {full.describe()}, run for this report; {done.message}",
                            True)  # fmt: skip
    latest = store.verify_runs.latest()
    if latest is None:
        return ReportIntegrity(UNVERIFIED, "No verification of this store is recorded, and "
                               "this report does not verify the whole store: run `esgui "
                               "verify` first (or the report with --full-verify).",
                               *store.head(), 0, None, (), False, False)  # fmt: skip
    witnessed_hashes = memory.witnessed(key)
    if mode == RECORDED or not latest.intact:
        witnessed = latest.record_hash in witnessed_hashes
        note = "" if latest.intact else (" Its positions are not repeated here: run `esgui "
                                         "verify` to list them.")  # fmt: skip
        where = "witnessed on this machine" if witnessed else "recorded in the store"
        return _from_record(latest, f"the recorded {_describe_run(latest)}, {where}; "
                            f"nothing was checked for this report.{note}", witnessed)  # fmt: skip
    base, witnessed, _why = choose_base(store, witnessed_hashes)
    if base is None:
        base, witnessed, _why = choose_base(store, None)
    try:
        outcome: VerifyOutcome = verify_incremental(
            store, witnessed=witnessed_hashes, base=base, fallback_to_full=False,
            should_stop=should_stop,
        )  # fmt: skip
    except NoIncrementalBase as error:
        return ReportIntegrity(TAMPERED if error.records_broken else UNVERIFIED,
                               f"{error.reason}; run `esgui verify`.", *store.head(), 0,
                               None, (), False, False)  # fmt: skip
    recorded = record_and_remember(store, outcome, user=user, memory=memory)
    caveat = "" if outcome.base_witnessed else (
        " The run it continues from was not witnessed on this machine: its verdict is "
        "the store's own record."
    )  # fmt: skip
    return _from_result(outcome.result, account_id,
                        f"an {outcome.describe()}, run for this report; "
                        f"{recorded.message}.{caveat}", outcome.base_witnessed)  # fmt: skip
