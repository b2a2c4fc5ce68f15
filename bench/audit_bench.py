"""W7, the audit workloads (esgui only: neither the peer nor the raw driver has them),
on one account as long as the issue's (66,567 events; quick: 3,000):

- W7a full verify of the store (events/s, with its record written);
- W7b incremental verify after `audit_appended` more events: only those are checked,
  after the checkpoint event is re-checked (seconds; events/s of what was appended);
- W7c the account's full PDF report (seconds, peak RSS): the listing streamed;
- W7d the summary-only report (seconds).

Targets (issues 11 and 13): full report ≤ 30 s, summary ≤ 2 s. The reports rely on the
recorded verification plus an incremental check (no whole-store verify inside them).
Runner side: `run_audit` (called by `bench.runner.run_engine`); worker side: `run_task`
(called by `bench.worker`); `rows` and `targets` for the tables.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from typing import Any

from bench.common import esgui_url
from bench.timing import Clock

WORKLOADS = {
    "W7a": "Full verify of the store",
    "W7b": "Incremental verify of what was appended",
    "W7c": "Account report, full PDF",
    "W7d": "Account report, summary PDF",
}
TASKS = ("audit_prepare", "audit_append", "verify_full", "verify_incremental", "report")
FULL_SIZES = {"audit_events": 66_567, "audit_appended": 1_000}
QUICK_SIZES = {"audit_events": 3_000, "audit_appended": 100}
REPORT_TARGET_S, SUMMARY_TARGET_S = 30.0, 2.0


# -- runner side -------------------------------------------------------------------------------


def run_audit(r: Any, engine: str) -> None:
    """The four measurements on one store (set up once, dropped afterwards)."""
    quick = r.sizes.get("bulk_events", 0) < 100_000
    sizes = QUICK_SIZES if quick else FULL_SIZES
    events, appended = sizes["audit_events"], sizes["audit_appended"]
    r.log(f"[{engine}] W7 audit: one account of {events:,} events, {appended:,} appended")
    loc = r.location(engine, "w7")
    config = tempfile.mkdtemp(prefix="esgui-bench-config-", dir=r.tmpdir)
    base = {"impl": "esgui", "location": loc, "config": config}
    try:
        account = r.prepare({**base, "task": "audit_prepare", "events": events})["account"]
        for _ in range(r.runs):
            r.measure(f"W7a|{engine}|esgui", {**base, "task": "verify_full"})
            r.prepare({**base, "task": "audit_append", "account": account, "events": appended})
            r.measure(f"W7b|{engine}|esgui", {**base, "task": "verify_incremental",
                                              "appended": appended})  # fmt: skip
            output = os.path.join(config, "r.pdf")
            for key, summary in (("W7c", False), ("W7d", True)):
                spec = {**base, "task": "report", "account": account, "summary": summary,
                        "output": output}  # fmt: skip
                r.measure(f"{key}|{engine}|esgui", spec)
    finally:
        r.drop(loc)


# -- worker side -------------------------------------------------------------------------------


def run_task(spec: dict[str, Any], clock: Clock) -> dict[str, Any]:
    os.environ["ESGUI_CONFIG_DIR"] = spec["config"]  # the verify memory of this bench run
    import esgui
    from esgui.app.seed import seed
    from esgui.app.verify_memory import VerifyMemory
    from esgui.audit.report import build_report, write_report
    from esgui.audit.verify_recording import run_verification

    task = spec["task"]
    store = esgui.open_store(esgui_url(spec["location"]))
    try:
        if task == "audit_prepare":
            result = seed(store, accounts=1, events=spec["events"])
            return {"account": result.account_ids[0]}
        if task == "audit_append":
            bank = esgui.Accounts(store, user="bench")
            batch = store.current_version(spec["account"])
            for _ in range(spec["events"]):
                bank.deposit(spec["account"], "1.00")
            return {"appended": store.current_version(spec["account"]) - batch}
        if task in ("verify_full", "verify_incremental"):
            incremental = task == "verify_incremental"
            with clock.region():
                outcome, _recorded = run_verification(store, user="bench", memory=VerifyMemory(),
                                                      incremental=incremental)  # fmt: skip
            assert outcome.intact, outcome.result.first_problem
            if incremental:
                assert outcome.kind == "incremental", outcome.note
            return {"count": outcome.result.events, "kind": outcome.kind}
        if task == "report":
            with clock.region():
                report = build_report(store, spec["account"], user="bench",
                                      summary_only=spec["summary"])  # fmt: skip
                write_report(report, spec["output"])
            return {"count": report.event_count, "pages": _pages(spec["output"]),
                    "verification": report.integrity.statement[:120]}  # fmt: skip
    finally:
        store.close()
    raise ValueError(f"unknown audit task {task!r}")


def _pages(path: str) -> int | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().count(b"/Type /Page\n") or None
    except OSError:
        return None


# -- tables --------------------------------------------------------------------------------


def _median(runs: list[dict[str, Any]], field: str) -> float | None:
    good = [run[field] for run in runs if "error" not in run and field in run]
    return statistics.median(good) if good else None


def rows(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[list[str]]:
    """[workload, engine, time, rate, events, peak RSS] per measured W7 row."""
    found = []
    for key, title in WORKLOADS.items():
        for engine in engines:
            runs = results.get(f"{key}|{engine}|esgui")
            if not runs:
                continue
            seconds, rate = _median(runs, "seconds"), _median(runs, "rate")
            count, rss = _median(runs, "count"), _median(runs, "maxrss_mb")
            if seconds is None:
                found.append([f"{key} {title}", engine, "error", "—", "—", "—"])
                continue
            found.append([f"{key} {title}", engine, f"{seconds:.2f} s",
                          f"{rate:,.0f} events/s" if rate else "—",
                          f"{count:,.0f}" if count is not None else "—",
                          f"{rss:.0f} MB" if rss is not None else "—"])  # fmt: skip
    return found


HEADER = ["Workload", "Engine", "Time", "Rate", "Events", "Peak RSS"]


def targets(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[list[str]]:
    found = []
    for engine in engines:
        for key, text, bound in (
            ("W7c", f"full report of one account ≤ {REPORT_TARGET_S:.0f} s", REPORT_TARGET_S),
            ("W7d", f"summary report ≤ {SUMMARY_TARGET_S:.0f} s", SUMMARY_TARGET_S),
        ):
            runs = results.get(f"{key}|{engine}|esgui")
            if not runs:
                continue
            seconds = _median(runs, "seconds")
            if seconds is None:
                found.append([text, engine, "error", "—"])
            else:
                found.append([text, engine, f"{seconds:.2f} s",
                              "**met**" if seconds <= bound else "**missed**"])  # fmt: skip
    return found
