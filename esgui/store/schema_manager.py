"""Decide what a database is (new, esgui at some revision, newer, foreign) and act.

A new, empty database gets the schema; an older esgui schema is upgraded with
Alembic; a newer one or a foreign database is refused and left exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, column, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from esgui.errors import (
    EsguiError,
    ForeignDatabase,
    NotPermitted,
    SchemaTooNew,
    StoreCorrupt,
    StoreError,
)
from esgui.store.dialects import backend_for
from esgui.store.engine import WRITE
from esgui.store.schema import VERSION_TABLE

# Every revision this esgui knows, oldest first; tests check it against the scripts.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008",
)  # fmt: skip
HEAD_REVISION = KNOWN_REVISIONS[-1]
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class SchemaStatus:
    revision: str | None  # None: no esgui schema
    tables: tuple[str, ...]
    # PostgreSQL: the schema where a store further down the search_path was seen (and
    # ignored) when the schema esgui works in holds none
    shadowed: str | None = None
    schema: str | None = None  # PostgreSQL: current_schema()


def read_status(conn: Connection) -> SchemaStatus:
    """What the schema esgui works in holds. On PostgreSQL that is current_schema()
    alone: tables visible through the rest of the search_path (another role's store in
    `public`) are not this store's (docs/reliability.md)."""
    if conn.dialect.name == "postgresql":
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        names = inspect(conn).get_table_names(schema=schema) if schema else []
        tables = tuple(sorted(names))
        if VERSION_TABLE not in tables:
            return SchemaStatus(None, tables, _visible_store_schema(conn), schema)
    else:
        tables = tuple(sorted(inspect(conn).get_table_names()))
    if VERSION_TABLE not in tables:
        return SchemaStatus(None, tables)
    rows: list[Any] = list(
        conn.execute(select(column("version_num")).select_from(table(VERSION_TABLE))).all()
    )
    if len(rows) != 1:
        raise StoreCorrupt(f"The esgui schema version table holds {len(rows)} rows, not one")
    return SchemaStatus(str(rows[0][0]), tables)


def _visible_store_schema(conn: Connection) -> str | None:
    found = conn.exec_driver_sql(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relname = '{VERSION_TABLE}' AND pg_table_is_visible(c.oid) LIMIT 1"
    ).scalar()
    return str(found) if found else None


def check(status: SchemaStatus, where: str) -> None:
    """Refuse newer and foreign databases (nothing touched)."""
    if status.revision is None:
        if status.tables:
            shown = ", ".join(status.tables[:5]) + (", …" if len(status.tables) > 5 else "")
            raise ForeignDatabase(
                f"{where} is not an esgui store: it holds other tables ({shown}) and no "
                "esgui schema; esgui leaves it untouched"
            )
        return
    if status.revision not in KNOWN_REVISIONS:
        raise SchemaTooNew(
            f"{where} was written by a newer esgui (schema {status.revision}; this esgui "
            f"knows up to {HEAD_REVISION}); upgrade esgui to open it"
        )


def ensure_schema(engine: Engine, where: str, *, read_only: bool, create: bool) -> str | None:
    """Bring the store to the head revision. Returns the revision it was upgraded from
    ("" for a newly created store) or None when nothing had to change."""
    with engine.connect() as conn:
        status = read_status(conn)
    check(status, where)
    if status.revision == HEAD_REVISION:
        return None
    if status.revision is None and (not create or read_only):
        suffix = " (read-only: nothing created)" if create else ""
        if status.shadowed:
            raise StoreError(
                f"No store in {where}: schema {status.schema!r} holds no esgui store{suffix}. "
                "A store "
                f"further down the search_path, in schema {status.shadowed!r}, is not "
                f"used; to open that one, select it: ?options=-csearch_path%3D"
                f"{status.shadowed}"
            )
        raise StoreError(f"{where} holds no esgui store{suffix}")
    if read_only:
        raise NotPermitted(
            f"{where} has schema {status.revision} and needs an upgrade to {HEAD_REVISION}; "
            "open it once without --read-only"
        )
    # One transaction for the whole upgrade (DDL is transactional on both engines): a
    # failing step leaves the store exactly at the revision it had.
    try:
        with engine.execution_options(**WRITE).begin() as conn:
            backend_for(conn.dialect.name).lock_schema(conn)
            status = read_status(conn)  # another process may have got here first
            check(status, where)
            if status.revision == HEAD_REVISION:
                return None
            upgrade(conn)
    except (EsguiError, SQLAlchemyError):
        raise
    except Exception as error:  # noqa: BLE001 - a migration step failed
        what = (
            f"Upgrading {where} from schema {status.revision}"
            if status.revision
            else (f"Creating the esgui schema in {where}")
        )
        raise StoreError(f"{what} failed ({error}); nothing was changed") from None
    return status.revision or ""


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run the Alembic migrations up to `target` on `conn`, inside its transaction."""
    from alembic import command  # imported only when a schema must change
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, target)
