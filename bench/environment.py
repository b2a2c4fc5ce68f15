"""Where and on what the benchmarks ran: the checkout, its git state and the machine
(CPU, memory, Python, SQLite, PostgreSQL settings, library versions)."""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
import subprocess
from datetime import datetime
from importlib.metadata import version as package_version
from pathlib import Path

from bench.common import pg_connect

#: The checkout: bench/ and esgui/ are below it.
ROOT = Path(__file__).resolve().parent.parent


def git_state() -> str:
    """HEAD, and the last commit that touched esgui/ (the code measured)."""

    def git(*args: str) -> str:
        with contextlib.suppress(OSError):
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
            return done.stdout.strip()
        return ""

    head = git("rev-parse", "--short", "HEAD") or "?"
    esgui = git("log", "-1", "--format=%h", "--", "esgui") or "?"
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--", "esgui",
                                                  "bench") else ""  # fmt: skip
    return f"bench at {head}{dirty}; esgui/ as of commit {esgui}"


def machine_info(started: datetime, load: tuple[float, ...], commit: str) -> list[str]:
    """The report's bullet list on the run: date, code, machine, versions."""

    def version(name: str) -> str:
        try:
            return package_version(name)
        except Exception:  # noqa: BLE001
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    pg = "?"
    try:
        with pg_connect() as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                        for name in ("server_version", "synchronous_commit", "fsync",
                                     "shared_buffers")}  # fmt: skip
        pg = (f"{settings['server_version'].split()[0]} (synchronous_commit="
              f"{settings['synchronous_commit']}, fsync={settings['fsync']}, shared_buffers="
              f"{settings['shared_buffers']}), local socket over TCP 127.0.0.1")  # fmt: skip
    except Exception:  # noqa: BLE001
        pass
    return [
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; esgui {version('esgui')}: {commit}",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} "
        f"{platform.release()}; a shared development machine (load average at start "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}), so single numbers are noisy: read "
        "the medians and the ratios, not the last digit",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (WAL, "
        f"synchronous=FULL for all three), PostgreSQL {pg}",
        f"- eventsourcing {version('eventsourcing')}, SQLAlchemy {version('SQLAlchemy')}, "
        f"psycopg {version('psycopg')}",
    ]
