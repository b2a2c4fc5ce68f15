"""Profile esgui alone on chosen workloads (cProfile, own time first):

    python -m bench.profiling W4 --engine postgresql
    python -m bench.profiling W1,W3a --engine sqlite --set commands=1000

Same workers and moderate sizes as the runner's profiles of missed targets
(bench.run.PROFILE); prints the tables that `python -m bench` puts in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    # the checkout, not this folder (whose module names must not shadow the stdlib's)
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import run as bench_run  # noqa: E402
from bench.common import remove_tree  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling")
    parser.add_argument("workloads", help="e.g. W1,W3a,W4")
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--set", action="append", default=[], metavar="SIZE=N")
    parser.add_argument("--limit", type=int, default=15)
    args = parser.parse_args(argv)
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in bench_run.PROFILE:
            raise SystemExit(f"unknown size {key!r}")
        bench_run.PROFILE[key] = int(value.replace("_", ""))
    workloads = sorted(bench_run.expand(args.workloads) - {"W6"})
    tmpdir = tempfile.mkdtemp(prefix="esgui-bench-", dir=os.environ.get("BENCH_TMPDIR"))
    runner = bench_run.Runner(
        bench_run.PROFILE, 1, 3600, tmpdir, lambda m: print(m, file=sys.stderr)
    )
    try:
        wanted = [bench_run.Target("", args.engine, "", False, w) for w in workloads]
        profiles = bench_run.run_profiles(runner, wanted)
    finally:
        runner.drop_all()
        remove_tree(tmpdir)
    for profile in profiles:
        profile["top"] = profile.get("top", [])[: args.limit]
    print("\n".join(bench_run.render_profiles(profiles)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
