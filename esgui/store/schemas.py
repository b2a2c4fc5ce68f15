"""Creating the PostgreSQL schema a store URL names (`options=-csearch_path=NAME`), for
the window's "Create schema" after a connect found it missing. SQLite has no schemas."""

from __future__ import annotations

from sqlalchemy import text

from esgui.errors import InvalidInput
from esgui.store.engine import describe_url, make_engine, parse_store_url, translated
from esgui.store.urls import PgConnection

MAX_NAME = 63  # PostgreSQL's identifier length


def schema_named(url: str) -> str:
    """The (first) schema of the URL's search_path; InvalidInput when it names none."""
    parts = PgConnection.from_url(url)
    name = parts.schema.split(",")[0].strip() if parts is not None else ""
    if name.startswith('"') and name.endswith('"') and len(name) > 1:
        name = name[1:-1].replace('""', '"')
    if not name:
        raise InvalidInput("The store URL names no schema (options=-csearch_path=NAME)")
    if len(name) > MAX_NAME or "\x00" in name or not name.isprintable():
        raise InvalidInput(f"Invalid schema name {name!r}")
    return name


def create_schema(url: str) -> str:
    """Create the schema `url` names unless it exists; returns its name. Store errors
    (no such database, no right to create) as StoreError, in words."""
    parsed = parse_store_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise InvalidInput("Only a PostgreSQL store lives in a schema")
    name = schema_named(url)
    engine = make_engine(parsed)
    try:
        with translated(describe_url(parsed)), engine.begin() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(name)
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    finally:
        engine.dispose()
    return name
