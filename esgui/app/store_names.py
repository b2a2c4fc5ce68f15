"""Store URLs as people read them: a PostgreSQL schema named in words, not as the
percent-encoded connection option (``…/bank?options=-csearch_path%3Dteam`` reads
``…/bank (schema team)``), and the schema a failure is about (no Qt, no SQL)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from esgui.app.stores import PgConnection, describe_url

_SEARCH_PATH = re.compile(
    r"[?&]options=(?:-c\s*|-c%20|%2Dc)?search_path(?:=|%3D)([^&\s:'\"]+)", re.IGNORECASE
)
_NO_SCHEMA = "no schema has been selected to create in"


def readable(text: str) -> str:
    """`text` with every store URL's search_path option written as "(schema NAME)"."""
    return _SEARCH_PATH.sub(lambda m: f" (schema {unquote(m.group(1))})", text)


def describe(url: str) -> str:
    """How to name the store at `url` to a person (password masked, schema in words)."""
    return readable(describe_url(url))


def schema_of(url: str) -> str:
    """The PostgreSQL schema a store URL selects ("" for none, or for SQLite)."""
    if not url.strip().lower().startswith("postgres"):
        return ""
    parts = PgConnection.from_url(url)
    return unquote(parts.schema) if parts is not None else ""


def missing_schema(url: str, message: str) -> str:
    """The schema named by `url` when `message` says it does not exist ("" otherwise)."""
    schema = schema_of(url)
    return schema if schema and _NO_SCHEMA in message else ""
