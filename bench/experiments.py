"""Prototypes of the fixes suggested in docs/performance.md, measured against esgui as
it is — without changing esgui: each variant runs in a fresh process and changes
esgui's behaviour only there (a different call sequence through its public pieces, an
environment variable, or a patched module attribute).

    python -m bench.experiments                    # every experiment, both engines
    python -m bench.experiments W1 --engine sqlite --runs 3

Not part of the runner; numbers go to the analysis by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import (  # noqa: E402
    OPENING,
    OWNERS,
    account_names,
    command_plan,
    drop_location,
    esgui_url,
    fold_amount,
    new_location,
    remove_tree,
)

ROOT = Path(__file__).resolve().parent.parent


def _no_pre_ping() -> None:
    """esgui's PostgreSQL engine without pool_pre_ping (one round trip per checkout)."""
    import sqlalchemy

    from esgui.store import engine as engine_module

    original = sqlalchemy.create_engine

    def create(url: Any, **kwargs: Any) -> Any:
        kwargs["pool_pre_ping"] = False
        return original(url, **kwargs)

    engine_module.create_engine = create  # type: ignore[attr-defined]


def _fast_json() -> None:
    """canonical_json through one prebuilt C encoder instead of JSONEncoder.encode,
    which builds a new c_make_encoder for every call."""
    import json.encoder as enc

    from esgui.store import hashing, snapshots, validation

    make = enc.c_make_encoder  # type: ignore[attr-defined]
    assert make is not None
    encoder = make(None, hashing._CANONICAL.default, enc.encode_basestring, None, ":", ",",
                   True, False, True)  # fmt: skip

    def canonical_json(value: Any) -> str:
        return "".join(encoder(value, 0))

    assert canonical_json({"b": "é", "a": [1, "x"]}) == hashing.canonical_json(
        {"b": "é", "a": [1, "x"]}
    )
    hashing.canonical_json = canonical_json
    # the modules that serialise events and snapshots for an append
    validation.canonical_json = canonical_json  # type: ignore[attr-defined]
    snapshots.canonical_json = canonical_json  # type: ignore[attr-defined]


# -- the variants --------------------------------------------------------------------------


def commands(loc: dict[str, Any], variant: str, accounts: int, count: int) -> float:
    """W1 through Accounts (as is), or deciding on the cached state and appending with
    its version straight away (no snapshot query, no stream read; a stale cache would
    raise ConcurrencyError, and Accounts' retry loop would reload)."""
    import esgui
    from esgui.domain.account import BankAccount
    from esgui.domain.codec import apply_recorded

    if "noping" in variant:
        _no_pre_ping()
    store = esgui.open_store(esgui_url(loc))
    bank = esgui.Accounts(store, user="bench")
    names = account_names(accounts)
    states = {name: bank.open(name, owner=OWNERS[i % len(OWNERS)], initial=OPENING)
              for i, name in enumerate(names)}  # fmt: skip
    plan = [(names[i], kind, amount) for i, kind, amount in command_plan(accounts, count)]
    start = time.perf_counter()
    if variant.startswith("as-is"):
        for name, kind, amount in plan:
            getattr(bank, kind)(name, amount)
    else:
        for name, kind, amount in plan:
            base = BankAccount.from_state(states[name])
            account = base.clone()
            getattr(account, kind)(amount)
            command_id = str(uuid.uuid4())
            events = bank._new_events(kind, command_id, account)
            recorded = store.append(name, base.version, events)
            for event in recorded:
                apply_recorded(base, event)
            states[name] = base.state()
    seconds = time.perf_counter() - start
    store.close()
    return count / seconds


def read(loc: dict[str, Any], variant: str, events: int) -> float:
    """W4 as is, or with PGTZ=UTC (psycopg then returns datetime.UTC, esgui's fast
    path), without pre-ping, with bigger pages."""
    import esgui

    if "noping" in variant:
        _no_pre_ping()
    store = esgui.open_store(esgui_url(loc))
    page = 5000 if "page5000" in variant else 1000
    total, count = Decimal(0), 0
    start = time.perf_counter()
    for event in store.read_all(page_size=page):
        total = fold_amount(total, event.event_type, event.data)
        count += 1
    seconds = time.perf_counter() - start
    store.close()
    assert count == events
    return count / seconds


def versions(loc: dict[str, Any], variant: str, account: str, asked: list[int]) -> float:
    """W3b: median ms per version, as is or without pre-ping."""
    from esgui.app.replay import Replayer
    from esgui.store import open_store

    if "noping" in variant:
        _no_pre_ping()
    store = open_store(esgui_url(loc))
    replayer = Replayer(store)
    replayer.state_at(account, version=1)
    times = []
    for version in asked:
        started = time.perf_counter()
        replayer.state_at(account, version=version)
        times.append(time.perf_counter() - started)
    store.close()
    return statistics.median(times) * 1000


def seed(loc: dict[str, Any], variant: str, events: int) -> float:
    """W2: seed as is, or with canonical_json through a prebuilt C encoder."""
    import esgui
    from esgui.app.seed import seed as run_seed

    if "fastjson" in variant:
        _fast_json()
    store = esgui.open_store(esgui_url(loc))
    start = time.perf_counter()
    run_seed(store, accounts=100, events=events)
    seconds = time.perf_counter() - start
    store.close()
    return events / seconds


# -- driver --------------------------------------------------------------------------------

EXPERIMENTS = {
    "W1": ["as-is", "cache-first"],
    "W1pg": ["as-is", "cache-first", "cache-first+noping"],
    "W2": ["as-is", "fastjson"],
    "W3b": ["as-is", "noping"],
    "W4": ["as-is", "pgtz-utc", "noping", "pgtz-utc+noping+page5000"],
}


def child(spec: dict[str, Any]) -> float:
    name, variant, loc = spec["experiment"], spec["variant"], spec["location"]
    if name.startswith("W1"):
        return commands(loc, variant, spec["accounts"], spec["commands"])
    if name == "W2":
        return seed(loc, variant, spec["events"])
    if name == "W3b":
        return versions(loc, variant, spec["account"], spec["versions"])
    return read(loc, variant, spec["events"])


def run_child(spec: dict[str, Any]) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if "pgtz-utc" in spec["variant"]:
        env["PGTZ"] = "UTC"
    done = subprocess.run([sys.executable, "-m", "bench.experiments", "--child",
                           json.dumps(spec)], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.experiments")
    parser.add_argument("names", nargs="?", default="W1,W2,W3b,W4")
    parser.add_argument("--engine", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    args = parser.parse_args(argv)
    if args.child:
        print(child(json.loads(args.child)))
        return 0
    from bench import impl_esgui

    tmpdir = tempfile.mkdtemp(prefix="esgui-bench-", dir=os.environ.get("BENCH_TMPDIR"))
    made: list[dict[str, Any]] = []
    try:
        for engine in args.engine.split(","):
            for name in args.names.split(","):
                key = "W1pg" if name == "W1" and engine == "postgresql" else name
                if name == "W4" and engine == "sqlite":
                    continue  # the W4 variants are PostgreSQL settings
                spec: dict[str, Any] = {"experiment": key}
                shared = None
                if name == "W4":
                    shared = new_location(engine, tmpdir, "exp")
                    made.append(shared)
                    impl_esgui.bulk(shared, 100, 200_000, impl_esgui.Clock())
                    spec["events"] = 200_000
                elif name == "W3b":
                    shared = new_location(engine, tmpdir, "exp")
                    made.append(shared)
                    spec["account"] = impl_esgui.prepare_replay(shared, 100_000)["account"]
                    from bench.common import replay_versions

                    spec["versions"] = replay_versions(100_000, 100)
                elif name == "W2":
                    spec["events"] = 200_000
                else:
                    spec |= {"accounts": 100, "commands": 2000}
                results: dict[str, list[float]] = {v: [] for v in EXPERIMENTS[key]}
                for _ in range(args.runs):
                    for variant in EXPERIMENTS[key]:
                        loc = shared or new_location(engine, tmpdir, "exp")
                        try:
                            results[variant].append(
                                run_child(spec | {"variant": variant, "location": loc})
                            )
                        finally:
                            if shared is None:
                                drop_location(loc)
                unit = "ms/version (median)" if name == "W3b" else "per s"
                for variant, values in results.items():
                    print(f"{engine:10s} {name:4s} {variant:28s} "
                          f"{statistics.median(values):10,.3f} {unit}  runs "
                          f"{', '.join(f'{v:,.3f}' for v in values)}", flush=True)  # fmt: skip
                if shared is not None:
                    drop_location(shared)
                    made.remove(shared)
    finally:
        for loc in made:
            drop_location(loc)
        remove_tree(tmpdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
