"""One measurement in a fresh process: ``python -m bench.worker '<json spec>'``.

The spec names a task (commands, bulk, prepare_replay, replay_full, replay_versions,
read_all, project, console, stats, prepare_as_of, as_of, and W7's audit tasks in
`bench.audit_bench`), an implementation (esgui, peer, ceiling), a location and sizes.
Set-up runs untimed; only the work itself is inside the clock. The result is printed
as one line ``BENCH_RESULT {json}`` (seconds, count, rate, peak RSS, and the task's
own fields; with ``"profile": true`` also the top functions by own time).
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import traceback
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bench` and the checkout importable
    # the checkout, not this folder (whose module names must not shadow the stdlib's)
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import audit_bench  # noqa: E402
from bench.timing import Clock  # noqa: E402

MODULES = {"esgui": "bench.impl_esgui", "peer": "bench.impl_peer", "ceiling": "bench.impl_raw"}
MARK = "BENCH_RESULT "


def run(spec: dict[str, Any]) -> dict[str, Any]:
    module = importlib.import_module(MODULES[spec["impl"]])
    task = spec["task"]
    loc = spec["location"]
    clock = Clock(profile=bool(spec.get("profile")))
    if task == "prepare_replay":
        return module.prepare_replay(loc, spec["events"])
    if task == "prepare_as_of":
        return module.prepare_as_of(loc, spec["accounts"], spec["events"])
    if task == "commands":
        extra = {"read": False} if spec.get("no_read") else {}
        result = module.commands(loc, spec["accounts"], spec["commands"], clock, **extra)
    elif task == "bulk":
        extra = {"bare": True} if spec.get("bare") else {}
        result = module.bulk(loc, spec["accounts"], spec["events"], clock, **extra)
    elif task == "replay_full":
        result = module.replay_full(loc, spec["account"], spec["events"], clock)
    elif task == "replay_versions":
        result = module.replay_versions(
            loc, spec["account"], spec["versions"], clock, repeat=spec.get("repeat", 1)
        )
    elif task == "read_all":
        extra = {"wide": True} if spec.get("wide") else {}
        result = module.read_all(loc, spec["events"], clock, **extra)
    elif task == "project":
        result = module.project(loc, spec["events"], clock)
    elif task in ("console", "stats"):  # esgui's own features: no peer, no ceiling
        if not hasattr(module, task):
            return {"skipped": "esgui only"}
        result = getattr(module, task)(loc, spec["events"], clock)
    elif task in audit_bench.TASKS:
        result = audit_bench.run_task(spec, clock)
    elif task == "as_of":
        result = module.as_of(loc, spec["times"], clock, repeat=spec.get("repeat", 1))
    else:
        raise ValueError(f"unknown task {task!r}")
    if result.get("skipped"):
        return result
    result["seconds"] = clock.seconds
    if "count" in result and clock.seconds > 0:
        result["rate"] = result["count"] / clock.seconds
    if clock.profiler is not None:
        result["profile"] = clock.top()
        result["profile_esgui"] = clock.top_cumulative()
    return result


def main() -> int:
    spec = json.loads(sys.argv[1])
    try:
        result = run(spec)
    except Exception as error:  # noqa: BLE001 - reported to the runner
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"}
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    raise SystemExit(main())
