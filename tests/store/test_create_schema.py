"""`create_schema(url)`: the schema a PostgreSQL store URL names is created (once; again
is a no-op), after which the store opens there; SQLite has no schema to create."""

from __future__ import annotations

import uuid

import pytest

import esgui
from esgui.errors import InvalidInput, StoreError
from esgui.store import create_schema
from esgui.store.urls import PgConnection
from tests.conftest import PG_URL, _pg_admin


def _url(schema: str) -> str:
    base = PgConnection.from_url(PG_URL)
    assert base is not None
    return PgConnection(host=base.host, port=base.port, database=base.database,
                        user=base.user, schema=schema).url()  # fmt: skip


def test_create_schema(location) -> None:
    if location.backend == "sqlite":
        with pytest.raises(InvalidInput, match="PostgreSQL"):
            create_schema(location.url)
        return
    schema = f"t_new_{uuid.uuid4().hex[:10]}"
    url = _url(schema)
    try:
        with pytest.raises(StoreError):  # missing: the store cannot be created there
            esgui.open_store(url)
        assert create_schema(url) == schema
        assert create_schema(url) == schema  # already there: nothing to do
        with esgui.open_store(url) as store:
            esgui.Accounts(store, user="t").open("A1", owner="Ann")
        with _pg_admin() as conn:
            rows = conn.execute(f'SELECT count(*) FROM "{schema}".events').fetchall()
        assert rows == [(1,)]
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_create_schema_needs_a_schema_in_the_url(location) -> None:
    if location.backend == "sqlite":
        pytest.skip("PostgreSQL URLs")
    with pytest.raises(InvalidInput, match="names no schema"):
        create_schema(_url(""))
    with pytest.raises(InvalidInput, match="Invalid schema name"):
        create_schema(_url("x" * 64))
