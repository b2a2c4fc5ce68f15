"""Fixtures of the audit tests: a small multi-account history, an attacker who can run
SQL behind esgui's back, the CLI, and a second store on the *other* backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from esgui.cli import main
from tests.audit.audit_helpers import Attacker, make_history

PG_URL = os.environ.get("ESGUI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def history(store):
    make_history(store)
    return store


@pytest.fixture
def attacker(location) -> Callable[[], Attacker]:
    return lambda: Attacker(location)


@pytest.fixture
def cli(capsys, store_url: str, monkeypatch) -> Callable[..., tuple[int, str, str]]:
    """Run `esgui --db STORE …`; returns (exit code, stdout, stderr)."""
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    monkeypatch.setenv("ESGUI_USER", "auditor")

    def run(*args: str, db: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", db or store_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make fresh store places: fresh_url("sqlite") or fresh_url("postgresql")."""
    schemas: list[str] = []
    count = iter(range(1000))

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{next(count)}.db'}"
        schema = f"t_{uuid.uuid4().hex[:16]}"
        try:
            with _pg_admin() as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
        except Exception as error:  # noqa: BLE001
            pytest.skip(f"PostgreSQL not reachable: {error}")
        schemas.append(schema)
        sep = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    yield make
    for schema in schemas:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def same_url(location, fresh_url) -> str:
    """A second, empty store place on the configured backend."""
    return fresh_url(location.backend)


@pytest.fixture
def other_url(location, fresh_url) -> str:
    """An empty store place on the other backend (SQLite ↔ PostgreSQL)."""
    return fresh_url("sqlite" if location.backend == "postgresql" else "postgresql")


def _pg_admin():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                           user=url.username, password=url.password, dbname=url.database,
                           autocommit=True, connect_timeout=5)  # fmt: skip
