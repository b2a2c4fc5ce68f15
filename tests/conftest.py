"""Shared fixtures. The store backend comes from ESGUI_TEST_BACKEND: "sqlite" (default)
or "postgresql" (ESGUI_TEST_PG_URL, default the local server's `test` database). Each
PostgreSQL test gets a schema of its own, dropped afterwards.

The store tests (tests/store) run against both backends instead, whatever
ESGUI_TEST_BACKEND says: see tests/store/conftest.py."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BACKEND = os.environ.get("ESGUI_TEST_BACKEND", "sqlite").strip().lower()
PG_URL = os.environ.get("ESGUI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
if BACKEND not in {"sqlite", "postgresql"}:
    raise pytest.UsageError(f"ESGUI_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")


FUZZ_SCALE = max(1, int(os.environ.get("ESGUI_FUZZ_SCALE", "1")))


def fuzz_examples(count: int) -> int:
    """Examples for a fuzz test: `count` in the normal suite (and CI), times
    ESGUI_FUZZ_SCALE in a long fuzz run (tools/fuzz.sh)."""
    return count * FUZZ_SCALE


REQUIRE_POSTGRESQL = os.environ.get("ESGUI_REQUIRE_POSTGRESQL", "").strip() == "1"


def pytest_report_header(config: pytest.Config) -> str:
    store_tests = "sqlite, postgresql" + ("" if pg_problem() is None else " (unreachable: skipped)")
    return f"esgui store backend: {BACKEND}; store contract tests: {store_tests}"


def _pg_admin(connect_timeout: int | None = None):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    timeout = {} if connect_timeout is None else {"connect_timeout": connect_timeout}
    return psycopg.connect(
        host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username,
        password=url.password, dbname=url.database, autocommit=True, **timeout,
    )  # fmt: skip


@functools.cache
def pg_problem() -> str | None:
    """Why the PostgreSQL test server cannot be used (None: it can), asked once."""
    try:
        with _pg_admin(connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any reason at all: report it
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return None


class StoreLocation:
    """A fresh, empty place for a store on `backend` (default: the configured one)."""

    def __init__(self, tmp_path: Path, backend: str = BACKEND) -> None:
        self.backend = backend
        self.schema: str | None = None
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'store.db'}"
        else:
            self.schema = f"t_{uuid.uuid4().hex[:16]}"
            with _pg_admin() as conn:
                conn.execute(f'CREATE SCHEMA "{self.schema}"')
            sep = "&" if "?" in PG_URL else "?"
            self.url = f"{PG_URL}{sep}options=-csearch_path%3D{self.schema}"

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        """Run raw SQL on the store behind esgui's back (tampering, legacy rows)."""
        if self.backend == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            try:
                cur = conn.execute(statement, params)
                rows = cur.fetchall()
                conn.commit()
                return rows
            finally:
                conn.close()
        with _pg_admin() as conn:
            conn.execute(f'SET search_path TO "{self.schema}"')
            cur = conn.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    def drop_append_only(self) -> None:
        """Act as someone with DDL rights (the tables' owner, a superuser, anyone who can
        write the SQLite file): drop the append-only triggers before editing rows."""
        from esgui.store.protection import PROTECTED_TABLES

        for table in PROTECTED_TABLES:
            if self.backend == "postgresql":
                self.sql(f"DROP TRIGGER IF EXISTS esgui_{table}_append_only ON {table}")
            else:
                for op in ("update", "delete"):
                    self.sql(f"DROP TRIGGER IF EXISTS esgui_{table}_no_{op}")

    def restore_append_only(self) -> None:
        """Put the append-only triggers back as esgui installs them (an attacker who
        covers their tracks, so only the hash chain can tell)."""
        from esgui.store.protection import install_statements

        self.drop_append_only()
        for statement in install_statements(self.backend):
            self.sql(statement)

    def drop(self) -> None:
        if self.schema:
            with _pg_admin() as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """What esgui remembers for the user (verify memory) goes to a folder of the test's
    own, never the real user's."""
    monkeypatch.setenv("ESGUI_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def location(tmp_path: Path) -> Iterator[StoreLocation]:
    loc = StoreLocation(tmp_path)
    yield loc
    loc.drop()


@pytest.fixture
def store_url(location: StoreLocation) -> str:
    return location.url


@pytest.fixture
def store(store_url: str):
    import esgui

    s = esgui.open_store(store_url)
    yield s
    s.close()


@pytest.fixture
def accounts(store):
    import esgui

    return esgui.Accounts(store, user="alice")
