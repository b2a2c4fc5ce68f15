"""Why a store could not be opened, in words for the error banner, with what to do
next: a missing PostgreSQL schema is named (with the statement that creates it, to
copy), anything else is the store's own one-line message."""

from __future__ import annotations

from esgui.app.store_names import describe, missing_schema
from esgui.app.stores import PgConnection

Actions = tuple[tuple[str, str], ...]
DEFAULT_ACTIONS: Actions = (
    ("open", "Open store…"), ("connect", "Connect to PostgreSQL…"), ("retry", "Retry"),
)  # fmt: skip


def explain_open_failure(url: str, message: str) -> tuple[str, Actions]:
    """(banner text, banner actions) for a failed open of `url`."""
    schema = missing_schema(url, message)
    if not schema:
        return f"Could not open the store. {message}", DEFAULT_ACTIONS
    parts = PgConnection.from_url(url)
    database = parts.database if parts is not None else "the database"
    return (
        f"Could not open {describe(url)}: the schema “{schema}” does not exist in "
        f"database “{database}”. Create it (Copy CREATE SCHEMA, run it in psql as the "
        "database's owner) and Retry, or connect with another schema.",
        (("copy_schema_sql", "Copy CREATE SCHEMA"), ("retry", "Retry"),
         ("connect_again", "Another schema…")),
    )  # fmt: skip


def create_schema_sql(url: str) -> str:
    """The statement that creates the schema `url` names (for the person to run)."""
    parts = PgConnection.from_url(url)
    schema = parts.schema if parts is not None else ""
    quoted = schema.replace('"', '""')
    return f'CREATE SCHEMA "{quoted}";' if schema else ""
