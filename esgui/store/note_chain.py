"""The review notes' own hash chain: each note has a sequence number (1, 2, 3… in the
order notes were stored) and a hash over its fields and the previous note's hash, so
editing, deleting, inserting or reordering notes is evident to `verify` exactly as it is
for events. The material is canonical JSON of the fields (text may hold anything)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from esgui.store.hashing import canonical_json


def note_hash(
    prev_hash: str,
    seq: int,
    note_id: str,
    target_kind: str,
    event_id: str | None,
    account_id: str,
    text: str,
    author: str,
    created_at: datetime | str,
) -> str:
    """SHA-256 over the previous note's hash and every stored field of this note."""
    when = (created_at if isinstance(created_at, str)
            else created_at.astimezone(UTC).isoformat(timespec="microseconds"))  # fmt: skip
    material = canonical_json(
        [prev_hash, seq, note_id, target_kind, event_id, account_id, text, author, when]
    )
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
