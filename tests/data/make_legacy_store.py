"""Write tests/data/legacy-0001.db: a store at schema revision 0001 whose deposits and
withdrawals use event schema 1 (integer cents), as esgui 0.0 wrote them.

Run once with the esgui of schema revision 0001; the file is committed so later
versions are tested against a real old store (upcasting, schema upgrade)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import esgui
from esgui.store import NewEvent

OUT = Path(__file__).with_name("legacy-0001.db")


def main() -> None:
    if OUT.exists():
        sys.exit(f"{OUT} exists; delete it first")
    start = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    with esgui.open_store(f"sqlite:///{OUT}", snapshot_every=1000) as store:
        def meta(n: int) -> dict:
            return {"user": "legacy", "timestamp": (start + timedelta(hours=n)).isoformat(),
                    "correlation_id": f"00000000-0000-4000-8000-{n:012d}",
                    "causation_id": f"00000000-0000-4000-8000-{n:012d}"}

        def at(n: int) -> datetime:
            return start + timedelta(hours=n)

        store.append("OLD-1", 0, [NewEvent("AccountOpened", {"owner": "Olga", "initial": "10.00"},
                                           meta(0), 1, recorded_at=at(0))])
        store.append("OLD-1", 1, [NewEvent("MoneyDeposited", {"amount_cents": 1050}, meta(1), 1,
                                           recorded_at=at(1))])
        store.append("OLD-2", 0, [NewEvent("AccountOpened", {"owner": "Otto", "initial": "0.00"},
                                           meta(2), 1, recorded_at=at(2))])
        store.append("OLD-1", 2, [NewEvent("MoneyWithdrawn", {"amount_cents": 275}, meta(3), 1,
                                           recorded_at=at(3))])
        store.append("OLD-2", 1, [NewEvent("MoneyDeposited", {"amount_cents": 1}, meta(4), 1,
                                           recorded_at=at(4))])
        store.append("OLD-2", 2, [NewEvent("MoneyWithdrawn", {"amount_cents": 1}, meta(5), 1,
                                           recorded_at=at(5))])
        store.append("OLD-2", 3, [NewEvent("AccountClosed", {}, meta(6), 1, recorded_at=at(6))])
    with sqlite3.connect(OUT) as conn:  # one self-contained file, no -wal beside it
        conn.execute("PRAGMA journal_mode = DELETE")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
