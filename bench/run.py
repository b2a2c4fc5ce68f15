"""The benchmark runner: esgui beside the peer library (eventsourcing 9.5) and the raw
driver ceiling (sqlite3 / psycopg), on SQLite and PostgreSQL.

    python -m bench                      # full sizes, 3 runs, writes docs/performance.md
    python -m bench --quick              # small sizes, 1 run, prints only (what CI runs)
    python -m bench --runs 5 --engines sqlite --only W1,W3
    python -m bench --quick --output /tmp/perf.md

Every measurement runs in a fresh subprocess (`bench.worker`) and reports JSON; the
runner prints medians and the ratios esgui÷peer and esgui÷ceiling as rates (above 1:
esgui is faster). Nothing here asserts on timings.

PostgreSQL: BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test); each
store gets a schema of its own (``bench_…``), dropped at the end. SQLite stores live
in a temporary folder (BENCH_TMPDIR or the system's), removed at the end.

GUI numbers (workload 6) come from ``bench/gui_bench.py`` when that file exists: the
runner calls ``python bench/gui_bench.py --json`` (with BENCH_QUICK=1 in quick mode,
BENCH_ENGINES and BENCH_PG_URL in the environment) and expects one JSON object on the
last line of its output, ``{"metrics": [{"name", "engine", "value", "unit",
"target", "met"}, …]}``; anything else is shown as it came.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/run.py`
    # the checkout, not this folder (whose module names must not shadow the stdlib's)
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    ENGINES,
    IMPLS,
    PEER_PG_BATCH,
    analyze,
    drop_location,
    new_location,
    remove_tree,
    replay_versions,
)
from bench.worker import MARK  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GUI_BENCH = ROOT / "bench" / "gui_bench.py"
ANALYSIS = ROOT / "bench" / "analysis.md"

FULL = {
    "accounts": 100, "commands": 5_000,
    "bulk_accounts": 100, "bulk_events": 1_000_000,
    "replay_events": 100_000, "replay_versions": 100,
}  # fmt: skip
QUICK = {
    "accounts": 20, "commands": 300,
    "bulk_accounts": 20, "bulk_events": 20_000,
    "replay_events": 5_000, "replay_versions": 20,
}  # fmt: skip
# Moderate sizes for the profiles of missed targets.
PROFILE = {
    "accounts": 100, "commands": 1_500,
    "bulk_accounts": 100, "bulk_events": 200_000,
    "replay_events": 100_000, "replay_versions": 100,
}  # fmt: skip

REPEAT = 3  # W3b: each version asked 3 times, its best time kept

WORKLOADS = {
    "W1": "Commands (load + decide + append, 1 event per durable transaction)",
    "W2": "Bulk load",
    "W3a": "Replay of one account, no snapshots",
    "W3b": "State at random versions, snapshots every 100",
    "W4": "Global read in order, decoded, Decimal fold",
    "W5": "Projection catch-up from zero",
    "W6": "GUI (bench/gui_bench.py)",
}
LABELS = {"esgui": "esgui", "peer": "eventsourcing 9.5", "ceiling": "raw driver",
          "ceiling-commit": "raw driver, insert + commit only"}  # fmt: skip


# -- running workers ---------------------------------------------------------------------


@dataclass
class Runner:
    sizes: dict[str, int]
    runs: int
    timeout: float
    tmpdir: str
    log: Callable[[str], None]

    def __post_init__(self) -> None:
        self.locations: list[dict[str, Any]] = []
        self.results: dict[str, list[dict[str, Any]]] = {}

    # locations are dropped at the end whatever happens
    def location(self, engine: str, tag: str) -> dict[str, Any]:
        loc = new_location(engine, self.tmpdir, tag)
        self.locations.append(loc)
        return loc

    def drop(self, loc: dict[str, Any]) -> None:
        drop_location(loc)
        if loc in self.locations:
            self.locations.remove(loc)

    def drop_all(self) -> None:
        for loc in list(self.locations):
            try:
                self.drop(loc)
            except Exception as error:  # noqa: BLE001 - keep cleaning up
                self.log(f"could not drop {loc}: {error}")

    def worker(self, spec: dict[str, Any]) -> dict[str, Any]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.worker", json.dumps(spec)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=self.timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {self.timeout:.0f} s"}
        for line in reversed(done.stdout.splitlines()):
            if line.startswith(MARK):
                result = json.loads(line[len(MARK) :])
                if "error" in result:
                    result["stderr"] = done.stderr[-2000:]
                return result
        return {"error": f"worker exited {done.returncode}", "stderr": done.stderr[-2000:]}

    def measure(self, key: str, spec: dict[str, Any]) -> dict[str, Any]:
        result = self.worker(spec)
        self.results.setdefault(key, []).append(result)
        self.log(f"  {key}: {describe(result)}")
        return result

    def prepare(self, spec: dict[str, Any]) -> dict[str, Any]:
        result = self.worker(spec)
        if "error" in result:
            raise RuntimeError(f"set-up failed ({spec['task']} {spec['impl']}): "
                               f"{result['error']}\n{result.get('stderr', '')}")  # fmt: skip
        return result


def describe(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"ERROR {result['error']}"
    if result.get("skipped"):
        return "n/a"
    if "times" in result:
        ms = sorted(t * 1000 for t in result["times"])
        return f"median {statistics.median(ms):.3f} ms, max {ms[-1]:.3f} ms"
    return f"{result.get('rate', 0):,.0f}/s in {result.get('seconds', 0):.2f} s"


def run_engine(r: Runner, engine: str, selected: set[str]) -> None:
    s = r.sizes
    if "W1" in selected:
        r.log(f"[{engine}] W1 commands: {s['accounts']} accounts, {s['commands']} commands")
        for _ in range(r.runs):
            for variant in [*IMPLS, "ceiling-commit"]:
                impl = variant.split("-")[0]
                loc = r.location(engine, f"w1_{impl}")
                r.measure(f"W1|{engine}|{variant}", {"task": "commands", "impl": impl,
                          "location": loc, "accounts": s["accounts"],
                          "commands": s["commands"],
                          "no_read": variant == "ceiling-commit"})  # fmt: skip
                r.drop(loc)
    if selected & {"W2", "W4", "W5"}:
        bulk_runs = r.runs if "W2" in selected else 1
        setup = "" if "W2" in selected else " (set-up)"
        r.log(f"[{engine}] W2 bulk load: {s['bulk_events']:,} events over "
              f"{s['bulk_accounts']} accounts{setup}")  # fmt: skip
        datasets: dict[str, dict[str, Any]] = {}
        variants = [*IMPLS, "ceiling-bare"] if "W2" in selected else list(IMPLS)
        for run in range(bulk_runs):
            for variant in variants:
                impl = variant.split("-")[0]
                loc = r.location(engine, f"w2_{impl}")
                spec = {"task": "bulk", "impl": impl, "location": loc,
                        "accounts": s["bulk_accounts"], "events": s["bulk_events"],
                        "bare": variant == "ceiling-bare"}  # fmt: skip
                result = (r.measure(f"W2|{engine}|{variant}", spec) if "W2" in selected
                          else r.prepare(spec))  # fmt: skip
                keep = run == bulk_runs - 1 and variant in IMPLS and "error" not in result
                if keep:
                    analyze(loc)  # planner statistics, as autovacuum would gather
                    datasets[impl] = loc
                else:
                    r.drop(loc)
        for workload, task in (("W4", "read_all"), ("W5", "project")):
            if workload not in selected:
                continue
            r.log(f"[{engine}] {workload} {task}: {s['bulk_events']:,} events")
            variants = [*IMPLS, "ceiling-wide"] if workload == "W4" else list(IMPLS)
            for _ in range(r.runs):
                for variant in variants:
                    impl = variant.split("-")[0]
                    if impl not in datasets:
                        continue
                    r.measure(f"{workload}|{engine}|{variant}", {"task": task, "impl": impl,
                              "location": datasets[impl], "events": s["bulk_events"],
                              "wide": variant == "ceiling-wide"})  # fmt: skip
        for loc in datasets.values():
            r.drop(loc)
    if selected & {"W3a", "W3b"}:
        r.log(f"[{engine}] W3 replay: one account of {s['replay_events']:,} events")
        versions = replay_versions(s["replay_events"], s["replay_versions"])
        for impl in IMPLS:
            loc = r.location(engine, f"w3_{impl}")
            account = r.prepare({"task": "prepare_replay", "impl": impl, "location": loc,
                                 "events": s["replay_events"]})["account"]  # fmt: skip
            analyze(loc)
            for _ in range(r.runs):
                if "W3a" in selected:
                    r.measure(f"W3a|{engine}|{impl}", {"task": "replay_full", "impl": impl,
                              "location": loc, "account": account,
                              "events": s["replay_events"]})  # fmt: skip
                if "W3b" in selected:
                    r.measure(f"W3b|{engine}|{impl}", {"task": "replay_versions",
                              "impl": impl, "location": loc, "account": account,
                              "versions": versions, "repeat": REPEAT})  # fmt: skip
            r.drop(loc)


def run_gui(quick: bool, engines: list[str], log: Callable[[str], None]) -> dict[str, Any]:
    """Workload 6, from the GUI engineer's bench/gui_bench.py when it is there."""
    if not GUI_BENCH.exists():
        return {"absent": True}
    env = dict(os.environ, BENCH_ENGINES=",".join(engines))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if quick:
        env["BENCH_QUICK"] = "1"
    log("[gui] bench/gui_bench.py --json")
    try:
        done = subprocess.run([sys.executable, str(GUI_BENCH), "--json"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=1800)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": "bench/gui_bench.py timed out"}
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        return {"output": json.loads(lines[-1])}
    except (IndexError, ValueError):
        return {"error": f"bench/gui_bench.py exited {done.returncode} without JSON",
                "stderr": done.stderr[-2000:]}  # fmt: skip


# -- summarising -------------------------------------------------------------------------


def ok_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run for run in runs if "error" not in run and not run.get("skipped")]


def value_of(results: dict[str, list[dict[str, Any]]], key: str) -> dict[str, Any] | None:
    """Median over runs: a rate, or for W3b the per-run median, p95 and max in ms."""
    runs = results.get(key)
    if not runs:
        return None
    good = ok_runs(runs)
    if not good:
        first = runs[0]
        if first.get("skipped"):
            return {"na": first["skipped"]}
        return {"error": first.get("error", "failed")}
    if "times" in good[0]:
        per_run = []
        for run in good:
            ms = sorted(t * 1000 for t in run["times"])
            per_run.append((statistics.median(ms), ms[int(0.95 * (len(ms) - 1))], ms[-1]))
        median = statistics.median(p[0] for p in per_run)
        return {"ms": median, "p95": statistics.median(p[1] for p in per_run),
                "max": statistics.median(p[2] for p in per_run), "rate": 1000 / median,
                "runs": [p[0] for p in per_run]}  # fmt: skip
    rates = [run["rate"] for run in good]
    return {"rate": statistics.median(rates), "runs": rates,
            "seconds": statistics.median(run["seconds"] for run in good)}  # fmt: skip


def fmt_value(value: dict[str, Any] | None, workload: str) -> str:
    if value is None:
        return "—"
    if "na" in value:
        return "n/a"
    if "error" in value:
        return "error"
    if "ms" in value:
        return f"{value['ms']:.3f} ms (p95 {value['p95']:.3f}, max {value['max']:.3f})"
    if workload == "W3a":
        return f"{value['seconds']:.3f} s ({value['rate']:,.0f} ev/s)"
    return f"{value['rate']:,.0f}"


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or "rate" not in a or "rate" not in b or not b["rate"]:
        return None
    return a["rate"] / b["rate"]


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


UNITS = {"W1": "commands/s", "W2": "events/s", "W3a": "time (events/s)",
         "W3b": "ms per version", "W4": "events/s", "W5": "events/s"}  # fmt: skip


def result_rows(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[list[str]]:
    rows = []
    for workload in ("W1", "W2", "W3a", "W3b", "W4", "W5"):
        for engine in engines:
            values = {impl: value_of(results, f"{workload}|{engine}|{impl}") for impl in IMPLS}
            if all(v is None for v in values.values()):
                continue
            rows.append([
                f"{workload} {WORKLOADS[workload].split(' (')[0]}", engine, UNITS[workload],
                *(fmt_value(values[impl], workload) for impl in IMPLS),
                fmt_ratio(ratio(values["esgui"], values["peer"])),
                fmt_ratio(ratio(values["esgui"], values["ceiling"])),
            ])  # fmt: skip
    return rows


@dataclass
class Target:
    text: str
    engine: str
    measured: str
    met: bool | None  # None: not measured
    workload: str


def targets(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[Target]:
    found: list[Target] = []
    for engine in engines:

        def v(workload: str, impl: str, engine: str = engine) -> dict[str, Any] | None:
            return value_of(results, f"{workload}|{engine}|{impl}")

        checks = [
            ("W1", "commands ≥ 2× the peer", ratio(v("W1", "esgui"), v("W1", "peer")), 2.0),
            ("W2", "bulk load ≥ 0.5× the ceiling",
             ratio(v("W2", "esgui"), v("W2", "ceiling")), 0.5),
            ("W3a", "100,000-event replay without snapshots ≥ 0.5× the ceiling",
             ratio(v("W3a", "esgui"), v("W3a", "ceiling")), 0.5),
            ("W4", "global decoded read ≥ 0.5× the ceiling",
             ratio(v("W4", "esgui"), v("W4", "ceiling")), 0.5),
        ]  # fmt: skip
        for workload, text, x, bound in checks:
            if results.get(f"{workload}|{engine}|esgui") is None:
                continue
            if workload == "W3a" and x is not None:
                seconds = v("W3a", "esgui")["seconds"]  # type: ignore[index]
                measured = f"{x:.2f}× ({seconds:.3f} s)"
            else:
                measured = fmt_ratio(x)
            found.append(Target(text, engine, measured, None if x is None else x >= bound,
                                workload))  # fmt: skip
        snap = v("W3b", "esgui")
        if results.get(f"W3b|{engine}|esgui") is not None:
            ok = snap is not None and "max" in snap
            found.append(Target(
                "any version with snapshots in ≤ 2 ms", engine,
                f"max {snap['max']:.3f} ms, p95 {snap['p95']:.3f} ms" if ok else "error",  # type: ignore[index]
                (snap["max"] <= 2.0) if ok else None, "W3b"))  # type: ignore[index]  # fmt: skip
    return found


# -- the report ----------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def plain_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=False))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) for row in rows]
    return "\n".join(out)


RESULT_HEADER = ["Workload", "Engine", "Unit", "esgui", "eventsourcing 9.5 (peer)",
                 "raw driver (ceiling)", "esgui ÷ peer", "esgui ÷ ceiling"]  # fmt: skip

ISSUE_EXPECTATIONS = [
    ("W1", "sqlite", "peer", "650–720 commands/s"),
    ("W1", "postgresql", "peer", "350–420 commands/s"),
    ("W1", "sqlite", "ceiling-commit", "10k–12k single-row durable commits/s"),
    ("W2", "sqlite", "peer", "27k–29k events/s"),
    ("W2", "postgresql", "peer", "27k–29k events/s"),
    ("W2", "sqlite", "ceiling", "220k–330k inserts/s"),
    ("W3a", "sqlite", "peer", "3.6–4.1 s"),
    ("W4", "sqlite", "peer", "97k events/s"),
    ("W4", "sqlite", "ceiling", "480k–530k events/s"),
]


def git_state() -> str:
    """HEAD, and the last commit that touched esgui/ (the code measured)."""

    def git(*args: str) -> str:
        with contextlib.suppress(OSError):
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
            return done.stdout.strip()
        return ""

    head = git("rev-parse", "--short", "HEAD") or "?"
    esgui = git("log", "-1", "--format=%h", "--", "esgui") or "?"
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "esgui",
                                                  "bench") else ""  # fmt: skip
    return f"bench at {head}{dirty}; esgui/ as of commit {esgui}"


def machine_info(started: datetime, load: tuple[float, ...], commit: str) -> list[str]:
    def version(name: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(name)
        except Exception:  # noqa: BLE001
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    pg = "?"
    try:
        from bench.common import pg_connect

        with pg_connect() as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                        for name in ("server_version", "synchronous_commit", "fsync",
                                     "shared_buffers")}  # fmt: skip
        pg = (f"{settings['server_version'].split()[0]} (synchronous_commit="
              f"{settings['synchronous_commit']}, fsync={settings['fsync']}, shared_buffers="
              f"{settings['shared_buffers']}), local socket over TCP 127.0.0.1")  # fmt: skip
    except Exception:  # noqa: BLE001
        pass
    return [
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; esgui {version('esgui')}: {commit}",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} "
        f"{platform.release()}; a shared development machine (load average at start "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}), so single numbers are noisy: read "
        "the medians and the ratios, not the last digit",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (WAL, "
        f"synchronous=FULL for all three), PostgreSQL {pg}",
        f"- eventsourcing {version('eventsourcing')}, SQLAlchemy {version('SQLAlchemy')}, "
        f"psycopg {version('psycopg')}",
    ]


def render(data: dict[str, Any]) -> str:
    results = data["results"]
    engines = data["engines"]
    sizes = data["sizes"]
    out = ["# Performance", ""]
    out += [
        "Generated by `python -m bench` (see `bench/run.py`); the notes and the analysis at "
        "the end come from `bench/notes.md` and `bench/analysis.md`. Re-run to refresh; "
        "nothing in the suite asserts on timings.",
        "",
        f"Command: `{data['command']}` — {data['runs']} run(s) per measurement, each in a "
        f"fresh process; the tables show medians.",
        "",
        *machine_info(
            datetime.fromisoformat(data["started"]),
            tuple(data["load"]),
            data.get("commit") or git_state(),
        ),
        f"- Load average at the end: {' / '.join(f'{x:.2f}' for x in data['load_end'])}; "
        f"wall time {data['wall_seconds'] / 60:.1f} min",
        f"- Sizes: {sizes['commands']:,} commands over {sizes['accounts']} accounts; bulk "
        f"load, global read and projection over {sizes['bulk_events']:,} events and "
        f"{sizes['bulk_accounts']} accounts; replay of one {sizes['replay_events']:,}-event "
        f"account; {sizes['replay_versions']} random versions",
        "",
        "## Results",
        "",
        "Ratios are of rates: above 1× esgui is faster.",
        "",
        table(RESULT_HEADER, result_rows(results, engines)),
        "",
    ]
    out += other_ceilings(results, engines)
    found = targets(results, engines)
    out += ["## Targets (issue 6)", ""]
    rows = [[t.text, t.engine, t.measured, verdict(t.met, "**met**", "**missed**")] for t in found]
    rows += gui_target_rows(data.get("gui", {}))
    out += [table(["Target", "Engine", "Measured (esgui)", ""], rows), ""]
    out += [
        "W3b asks each version 3 times and keeps its best time (so that a preemption by "
        "another process on the shared machine is not counted as the cost of a version); "
        "the target is judged on the slowest version (median over runs of each run's "
        "maximum).",
        "",
    ]
    out += ["### The baselines against the issue's expectations", "",
            table(["Workload", "Engine", "Measured", "Issue expects"], [
                [w, e, fmt_value(value_of(results, f"{w}|{e}|{i}"), w) + f" ({LABELS[i]})", x]
                for w, e, i, x in ISSUE_EXPECTATIONS
                if value_of(results, f"{w}|{e}|{i}") is not None]), ""]  # fmt: skip
    out += ["### Every run", "", table(["Measurement", "Runs"], [
        [key.replace("|", " · "), ", ".join(
            "error" if "error" in r else "n/a" if r.get("skipped") else
            (f"{statistics.median(r['times']) * 1000:.3f} ms" if "times" in r
             else f"{r['rate']:,.0f}/s") for r in runs)]
        for key, runs in results.items()]), ""]  # fmt: skip
    errors = [(key, r) for key, runs in results.items() for r in runs if "error" in r]
    if errors:
        out += ["### Errors", ""]
        out += [f"- {key}: {r['error']}" for key, r in errors]
        out.append("")
    out += render_gui(data.get("gui", {}))
    notes = ROOT / "bench" / "notes.md"
    if notes.exists():
        out += [notes.read_text().strip(), ""]
    skipped = {r["skipped"] for runs in results.values() for r in runs if r.get("skipped")}
    for reason in sorted(skipped):
        out += [f"- Peer projection (W5): {reason}", ""]
    if data.get("profiles"):
        out += render_profiles(data["profiles"])
    if ANALYSIS.exists():
        out += [ANALYSIS.read_text().strip(), ""]
    return "\n".join(out).rstrip() + "\n"


def other_ceilings(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[str]:
    """The ceiling variants measured beside the main one."""
    lines = []
    for engine in engines:
        parts = []
        commit = value_of(results, f"W1|{engine}|ceiling-commit")
        if commit and "rate" in commit:
            parts.append(f"single-row durable commits without the read {commit['rate']:,.0f}/s")
        bare = value_of(results, f"W2|{engine}|ceiling-bare")
        if bare and "rate" in bare:
            parts.append(f"bulk load into a *bare* events table (same columns, primary key "
                         f"only) {bare['rate']:,.0f} events/s")  # fmt: skip
        built = [r["rate_with_build"] for r in ok_runs(results.get(f"W2|{engine}|ceiling", []))
                 if r.get("rate_with_build")]  # fmt: skip
        if built:
            parts.append(
                "bulk load including building the rows in Python (ids, JSON text, "
                f"SHA-256 chain, times) {statistics.median(built):,.0f} events/s"
            )
        wide = value_of(results, f"W4|{engine}|ceiling-wide")
        if wide and "rate" in wide:
            main = value_of(results, f"W4|{engine}|esgui")
            x = ratio(main, wide)
            parts.append(f"global read of all 12 columns (what esgui's read_all returns) "
                         f"{wide['rate']:,.0f} events/s" +
                         (f", esgui at {x:.2f}× of it" if x else ""))  # fmt: skip
        if parts:
            lines.append(f"- {engine}: " + "; ".join(parts) + ".")
    if not lines:
        return []
    return ["Other ceiling variants (medians):", "", *lines, ""]


def verdict(met: bool | None, yes: str = "met", no: str = "missed") -> str:
    return "—" if met is None else (yes if met else no)


def gui_target_rows(gui: dict[str, Any]) -> list[list[str]]:
    metrics = (
        (gui.get("output") or {}).get("metrics") if isinstance(gui.get("output"), dict) else None
    )
    if not metrics:
        return [["GUI: first paint < 1 s and < 300 MB; slider step < 16 ms; live latency "
                 "< 200 ms (PostgreSQL), < 1 s (SQLite)", "both",
                 "not measured (bench/gui_bench.py "
                 + ("absent)" if gui.get("absent") or not gui else "gave no metrics)"),
                 "—"]]  # fmt: skip
    rows = []
    for m in metrics:
        if m.get("target") is None:
            continue
        met = m.get("met")
        rows.append([f"GUI: {m.get('name')} ({m.get('target')})", str(m.get("engine", "")),
                     f"{m.get('value')} {m.get('unit', '')}".strip(),
                     "—" if met is None else ("**met**" if met else "**missed**")])  # fmt: skip
    return rows


def render_gui(gui: dict[str, Any]) -> list[str]:
    out = ["## W6 GUI", "", "<!-- GUI numbers: filled in by bench/gui_bench.py --json when "
           "present (see bench/run.py for the expected JSON) -->", ""]  # fmt: skip
    if not gui or gui.get("absent"):
        return out + ["`bench/gui_bench.py` is not in this checkout yet, so the GUI "
                      "workload (first paint, peak memory, slider step, live latency) was "
                      "not measured in this run. Once it is, `python -m bench` runs it and "
                      "puts its numbers here.", ""]  # fmt: skip
    if "error" in gui:
        return out + [f"bench/gui_bench.py failed: {gui['error']}", ""]
    output = gui["output"]
    metrics = output.get("metrics") if isinstance(output, dict) else None
    if metrics:
        rows = [[str(m.get("name")), str(m.get("engine", "")),
                 f"{m.get('value')} {m.get('unit', '')}".strip(), str(m.get("target", "")),
                 "" if m.get("met") is None else ("met" if m["met"] else "missed")]
                for m in metrics]  # fmt: skip
        return out + [table(["Metric", "Engine", "Value", "Target", ""], rows), ""]
    return out + ["```json", json.dumps(output, indent=2), "```", ""]


def render_profiles(profiles: list[dict[str, Any]]) -> list[str]:
    out = ["## Profiles of the missed targets", "",
           "cProfile of esgui alone, in a fresh process, at the sizes given; own time "
           "(tottime) per function and its share of all profiled own time, then esgui's "
           "functions by cumulative time. The analysis below reads them.", ""]  # fmt: skip
    for p in profiles:
        out += [f"### {p['workload']} on {p['engine']} ({p['size']})", ""]
        if "error" in p:
            out += [f"profile failed: {p['error']}", ""]
            continue
        out += [f"{p['seconds']:.2f} s profiled (cProfile slows pure-Python code ~1.5–2×).", ""]
        out += [table(["Own time", "Share", "Calls", "Function"], [
            [f"{r['tottime']:.3f} s", f"{r['share']:.0%}", f"{r['calls']:,}",
             f"`{r['function']}`"] for r in p["top"]]), ""]  # fmt: skip
        if p.get("esgui"):
            out += [table(["Cumulative", "Share of time", "Calls", "esgui function"], [
                [f"{r['cumtime']:.3f} s", f"{r['share']:.0%}", f"{r['calls']:,}",
                 f"`{r['function']}`"] for r in p["esgui"]]), ""]  # fmt: skip
    return out


# -- profiles of missed targets --------------------------------------------------------------


def run_profiles(r: Runner, missed: list[Target]) -> list[dict[str, Any]]:
    s = PROFILE
    profiles = []
    for target in missed:
        engine, workload = target.engine, target.workload
        r.log(f"[profile] {workload} on {engine}")
        spec: dict[str, Any] = {"impl": "esgui", "profile": True}
        locs = [r.location(engine, f"prof_{workload.lower()}")]
        try:
            if workload == "W1":
                spec |= {"task": "commands", "accounts": s["accounts"],
                         "commands": s["commands"]}  # fmt: skip
                size = f"{s['commands']:,} commands"
            elif workload == "W2":
                spec |= {"task": "bulk", "accounts": s["bulk_accounts"],
                         "events": s["bulk_events"]}  # fmt: skip
                size = f"{s['bulk_events']:,} events"
            elif workload in ("W3a", "W3b"):
                account = r.prepare({"task": "prepare_replay", "impl": "esgui",
                                     "location": locs[0],
                                     "events": s["replay_events"]})["account"]  # fmt: skip
                analyze(locs[0])
                if workload == "W3a":
                    spec |= {"task": "replay_full", "account": account,
                             "events": s["replay_events"]}  # fmt: skip
                    size = f"one {s['replay_events']:,}-event account"
                else:
                    spec |= {"task": "replay_versions", "account": account, "repeat": REPEAT,
                             "versions": replay_versions(s["replay_events"],
                                                         s["replay_versions"])}  # fmt: skip
                    size = f"{s['replay_versions']} versions"
            else:
                r.prepare({"task": "bulk", "impl": "esgui", "location": locs[0],
                           "accounts": s["bulk_accounts"], "events": s["bulk_events"]})  # fmt: skip
                analyze(locs[0])
                spec |= {"task": "read_all" if workload == "W4" else "project",
                         "events": s["bulk_events"]}  # fmt: skip
                size = f"{s['bulk_events']:,} events"
            spec["location"] = locs[0]
            result = r.worker(spec)
            entry = {"workload": workload, "engine": engine, "size": size}
            if "error" in result:
                entry["error"] = result["error"]
            else:
                entry |= {"seconds": result["seconds"], "top": result["profile"],
                          "esgui": result.get("profile_esgui", [])}  # fmt: skip
            profiles.append(entry)
        finally:
            for loc in locs:
                r.drop(loc)
    return profiles


# -- main ------------------------------------------------------------------------------------


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Several --results files as one report: later measurements (by key) and profiles
    (by workload and engine) replace earlier ones; the commands are listed in order."""
    data = dict(parts[0])
    data["results"] = dict(data["results"])
    profiles = {(p["workload"], p["engine"]): p for p in data.get("profiles", [])}
    for part in parts[1:]:
        data["results"].update(part["results"])
        profiles.update({(p["workload"], p["engine"]): p for p in part.get("profiles", [])})
        data["command"] = f"{data['command']}`, then `{part['command']}"
        if part.get("commit") and part.get("commit") != data.get("commit"):
            data["commit"] = f"{data.get('commit', '?')}; then {part['commit']}"
        data["wall_seconds"] += part["wall_seconds"]
        data["load_end"] = part["load_end"]
        if part.get("gui") and "output" in part["gui"]:  # a later GUI run replaces it
            data["gui"] = part["gui"]
    data["profiles"] = list(profiles.values())
    return data


def expand(only: str | None) -> set[str]:
    everything = {"W1", "W2", "W3a", "W3b", "W4", "W5", "W6"}
    if not only:
        return everything
    chosen: set[str] = set()
    for item in only.upper().replace(" ", "").split(","):
        if item == "W3":
            chosen |= {"W3a", "W3b"}
        elif item.replace("W3A", "W3a").replace("W3B", "W3b") in everything:
            chosen.add(item.replace("W3A", "W3a").replace("W3B", "W3b"))
        elif item:
            raise SystemExit(f"unknown workload {item!r}: choose from W1–W6 (W3a, W3b)")
    return chosen


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and 1 run (CI); prints only unless --output",
    )
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3; quick 1)")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--only", help="workloads, e.g. W1,W3 (W3 = W3a,W3b); default all")
    parser.add_argument(
        "--output", help="report file (default docs/performance.md for full runs; none for --quick)"
    )
    parser.add_argument("--results", help="also write the raw results as JSON here")
    parser.add_argument(
        "--report-from", metavar="JSON", help="only re-render the report from a --results file"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SIZE=N",
        help="override a size: " + ", ".join(FULL),
    )
    parser.add_argument(
        "--profile",
        dest="profile",
        action="store_true",
        default=None,
        help="profile esgui where it misses a target (default on full runs)",
    )
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--timeout", type=float, help="seconds per measurement process")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.report_from:
        data = merge([json.loads(Path(f).read_text()) for f in args.report_from.split(",")])
        target = Path(args.output) if args.output else ROOT / "docs" / "performance.md"
        target.write_text(render(data))
        log(f"wrote {target}")
        return 0
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine in engines:
        if engine not in ENGINES:
            raise SystemExit(f"unknown engine {engine!r}: sqlite or postgresql")
    selected = expand(args.only)
    sizes = dict(QUICK if args.quick else FULL)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in sizes:
            raise SystemExit(f"unknown size {key!r}: one of {', '.join(sizes)}")
        sizes[key] = int(value.replace("_", ""))
    runs = args.runs or (1 if args.quick else 3)
    profile = (not args.quick) if args.profile is None else args.profile
    output = args.output or (None if args.quick else str(ROOT / "docs" / "performance.md"))
    timeout = args.timeout or (600 if args.quick else 3600)
    started = datetime.now(UTC)
    load = os.getloadavg()
    clock = time.perf_counter()
    tmpdir = tempfile.mkdtemp(prefix="esgui-bench-", dir=os.environ.get("BENCH_TMPDIR"))
    runner = Runner(sizes, runs, timeout, tmpdir, log)
    log(f"esgui bench: engines {','.join(engines)}, workloads "
        f"{','.join(sorted(selected))}, {runs} run(s); peer saves in batches of "
        f"{PEER_PG_BATCH:,} on PostgreSQL")  # fmt: skip
    gui: dict[str, Any] = {}
    profiles: list[dict[str, Any]] = []
    try:
        for engine in engines:
            run_engine(runner, engine, selected)
        if "W6" in selected:
            gui = run_gui(args.quick, engines, log)
        if profile:
            missed = [t for t in targets(runner.results, engines) if t.met is False]
            profiles = run_profiles(runner, missed)
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        raise
    finally:
        runner.drop_all()
        remove_tree(tmpdir)
    data = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": started.isoformat(), "commit": git_state(),
        "load": load, "load_end": os.getloadavg(),
        "wall_seconds": time.perf_counter() - clock, "runs": runs, "sizes": sizes,
        "engines": engines, "results": runner.results, "gui": gui, "profiles": profiles,
    }  # fmt: skip
    print()
    print(plain_table(RESULT_HEADER, result_rows(runner.results, engines)))
    found = targets(runner.results, engines)
    if found:
        print()
        print(plain_table(["Target", "Engine", "Measured (esgui)", ""], [
            [t.text, t.engine, t.measured, "—" if t.met is None else
             ("met" if t.met else "MISSED")] for t in found]))  # fmt: skip
    if args.results:
        Path(args.results).write_text(json.dumps(data, indent=1))
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(render(data))
        log(f"wrote {output}")
    failed = [key for key, runs_ in runner.results.items() for r in runs_ if "error" in r]
    if failed:
        log("errors in: " + ", ".join(sorted(set(failed))))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
