"""Event ids: time-ordered UUIDs (version 7, RFC 9562).

Random (version 4) ids scatter inserts all over the unique index on ``id``; ids that
grow with time append to its right edge, which doubles bulk-insert speed on SQLite.
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_event_id() -> str:
    """A UUIDv7: 48-bit Unix milliseconds, a 12-bit counter that keeps ids from one
    process increasing within a millisecond, and 62 random bits."""
    global _last_ms, _counter
    now_ms = time.time_ns() // 1_000_000
    with _lock:
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                now_ms += 1
                _counter = 0
        else:
            _counter = 0
        _last_ms = now_ms
        counter = _counter
    rand = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (now_ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def new_event_ids(count: int) -> list[str]:
    """`count` UUIDv7s at once (one lock, one call for randomness): the bulk path."""
    global _last_ms, _counter
    now_ms = time.time_ns() // 1_000_000
    with _lock:
        if now_ms <= _last_ms:
            now_ms, counter = _last_ms, _counter + 1
        else:
            counter = 0
        first_ms, first_counter = now_ms, counter
        total = first_counter + count  # counters used: first_counter .. total - 1
        _last_ms = first_ms + (total - 1) // 0x1000
        _counter = (total - 1) % 0x1000
    randomness = os.urandom(8 * count)
    ids = []
    for i in range(count):
        step = first_counter + i
        ms, counter = first_ms + step // 0x1000, step % 0x1000
        rand = int.from_bytes(randomness[8 * i : 8 * i + 8], "big") & 0x3FFF_FFFF_FFFF_FFFF
        value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
        text = f"{value:032x}"
        ids.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return ids
