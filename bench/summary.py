"""Statistics over the runs of each measurement: medians, ratios, the result rows the
console and docs/performance.md show, and the targets of issue 6 met or missed.

Results are keyed ``"W1|sqlite|esgui"`` (workload, engine, variant), each a list of
runs as `bench.worker` reported them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from bench.common import IMPLS

WORKLOADS = {
    "W1": "Commands (load + decide + append, 1 event per durable transaction)",
    "W2": "Bulk load",
    "W3a": "Replay of one account, no snapshots",
    "W3b": "State at random versions, snapshots every 100",
    "W4": "Global read in order, decoded, Decimal fold",
    "W5": "Projection catch-up from zero",
    "W6": "GUI (bench/gui_bench.py)",
    "W8": "Query console: each view's first page (docs/query.md)",
    "W9": "Statistics: each view's GROUP BY (docs/query.md)",
    "W10": "The whole store as of a random time (trial balance)",
}


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
         "W3b": "ms per version", "W4": "events/s", "W5": "events/s",
         "W8": "ms per view", "W9": "ms per view",
         "W10": "ms per as-of view"}  # fmt: skip


def result_rows(results: dict[str, list[dict[str, Any]]], engines: list[str]) -> list[list[str]]:
    rows = []
    for workload in ("W1", "W2", "W3a", "W3b", "W4", "W5", "W8", "W9", "W10"):
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
        for workload, what in (("W8", "query console"), ("W9", "statistics")):
            view = v(workload, "esgui")
            if results.get(f"{workload}|{engine}|esgui") is None:
                continue
            ok = view is not None and "max" in view
            found.append(Target(
                f"each {what} view on the bulk store in about a second (max ≤ 1.5 s)", engine,
                f"max {view['max']:.0f} ms, median {view['ms']:.0f} ms" if ok else "error",  # type: ignore[index]
                (view["max"] <= 1500.0) if ok else None, workload))  # type: ignore[index]  # fmt: skip
        as_of = v("W10", "esgui")
        if results.get(f"W10|{engine}|esgui") is not None:
            ok = as_of is not None and "max" in as_of
            found.append(Target(
                "the whole store as of any time well under 1 s (issue 12)", engine,
                f"max {as_of['max']:.1f} ms, median {as_of['ms']:.1f} ms" if ok else "error",  # type: ignore[index]
                (as_of["max"] < 1000.0) if ok else None, "W10"))  # type: ignore[index]  # fmt: skip
    return found
