"""Soak test: N writer processes hammer one store while the projection follows and
(optionally) a GUI window stays open; then everything is checked.

    python tools/soak.py --db URL [--writers 8] [--seconds 60] [--gui] [--json]

Each writer opens its own account and then, until time is up, deposits and withdraws on
it and deposits into one shared account, counting every command the store confirmed.
Afterwards: every confirmed event is present exactly once (counted per operator),
versions and positions are contiguous, the projection equals a full replay, the hash
chain verifies, and there were no unexpected errors. With --gui a main window is open
the whole time (offscreen) and the longest stall of its event loop is measured with a
10 ms timer. Exit status 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED = "SOAK-SHARED"


def writer(url: str, index: int, seconds: float, start: Any, results: Any) -> None:
    import esgui
    from esgui.errors import ConcurrencyError

    user = f"soak-writer-{index}"
    confirmed = 0
    conflicts = 0
    unexpected: list[str] = []
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user=user, max_retries=100)
        own = f"SOAK-{index:02d}"
        accounts.open(own, owner=user, initial="100.00")
        confirmed += 1
        start.wait()
        deadline = time.monotonic() + seconds
        step = 0
        while time.monotonic() < deadline:
            step += 1
            try:
                if step % 3 == 0:
                    accounts.deposit(SHARED, "0.01")
                elif step % 3 == 1:
                    accounts.deposit(own, "1.00")
                else:
                    accounts.withdraw(own, "1.00")
                confirmed += 1
            except ConcurrencyError:
                conflicts += 1  # refused, nothing appended: allowed, counted
            except Exception as error:  # noqa: BLE001 - every other failure is a finding
                unexpected.append(f"{type(error).__name__}: {error}")
    results.put({"user": user, "confirmed": confirmed, "conflicts": conflicts,
                 "unexpected": unexpected[:5], "unexpected_count": len(unexpected)})


def gui_monitor(url: str, seconds: float, ready: Any, start: Any, results: Any) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    import esgui

    app = QApplication.instance() or QApplication([])
    window = esgui.create_main_window(url)
    window.resize(1400, 900)
    window.show()
    clock = QElapsedTimer()
    gaps: list[float] = []
    state = {"last": 0.0}

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - state["last"])
        state["last"] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    ready.set()
    start.wait()
    clock.start()
    timer.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    timer.stop()
    window.close()
    stalls = sorted(max(0.0, gap - 10.0) for gap in gaps[1:])  # beyond the 10 ms period
    results.put({"gui": True, "ticks": len(gaps),
                 "max_stall_ms": round(stalls[-1], 1) if stalls else None,
                 "p99_stall_ms": round(stalls[int(len(stalls) * 0.99) - 1], 1) if stalls else None})


def check(url: str, reports: list[dict[str, Any]]) -> dict[str, Any]:
    import esgui
    from esgui.app import Replayer
    from esgui.audit.verify import verify_store
    from esgui.projections import AccountProjector

    findings: list[str] = []
    with esgui.open_store(url) as store:
        by_operator: dict[str, int] = {}
        positions = 0
        for event in store.read_all():
            positions += 1
            if event.position != positions:
                findings.append(f"position gap before {event.position}")
                positions = event.position
            by_operator[event.operator] = by_operator.get(event.operator, 0) + 1
        for report in reports:
            stored = by_operator.get(report["user"], 0)
            if stored != report["confirmed"]:
                findings.append(f"{report['user']}: {report['confirmed']} confirmed, "
                                f"{stored} stored")
            if report["unexpected_count"]:
                findings.append(f"{report['user']}: {report['unexpected_count']} unexpected "
                                f"errors, e.g. {report['unexpected'][:1]}")
        replayer = Replayer(store)
        for account_id in store.aggregate_ids():
            versions = [e.version for e in store.read_stream(account_id)]
            if versions != list(range(1, len(versions) + 1)):
                findings.append(f"{account_id}: versions not contiguous")
        projector = AccountProjector(store)
        projector.catch_up()
        for row in projector.summaries():
            state = replayer.state_at(row.account_id, use_snapshots=False)
            if (row.balance, row.version, row.status) != (state.balance, state.version,
                                                           state.status):
                findings.append(f"{row.account_id}: projection differs from replay")
        shared = sum(1 for e in store.read_stream(SHARED)) - 1
        if replayer.state_at(SHARED).balance != Decimal(shared) / 100:
            findings.append("shared balance is not exactly 0.01 × deposits")
        result = verify_store(store)
        if not result.intact:
            findings.append(f"verify: {result.problem_count} problems")
        return {"events": positions, "findings": findings}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--gui", action="store_true", help="keep a main window open")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--max-stall-ms", type=float, default=100.0,
                        help="a longer GUI event-loop stall is a finding (default 100)")
    args = parser.parse_args(argv)

    import esgui
    from esgui.projections import AccountProjector

    with esgui.open_store(args.db) as store:
        esgui.Accounts(store, user="soak-setup").open(SHARED, owner="Shared", initial="0.00")
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    start = ctx.Event()
    processes = [ctx.Process(target=writer, args=(args.db, i, args.seconds, start, results))
                 for i in range(args.writers)]
    if args.gui:
        ready = ctx.Event()
        processes.append(ctx.Process(target=gui_monitor,
                                     args=(args.db, args.seconds, ready, start, results)))
    for process in processes:
        process.start()
    if args.gui and not ready.wait(60):
        print("soak: the GUI did not start", file=sys.stderr)
        return 1
    time.sleep(2)  # writers open their accounts first
    began = time.monotonic()
    start.set()
    follower_rounds = 0
    with esgui.open_store(args.db) as store:
        projector = AccountProjector(store)
        while time.monotonic() - began < args.seconds:
            projector.catch_up()
            follower_rounds += 1
            time.sleep(0.2)
    reports = [results.get(timeout=args.seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    elapsed = time.monotonic() - began
    writers = [r for r in reports if not r.get("gui")]
    gui = next((r for r in reports if r.get("gui")), None)
    summary = check(args.db, writers)
    confirmed = sum(r["confirmed"] for r in writers)
    summary.update({
        "writers": args.writers, "seconds": round(elapsed, 1),
        "confirmed": confirmed, "conflicts": sum(r["conflicts"] for r in writers),
        "events_per_second": round(confirmed / elapsed, 1),
        "follower_rounds": follower_rounds, "gui": gui,
    })  # fmt: skip
    limit = args.max_stall_ms
    if gui is not None and (gui["max_stall_ms"] is None or gui["max_stall_ms"] > limit):
        summary["findings"].append(f"GUI event loop stalled {gui['max_stall_ms']} ms (> {limit:g})")
    if any(p.exitcode != 0 for p in processes):
        summary["findings"].append("a soak process failed")
    print(json.dumps(summary, indent=None if args.json else 2))
    return 0 if not summary["findings"] else 1


if __name__ == "__main__":
    sys.exit(main())
