"""Build export files by hand, with an internally valid hash chain: what an attacker or
a buggy tool can produce (used by the import trust tests and the import fuzzer)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from esgui.store.hashing import GENESIS_HASH, canonical_json, event_hash

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def event(
    aggregate_id: str,
    version: int,
    event_type: str,
    data: dict[str, Any],
    *,
    user: str = "alice",
    event_id: str | None = None,
    metadata: dict[str, Any] | None = None,
    schema: int | None = None,
) -> dict[str, Any]:
    return {
        "kind": "event", "event_id": event_id or str(uuid.uuid4()),
        "aggregate_id": aggregate_id, "aggregate_type": "BankAccount",
        "event_type": event_type, "version": version,
        "schema_version": schema or (2 if event_type.startswith("Money") else 1),
        "operator": user, "data": data, "metadata": metadata or {"user": user},
    }  # fmt: skip


def chained(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Positions 1, 2, 3…, times an hour apart, and the hash chain over them."""
    prev, out = GENESIS_HASH, []
    for position, record in enumerate(events, start=1):
        when = T0 + timedelta(hours=position)
        record = {**record, "position": position, "recorded_at": when.isoformat()}
        try:
            prev = event_hash(prev, position, record["event_id"], record["aggregate_id"],
                              record["aggregate_type"], record["event_type"],
                              record["schema_version"], record["version"], when,
                              record["operator"], canonical_json(record["data"]),
                              canonical_json(record["metadata"]))  # fmt: skip
        except (UnicodeEncodeError, TypeError, ValueError):
            prev = "0" * 64  # unhashable: the importer must refuse it anyway
        out.append({**record, "hash": prev})
    return out


def write_export(
    path: Path, events: list[dict[str, Any]], *, raw_lines: dict[int, str] | None = None
) -> Path:
    """A complete JSON Lines export of `events` (chained here). `raw_lines` replaces the
    text of some event lines (index into `events`) verbatim."""
    records = chained(events)
    lines = [json.dumps({"kind": "header", "format": "esgui-export", "format_version": 1,
                         "complete": True, "source": "hand-made"})]  # fmt: skip
    for index, record in enumerate(records):
        if raw_lines and index in raw_lines:
            lines.append(raw_lines[index])
        else:
            lines.append(json.dumps(record, ensure_ascii=False))
    lines.append(json.dumps({"kind": "end", "events": len(records), "notes": 0}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


def honest(accounts: int = 2, deposits: int = 3) -> list[dict[str, Any]]:
    """A small history that follows every rule."""
    out = []
    for n in range(accounts):
        account = f"ACC-{n:03d}"
        out.append(event(account, 1, "AccountOpened", {"owner": f"Owner {n}", "initial": "10.00"}))
        for v in range(deposits):
            out.append(event(account, v + 2, "MoneyDeposited", {"amount": "1.00"}))
    return out
