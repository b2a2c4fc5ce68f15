"""The timed region of a measurement, optionally under a profiler."""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Clock:
    """`with clock.region(): …` times the work inside (summed over regions); with
    `profile=True` the same regions run under cProfile."""

    def __init__(self, profile: bool = False) -> None:
        self.seconds = 0.0
        self.build_seconds = 0.0  # work done outside the timed regions, reported apart
        self.profiler = cProfile.Profile() if profile else None

    @contextmanager
    def region(self) -> Iterator[None]:
        if self.profiler is not None:
            self.profiler.enable()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start
            if self.profiler is not None:
                self.profiler.disable()

    def top(self, limit: int = 15) -> list[dict[str, Any]]:
        """The functions with the most own time (tottime), with their share of the
        profiled time, and cumulative time."""
        if self.profiler is None:
            return []
        stats = pstats.Stats(self.profiler, stream=io.StringIO())
        total = sum(entry[2] for entry in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
        rows = []
        for (path, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            rows.append({
                "function": f"{_short(path)}:{line}({name})",
                "calls": nc,
                "tottime": round(tt, 4),
                "share": round(tt / total, 4),
                "cumtime": round(ct, 4),
            })  # fmt: skip
        rows.sort(key=lambda r: r["tottime"], reverse=True)
        return rows[:limit]

    def top_cumulative(self, prefix: str = "esgui", limit: int = 12) -> list[dict[str, Any]]:
        """The `prefix` functions with the most cumulative time: where the own time of
        the lower layers (driver, SQLAlchemy, json) is spent from."""
        if self.profiler is None:
            return []
        stats = pstats.Stats(self.profiler, stream=io.StringIO())
        total = self.seconds or 1.0
        rows = []
        for (path, line, name), (_cc, nc, _tt, ct, _c) in stats.stats.items():  # type: ignore[attr-defined]
            short = _short(path)
            if short.startswith(prefix):
                rows.append({"function": f"{short}:{line}({name})", "calls": nc,
                             "cumtime": round(ct, 4), "share": round(ct / total, 4)})  # fmt: skip
        rows.sort(key=lambda r: r["cumtime"], reverse=True)
        return rows[:limit]


def _short(path: str) -> str:
    for marker in ("site-packages/", "/wt-bench/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return path
