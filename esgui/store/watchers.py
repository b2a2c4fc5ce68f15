"""Noticing new events cheaply, from any writer: this process, another one, another host.

Each backend offers its cheapest watcher (PostgreSQL: LISTEN/NOTIFY; SQLite: ``PRAGMA
data_version``); where it has none (an in-memory store), the head position is polled.
A watcher only says "something may have changed"; the caller reads the head to see.
No Qt here: the GUI's follower thread drives a watcher.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from esgui.store.backend import Backend, ChangeWatcher


class HeadPoller:
    """Fallback: compare the head position every `timeout`."""

    def __init__(self, head: Callable[[], tuple[int, str]], stop: threading.Event) -> None:
        self._read_head = head
        self._stop = stop
        self._head = head()[0]

    def wait(self, timeout: float) -> bool:
        if self._stop.wait(timeout):
            return False
        head = self._read_head()[0]
        changed, self._head = head != self._head, head
        return changed

    def close(self) -> None:
        pass


def open_watcher(
    backend: Backend,
    engine: Engine,
    url: URL,
    description: str,
    head: Callable[[], tuple[int, str]],
    stop: threading.Event,
) -> ChangeWatcher:
    """The cheapest watcher of this store; `stop` interrupts its waits."""
    watcher = backend.watcher(engine, url, description, stop)
    return watcher if watcher is not None else HeadPoller(head, stop)


__all__ = ["ChangeWatcher", "HeadPoller", "open_watcher"]
