"""The benchmark runner: esgui beside the peer library (eventsourcing 9.5) and the raw
driver ceiling (sqlite3 / psycopg), on SQLite and PostgreSQL.

    python -m bench                      # full sizes, 3 runs, writes docs/performance.md
    python -m bench --quick              # small sizes, 1 run, prints only (what CI runs)
    python -m bench --runs 5 --engines sqlite --only W1,W3
    python -m bench --quick --output /tmp/perf.md
    python -m bench --scale [--events N] [--quick]   # issue 13's rows (bench/scale.py)

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

The parts: `bench.runner` (workers, workloads, GUI bench, profiles), `bench.summary`
(medians, ratios, targets), `bench.report` (docs/performance.md and the console
tables), `bench.environment` (git state, machine); this module is the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/run.py`
    # the checkout, not this folder (whose module names must not shadow the stdlib's)
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import audit_bench  # noqa: E402
from bench.common import ENGINES, PEER_PG_BATCH, remove_tree  # noqa: E402
from bench.environment import ROOT, git_state  # noqa: E402
from bench.report import RESULT_HEADER, merge, plain_table, render, render_profiles  # noqa: E402
from bench.runner import (  # noqa: E402
    FULL,
    PROFILE,
    QUICK,
    Runner,
    run_engine,
    run_gui,
    run_profiles,
)
from bench.summary import Target, result_rows, targets  # noqa: E402

# bench.profiling drives the runner through this module.
__all__ = ["PROFILE", "Runner", "Target", "expand", "main", "render_profiles", "run_profiles"]


# -- the command line ------------------------------------------------------------------------


def expand(only: str | None) -> set[str]:
    """`--only W1,W3` as workload names (W3: W3a and W3b); all of them by default."""
    everything = {"W1", "W2", "W3a", "W3b", "W4", "W5", "W6", "W7", "W8", "W9", "W10"}
    if not only:
        return everything
    chosen: set[str] = set()
    for item in only.upper().replace(" ", "").split(","):
        if item == "W3":
            chosen |= {"W3a", "W3b"}
        elif item.replace("W3A", "W3a").replace("W3B", "W3b") in everything:
            chosen.add(item.replace("W3A", "W3a").replace("W3B", "W3b"))
        elif item:
            raise SystemExit(f"unknown workload {item!r}: choose from W1–W10 (W3a, W3b)")
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
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the scale bench (bench/scale.py): a big cached store and issue 13's rows",
    )
    parser.add_argument(
        "--events", type=int, default=10_000_000, help="--scale: events in the big store"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen workloads (or re-render a report), print the tables, write the
    report and the raw results; 1 when a measurement failed."""
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if args.scale:
        from bench.scale import main as scale_main

        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        if args.events < 1000:
            raise SystemExit("--events: at least 1000")
        return scale_main(args.events, engines, args.quick, args.results, args.output)
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
    audit = audit_bench.rows(runner.results, engines)
    if audit:
        print()
        print(plain_table(audit_bench.HEADER, audit))
        print(plain_table(["Target", "Engine", "Measured (esgui)", ""],
                          audit_bench.targets(runner.results, engines)))  # fmt: skip
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
