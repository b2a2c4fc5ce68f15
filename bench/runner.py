"""Running the workloads: each measurement in a fresh `bench.worker` process over a
store location of its own (dropped afterwards), the GUI bench, and profiles of
missed targets."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.audit_bench import run_audit
from bench.common import IMPLS, analyze, drop_location, new_location, replay_versions
from bench.environment import ROOT
from bench.summary import Target
from bench.worker import MARK

GUI_BENCH = ROOT / "bench" / "gui_bench.py"

FULL = {
    "accounts": 100, "commands": 5_000,
    "bulk_accounts": 100, "bulk_events": 1_000_000,
    "replay_events": 100_000, "replay_versions": 100,
    "asof_accounts": 200, "asof_events": 1_000_000, "asof_times": 20,
}  # fmt: skip

QUICK = {
    "accounts": 20, "commands": 300,
    "bulk_accounts": 20, "bulk_events": 20_000,
    "replay_events": 5_000, "replay_versions": 20,
    "asof_accounts": 200, "asof_events": 20_000, "asof_times": 5,
}  # fmt: skip

# Moderate sizes for the profiles of missed targets.
PROFILE = {
    "accounts": 100, "commands": 1_500,
    "bulk_accounts": 100, "bulk_events": 200_000,
    "replay_events": 100_000, "replay_versions": 100,
    "asof_accounts": 200, "asof_events": 200_000, "asof_times": 10,
}  # fmt: skip

REPEAT = 3  # W3b: each version asked 3 times, its best time kept


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
    if selected & {"W2", "W4", "W5", "W8", "W9"}:
        bulk_runs = r.runs if "W2" in selected else 1
        setup = "" if "W2" in selected else " (set-up)"
        r.log(f"[{engine}] W2 bulk load: {s['bulk_events']:,} events over "
              f"{s['bulk_accounts']} accounts{setup}")  # fmt: skip
        datasets: dict[str, dict[str, Any]] = {}
        if "W2" in selected:
            variants = [*IMPLS, "ceiling-bare"]
        else:  # W8 and W9 measure esgui's own features: only its store is needed
            variants = list(IMPLS) if selected & {"W4", "W5"} else ["esgui"]
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
        for workload, task in (("W8", "console"), ("W9", "stats")):
            if workload not in selected or "esgui" not in datasets:
                continue
            r.log(f"[{engine}] {workload} {task}: {s['bulk_events']:,} events")
            for _ in range(r.runs):
                r.measure(f"{workload}|{engine}|esgui", {"task": task, "impl": "esgui",
                          "location": datasets["esgui"], "events": s["bulk_events"]})  # fmt: skip
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
    if "W7" in selected:
        run_audit(r, engine)
    if "W10" in selected:
        run_as_of(r, engine)


def run_as_of(r: Runner, engine: str) -> None:
    """W10: the whole store as of random times (esgui only: neither the peer nor the
    raw driver has a trial balance to compare with)."""
    s = r.sizes
    r.log(f"[{engine}] W10 as of: {s['asof_events']:,} events over {s['asof_accounts']} "
          f"accounts, {s['asof_times']} random times")  # fmt: skip
    loc = r.location(engine, "w10_esgui")
    span = r.prepare({"task": "prepare_as_of", "impl": "esgui", "location": loc,
                      "accounts": s["asof_accounts"], "events": s["asof_events"]})  # fmt: skip
    analyze(loc)
    rng = random.Random(10)
    times = sorted(rng.uniform(span["first"], span["last"]) for _ in range(s["asof_times"]))
    for _ in range(r.runs):
        r.measure(f"W10|{engine}|esgui", {"task": "as_of", "impl": "esgui", "location": loc,
                                         "times": times, "repeat": REPEAT})  # fmt: skip
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
            elif workload == "W10":
                span = r.prepare({"task": "prepare_as_of", "impl": "esgui",
                                  "location": locs[0], "accounts": s["asof_accounts"],
                                  "events": s["asof_events"]})  # fmt: skip
                analyze(locs[0])
                rng = random.Random(10)
                spec |= {"task": "as_of", "repeat": 1,
                         "times": sorted(rng.uniform(span["first"], span["last"])
                                         for _ in range(s["asof_times"]))}  # fmt: skip
                size = f"{s['asof_events']:,} events, {s['asof_accounts']} accounts"
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
