"""The scale bench (issue 13): a big store built once and reused, and every row of the
issue's two tables measured on it.

    python -m bench --scale                      # 10M events over 2,000 accounts
    python -m bench --scale --events 200000 --quick   # what CI runs (about 2 minutes)

The store is cached under BENCH_SCALE_DIR (default ~/.cache/esgui-bench): SQLite as a
file named after its size, PostgreSQL as a schema ``bench_scale_<events>``; a cached
store whose head is not the size asked for is built again. Building it is the seed
measurement (first and second half, each half a seed of new accounts). Writers run on
a fresh small store of their own, beside the raw driver doing the same durable work (a
transaction that reads the stream's version and inserts one row). Results are printed
and, with --results, written as JSON (`{"scale": {...}}`) that `bench.report` renders
into docs/performance.md ("Scale"). Nothing asserts on timings.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import PG_URL, pg_connect

EVENTS_PER_ACCOUNT = 5_000  # 10M over 2,000 accounts, as in the issue
CACHE = Path(os.environ.get("BENCH_SCALE_DIR", Path.home() / ".cache" / "esgui-bench"))
NO_MATCH = "zz-no-such-text-zz"


def esgui_url(engine: str, name: str) -> str:
    if engine == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE / (name + '.db')}"
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{name}"


def reset(engine: str, name: str) -> None:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (CACHE / f"{name}.db{suffix}").unlink(missing_ok=True)
        return
    with pg_connect(autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# -- the big store -------------------------------------------------------------------------


def build(engine: str, events: int, log: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
    """The cached store of `events` events (built when missing): its URL and, when it
    was built now, the seed rates of its two halves."""
    import esgui
    from esgui.app.seed import seed

    name = f"bench_scale_{events}"
    url = esgui_url(engine, name)
    found: dict[str, Any] = {}
    try:
        with esgui.open_store(url, create=False) as store:
            if store.head()[0] == events:
                log(f"scale {engine}: reusing the cached {events:,}-event store")
                return url, found
    except esgui.StoreError:
        pass
    log(f"scale {engine}: building a {events:,}-event store (cached for the next run)")
    reset(engine, name)
    accounts = max(2, events // EVENTS_PER_ACCOUNT)
    with esgui.open_store(url) as store:
        for half, (count, n_accounts) in enumerate(
            ((events // 2, accounts // 2), (events - events // 2, accounts - accounts // 2))
        ):
            seconds, _ = timed(
                lambda c=count, a=n_accounts, h=half: seed(
                    store, accounts=max(1, a), events=c, seed=h + 1
                )
            )
            found[f"seed_half_{half + 1}"] = {"rate": count / seconds, "unit": "events/s"}
            log(f"  seed half {half + 1}: {count / seconds:,.0f} events/s")
    return url, found


def measure_store(engine: str, url: str, log: Callable[[str], None]) -> dict[str, Any]:
    import esgui
    from esgui.app.queries import EventQuery, fetch_page
    from esgui.audit.verify import verify_store
    from esgui.projections.projector import AccountProjector

    out: dict[str, Any] = {}

    def record(key: str, seconds: float, note: str = "") -> None:
        out[key] = {"seconds": seconds, **({"note": note} if note else {})}
        log(f"  {key}: {seconds:.3f} s {note}")

    with esgui.open_store(url) as store:
        head = store.head()[0]
        middle = next(store.read_all(after=head // 2, limit=1))
        seconds, _ = timed(lambda: list(store.read_all(since=middle.recorded_at, limit=100)))
        record("events_since_limit_100", seconds)
        projector = AccountProjector(store)
        seconds, _ = timed(projector.rebuild)
        record("projections_rebuild", seconds, f"{head:,} events")
        largest = max(projector.summaries(), key=lambda s: s.version)
        account, versions = largest.account_id, largest.version
        seconds, count = timed(lambda: sum(1 for _ in store.read_all(aggregate_id=account)))
        record("events_account", seconds, f"{count:,} events of {account}")
        # a time inside this account's history: its middle version's (the store's own
        # middle may lie before the account was opened, the seed's halves each span the
        # same year)
        half = max(1, versions // 2)
        at = next(iter(store.read_stream(account, from_version=half, to_version=half))).recorded_at
        seconds, _ = timed(lambda: esgui.Accounts(store, user="bench").state(account, at_time=at))
        record("state_at_warm", seconds)
        seconds, result = timed(lambda: verify_store(store))
        record("verify_full", seconds, "intact" if result.intact else "NOT intact")
        seconds, page = timed(
            lambda: fetch_page(store, EventQuery(text=str(middle.aggregate_id)), None, 200)
        )
        record("gui_search_first_match", seconds, f"{len(page.rows)} rows")
        seconds, page = timed(lambda: fetch_page(store, EventQuery(text=NO_MATCH), None, 200))
        record("gui_search_no_match", seconds, f"{len(page.rows)} rows")
    # cold: a fresh process (no caches of esgui's; the OS page cache stays as it is)
    code = (
        "import sys, time, esgui; from datetime import datetime; s=esgui.open_store(sys.argv[1]);"
        "t=time.perf_counter(); esgui.Accounts(s, user='b').state(sys.argv[2], "
        "at_time=datetime.fromisoformat(sys.argv[3])); print(time.perf_counter()-t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, url, account, at.isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    record("state_at_fresh_process", float(done.stdout.strip().splitlines()[-1]))
    out["_account"] = {"id": account, "versions": versions, "head": head}
    return out


# -- writers -------------------------------------------------------------------------------


def _esgui_writer(url: str, account: str, seconds: float, queue: Any, start: Any) -> None:
    import esgui

    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="w")
        start.wait()
        done, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            accounts.deposit(account, "1.00")
            done += 1
    queue.put(done)


def _raw_writer(
    engine: str, where: str, account: str, seconds: float, queue: Any, start: Any
) -> None:
    """The durable limit of the same work: one transaction that reads the stream's
    version and inserts one row (SQLite: BEGIN IMMEDIATE, synchronous FULL)."""
    if engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(where, timeout=60, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        begin = "BEGIN IMMEDIATE"
        mark = "?"
    else:
        conn = pg_connect(where)
        begin = None
        mark = "%s"
    version_sql = f"SELECT max(version) FROM raw_events WHERE aggregate_id = {mark}"
    insert_sql = (
        f"INSERT INTO raw_events (aggregate_id, version, data) VALUES ({mark}, {mark}, {mark})"
    )
    start.wait()
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        if begin:
            conn.execute(begin)
        version = conn.execute(version_sql, (account,)).fetchone()[0] or 0
        try:
            conn.execute(insert_sql, (account, version + 1, '{"amount":"1.00"}'))
            conn.commit() if begin is None else conn.execute("COMMIT")
            done += 1
        except Exception:  # noqa: BLE001 - a lost race on the hot account: try again
            conn.rollback() if begin is None else conn.execute("ROLLBACK")
    queue.put(done)


def _run(target: Callable[..., None], args: list[tuple[Any, ...]], seconds: float) -> float:
    ctx = mp.get_context("spawn")
    queue, start = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=target, args=(*a, seconds, queue, start)) for a in args]
    for proc in procs:
        proc.start()
    time.sleep(1.5)  # let them connect
    start.set()
    total = sum(queue.get(timeout=seconds + 120) for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


def measure_writers(engine: str, seconds: float, log: Callable[[str], None]) -> dict[str, Any]:
    import esgui

    out: dict[str, Any] = {}
    name, raw_name = "bench_scale_writers", "bench_scale_raw"
    for writers, hot in ((1, False), (4, False), (8, False), (8, True)):
        reset(engine, name)
        reset(engine, raw_name)
        url = esgui_url(engine, name)
        ids = [f"W{uuid.uuid4().hex[:8]}" for _ in range(writers)]
        with esgui.open_store(url) as store:
            for account in ids:
                esgui.Accounts(store, user="w").open(account, owner="W", initial="1.00")
        targets = [ids[0] if hot else ids[i] for i in range(writers)]
        rate = _run(_esgui_writer, [(url, a) for a in targets], seconds)
        if engine == "sqlite":
            import sqlite3

            where = str(CACHE / f"{raw_name}.db")
            with sqlite3.connect(where) as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute(
                    "CREATE TABLE raw_events (position INTEGER PRIMARY KEY, "
                    "aggregate_id TEXT, version INTEGER, data TEXT, "
                    "UNIQUE (aggregate_id, version))"
                )
        else:
            where = raw_name
            with pg_connect(raw_name, autocommit=True) as conn:
                conn.execute(
                    "CREATE TABLE raw_events (position bigserial PRIMARY KEY, "
                    "aggregate_id text, version integer, data jsonb, "
                    "UNIQUE (aggregate_id, version))"
                )
        raw = _run(_raw_writer, [(engine, where, a) for a in targets], seconds)
        key = f"writers_{writers}{'_hot' if hot else ''}"
        out[key] = {"rate": rate, "raw": raw, "unit": "events/s"}
        log(f"  {key}: esgui {rate:,.0f}/s, raw driver {raw:,.0f}/s")
    reset(engine, name)
    reset(engine, raw_name)
    if engine == "postgresql":
        with pg_connect(autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            conn.execute(f'DROP SCHEMA IF EXISTS "{raw_name}" CASCADE')
    return out


# -- the command line ----------------------------------------------------------------------


def main(
    events: int, engines: list[str], quick: bool, results: str | None, output: str | None
) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    data: dict[str, Any] = {
        "events": events,
        "quick": quick,
        "started": started.isoformat(),
        "load": os.getloadavg(),
        "engines": {},
    }
    for engine in engines:
        log(f"scale {engine}:")
        url, seeded = build(engine, events, log)
        measured = {**seeded, **measure_store(engine, url, log)}
        measured.update(measure_writers(engine, 1.5 if quick else 20.0, log))
        data["engines"][engine] = measured
    data["load_end"] = os.getloadavg()
    from bench.report import render_scale

    text = "\n".join(render_scale(data))
    print(text)
    if results:
        Path(results).write_text(json.dumps({"scale": data}, indent=1))
    if output:
        Path(output).write_text("# Performance at scale\n\n" + text + "\n")
    return 0
