"""Live latency: from another process's committed append to the accounts view showing it.

A writer process deposits into one account every 300 ms and prints the monotonic clock
right after each commit (CLOCK_MONOTONIC is one clock for every process on the
machine); the GUI process notes when its accounts model shows the new version.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

WRITER = """
import sys, time, esgui
store = esgui.open_store(sys.argv[1])
accounts = esgui.Accounts(store, user="live-bench")
for _ in range(int(sys.argv[2])):
    time.sleep(0.3)
    state = accounts.deposit("LIVE", "1.00")
    print(state.version, time.monotonic(), flush=True)
"""


def measure_live_latency(app: Any, url: str, samples: int,
                         wait: Callable[..., float]) -> list[float]:
    """Milliseconds from commit (in a writer process) to the row in the accounts view."""
    import esgui

    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="live-bench")
        accounts.open("LIVE", owner="Live", initial="0.00")
    window = esgui.create_main_window(url, user="bench", demo="never")
    window.resize(1200, 800)
    window.show()
    model = window.accounts.model

    def version() -> int:
        row = model.summary("LIVE")
        return row.version if row is not None else 0

    wait(app, lambda: version() >= 1)
    seen: dict[int, float] = {}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(samples)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        last = version()
        deadline = time.monotonic() + samples * 0.3 + 60
        while len(seen) < samples and time.monotonic() < deadline:
            app.processEvents()
            current = version()
            if current != last:
                now = time.monotonic()
                for v in range(last + 1, current + 1):
                    seen.setdefault(v, now)
                last = current
            time.sleep(0.001)
        committed = {}
        for line in writer.communicate(timeout=60)[0].splitlines():
            v, at = line.split()
            committed[int(v)] = float(at)
    finally:
        if writer.poll() is None:
            writer.kill()
        window.close()
    return [(seen[v] - committed[v]) * 1000 for v in committed if v in seen]
