"""Canonical JSON and the hash chain that makes the event log tamper-evident.

Each event's hash covers its content and the hash of the event before it in global
order, so editing, deleting, inserting or reordering rows breaks the chain from
that point on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# JSONEncoder.encode builds its C encoder on every call; build it once (same output).
_c_encode = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",", True,
        False, True,
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def decode_json(text: str | bytes) -> Any:
    """json.loads, faster for the common case of text with nothing around the value
    (as esgui stores it); anything else takes the strict standard path."""
    if isinstance(text, str) and text[:1] in ("{", "["):
        try:
            value, end = _scan_once(text, 0)
        except StopIteration:
            pass
        else:
            if end == len(text):
                return value
    return json.loads(text)


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, UTF-8 kept as is."""
    if _c_encode is None or isinstance(value, str):
        return _CANONICAL.encode(value)
    return "".join(_c_encode(value, 0))


def event_hash(
    prev_hash: str,
    position: int,
    event_id: str,
    aggregate_id: str,
    aggregate_type: str,
    event_type: str,
    schema_version: int,
    version: int,
    recorded_at: datetime | str,
    operator: str,
    data_json: str,
    metadata_json: str,
) -> str:
    """SHA-256 over the previous hash and every stored field (data as canonical JSON).

    Fields are joined with NUL, which none of them can contain: the store refuses NUL in
    ids, types and operators, and JSON text escapes it. `recorded_at` may be given as
    ISO text with microseconds already."""
    when = (recorded_at if isinstance(recorded_at, str)
            else recorded_at.isoformat(timespec="microseconds"))  # fmt: skip
    material = "\x00".join((
        prev_hash, str(position), event_id, aggregate_id, aggregate_type, event_type,
        str(schema_version), str(version), when,
        operator, data_json, metadata_json,
    ))  # fmt: skip
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
