"""Noticing new events cheaply, from any writer: this process, another one, another host.

The store offers the cheapest watcher its database allows (esgui.store.watchers); a
watcher only says "something may have changed", and the caller reads the head to see.
No Qt here: the GUI's follower thread drives a watcher.
"""

from __future__ import annotations

import threading

from esgui.store import ChangeWatcher, EventStore


def open_watcher(store: EventStore, stop: threading.Event) -> ChangeWatcher:
    """The cheapest watcher for this store; `stop` interrupts its waits."""
    return store.watch(stop)


__all__ = ["ChangeWatcher", "open_watcher"]
