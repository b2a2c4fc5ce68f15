"""GUI benchmark: open a 1,000,000-event SQLite store in the explorer (offscreen) and
measure time to first paint, time until data shows, peak memory, the End key in the
whole-store log (the key press, and until the last row shows its event), and the time
per timeline step on an account with 100,000 events.

    python bench/gui_bench.py [--store bench/results/gui-bench.db] [--steps 200] [--json]

Then, for each engine in BENCH_ENGINES (default "sqlite,postgresql"), the live latency
from another process's append to the accounts view (bench/gui_live.py). With --json the
last line printed is {"metrics": [...]} for `python -m bench`; BENCH_QUICK=1 uses a
small store and fewer samples (what CI runs).

The store is built once with the command line (`esgui seed`, in a child process so
seeding does not count towards this process's memory) and reused afterwards:
1,000,000 events over 100 accounts, then one account with 100,000 events.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

QUICK = os.environ.get("BENCH_QUICK") == "1"
BIG_EVENTS, BIG_ACCOUNTS, LONG_EVENTS = (20_000, 20, 5_000) if QUICK else (1_000_000, 100,
                                                                           100_000)
ENGINES = [e for e in os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",") if e]
PG_URL = os.environ.get("ESGUI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def build_store(path: Path) -> str:
    url = f"sqlite:///{path.resolve()}"
    import esgui

    if path.exists():
        with esgui.open_store(url) as store:  # (upgrades a store left by an older esgui)
            if store.head()[0] >= BIG_EVENTS + LONG_EVENTS:
                return url
        raise SystemExit(f"{path} exists but is not a complete bench store; remove it")
    path.parent.mkdir(parents=True, exist_ok=True)
    for accounts, events, seed in ((BIG_ACCOUNTS, BIG_EVENTS, 1), (1, LONG_EVENTS, 2)):
        print(f"seeding {events:,} events over {accounts} account(s)…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "esgui", "--db", url, "seed", "--accounts",
                        str(accounts), "--events", str(events), "--seed", str(seed)],
                       check=True, cwd=REPO)  # fmt: skip
    return url


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def wait(app, done: Callable[[], bool], timeout: float = 120) -> float:
    start = time.perf_counter()
    while not done():
        app.processEvents()
        if time.perf_counter() - start > timeout:
            raise TimeoutError("timed out")
        time.sleep(0.001)
    return time.perf_counter() - start


def summary(samples: list[float]) -> tuple[float, float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.mean(samples), statistics.median(samples), p95, max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=str(REPO / "bench/results/gui-bench.db"))
    parser.add_argument("--steps", type=int, default=50 if QUICK else 200)
    parser.add_argument("--json", action="store_true", help="end with a JSON line of metrics")
    args = parser.parse_args()
    if QUICK and args.store == parser.get_default("store"):
        args.store = str(REPO / "bench/results/gui-bench-quick.db")
    url = build_store(Path(args.store))

    from PySide6.QtCore import QEvent, QObject, QSettings
    from PySide6.QtWidgets import QApplication

    import esgui

    with esgui.open_store(url, read_only=True) as store:
        long_account = max(store.aggregate_ids(), key=lambda a: (store.current_version(a), a))
        long_versions = store.current_version(long_account)
        head = store.head()[0]

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(Path(args.store).with_suffix(".ini")), QSettings.Format.IniFormat)
    settings.clear()

    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    rss_before = peak_rss_mb()
    start = time.perf_counter()
    window = esgui.create_main_window(url, user="bench", settings=settings, demo="never")
    window.resize(1400, 900)
    watch = PaintWatch()
    window.installEventFilter(watch)
    window.show()
    wait(app, lambda: bool(painted))
    first_paint = painted[0] - start
    log = window.log.model
    wait(app, lambda: window.accounts.model.rowCount() > 0 and log.rowCount() > 0)
    data_shown = time.perf_counter() - start

    # End in the whole-store log: its scroll bar spans the whole result, so End jumps to
    # the last row at once and that row's event is fetched on demand. Measured: the key
    # press on the GUI thread, and the time until the last row shows its event (not the
    # "…" of a row not fetched yet), selected and on screen. Home between the samples
    # brings the view back to the top, so every End crosses the whole log.
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from esgui.ui.log.columns import LogColumn

    view = window.log.view
    view.setFocus()
    end_press: list[float] = []
    end_shown: list[float] = []

    def shown(row: int) -> bool:
        index = log.index(row, LogColumn.TYPE)
        current = view.currentIndex()
        return (index.data() not in (None, "", "…") and current.row() == row
                and view.visualRect(index).intersects(view.viewport().rect()))  # fmt: skip

    for _ in range(10 if QUICK else 20):
        QTest.keyClick(view, Qt.Key.Key_Home)
        wait(app, lambda: shown(0))
        last = log.rowCount() - 1
        t0 = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_End)
        end_press.append(time.perf_counter() - t0)
        wait(app, lambda r=last: shown(r))
        end_shown.append(time.perf_counter() - t0)
    log_rows = log.rowCount()
    held_rows = log.held_count()

    # the 100,000-event account: history load, then slider steps
    t0 = time.perf_counter()
    window.accounts.select(long_account)
    wait(app, lambda: window.timeline.series is not None
         and window.timeline.account_id == long_account)  # fmt: skip
    history_load = time.perf_counter() - t0
    slider = window.timeline.slider
    slider.setValue(long_versions - 1000)
    wait(app, lambda: window.log.current_row() is not None
         and window.log.current_row().version == slider.value())  # fmt: skip
    steps: list[float] = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        slider.setValue(slider.value() - 1)
        app.processEvents()
        steps.append((time.perf_counter() - t0) * 1000)
    rng = random.Random(1)
    jumps: list[float] = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        slider.setValue(rng.randint(long_versions - 5000, long_versions))
        app.processEvents()
        jumps.append((time.perf_counter() - t0) * 1000)
    far: list[float] = []
    for _ in range(20):
        t0 = time.perf_counter()
        slider.setValue(rng.randint(0, long_versions))
        app.processEvents()
        far.append((time.perf_counter() - t0) * 1000)
    rss_peak = peak_rss_mb()
    window.close()
    live = {engine: live_latency(app, engine) for engine in ENGINES}

    mean, median, p95, worst = summary(steps)
    jmean, jmedian, jp95, jworst = summary(jumps)
    fmean, fmedian, fp95, fworst = summary(far)
    kmean, _kmedian, kp95, _kworst = summary([s * 1000 for s in end_press])
    emean, _emedian, ep95, eworst = summary([s * 1000 for s in end_shown])
    print(
        f"Store: {head:,} events, {BIG_ACCOUNTS + 1} accounts; long account {long_account} "
        f"with {long_versions:,} versions (SQLite, offscreen, {os.cpu_count()} cores)\n"
    )
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| time to first paint | {first_paint * 1000:.0f} ms | < 1 s |")
    print(f"| time until accounts and log show data | {data_shown * 1000:.0f} ms | |")
    print(f"| peak RSS (whole run) | {rss_peak:.0f} MB (at start {rss_before:.0f} MB) "
          "| < 300 MB |")  # fmt: skip
    print(f"| log End key, GUI-thread time of the key press ({log_rows:,} rows; "
          f"{held_rows:,} held) | mean {kmean:.1f} ms, p95 {kp95:.1f} ms | < 16 ms |")
    print(f"| log End key → the last row shown with its event ({len(end_shown)}) | mean "
          f"{emean:.0f} ms, p95 {ep95:.0f} ms, max {eworst:.0f} ms | < 1 s |")
    print(f"| load {long_versions:,}-event history (off the GUI thread) | {history_load:.2f} s | |")
    print(f"| slider step −1 ({args.steps} steps) | mean {mean:.2f} ms, median {median:.2f} "
          f"ms, p95 {p95:.2f} ms, max {worst:.2f} ms | < 16 ms |")
    print(f"| slider jump within the newest 5,000 versions ({args.steps}) | mean {jmean:.2f} "
          f"ms, median {jmedian:.2f} ms, p95 {jp95:.2f} ms, max {jworst:.2f} ms | < 16 ms |")
    print(f"| slider jump anywhere (20) | mean {fmean:.2f} ms, median {fmedian:.2f} ms, "
          f"p95 {fp95:.2f} ms, max {fworst:.2f} ms | < 16 ms |")
    targets = {"sqlite": 1000.0, "postgresql": 200.0}
    for engine, samples in live.items():
        if isinstance(samples, str):
            print(f"| live latency, {engine} | not measured: {samples} | |")
            continue
        lmean, lmedian, lp95, lworst = summary(samples)
        print(f"| live latency, another process's append → accounts view, {engine} "
              f"({len(samples)}) | mean {lmean:.0f} ms, median {lmedian:.0f} ms, p95 "
              f"{lp95:.0f} ms, max {lworst:.0f} ms | < {targets[engine]:.0f} ms |")
    if args.json:
        metrics = [
            metric("time to first paint", "sqlite", first_paint * 1000, "ms", "< 1000 ms",
                   first_paint < 1),
            metric("peak RSS", "sqlite", rss_peak, "MB", "< 300 MB", rss_peak < 300),
            metric("slider step (p95)", "sqlite", p95, "ms", "< 16 ms", p95 < 16),
            metric("log End key press (p95)", "sqlite", kp95, "ms", "< 16 ms", kp95 < 16),
            metric("log End key → last row shown (p95)", "sqlite", ep95, "ms", "< 1000 ms",
                   ep95 < 1000),
            metric("slider jump anywhere (p95)", "sqlite", fp95, "ms", "< 16 ms", fp95 < 16),
        ]
        for engine, samples in live.items():
            if not isinstance(samples, str):
                p95_live = summary(samples)[2]
                metrics.append(metric("live latency (p95)", engine, p95_live, "ms",
                                      f"< {targets[engine]:.0f} ms",
                                      p95_live < targets[engine]))  # fmt: skip
        print(json.dumps({"metrics": metrics, "events": head, "quick": QUICK}))
    return 0


def metric(name: str, engine: str, value: float, unit: str, target: str,
           met: bool) -> dict[str, Any]:
    return {"name": name, "engine": engine, "value": round(value, 2), "unit": unit,
            "target": target, "met": met}


def live_latency(app: Any, engine: str) -> list[float] | str:
    """Live latency on a small fresh store of the engine (a temp file or schema)."""
    import tempfile
    import uuid

    from gui_live import measure_live_latency

    samples = 8 if QUICK else 30
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            return measure_live_latency(app, f"sqlite:///{folder}/live.db", samples, wait)
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(PG_URL)
        admin = psycopg.connect(host=parsed.host, port=parsed.port or 5432,
                                user=parsed.username, dbname=parsed.database,
                                autocommit=True)  # fmt: skip
    except Exception as error:  # noqa: BLE001 - no server: say so in the table
        return f"PostgreSQL unavailable ({type(error).__name__})"
    schema = f"bench_live_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
            return measure_live_latency(app, url, samples, wait)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    sys.exit(main())
