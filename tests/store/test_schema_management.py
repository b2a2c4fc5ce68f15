"""What a database is decides what esgui does: create, upgrade, or refuse untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

import esgui
from esgui.errors import ForeignDatabase, SchemaTooNew, StoreCorrupt, StoreError, StoreUnavailable
from esgui.store.schema import VERSION_TABLE
from esgui.store.schema_manager import HEAD_REVISION, KNOWN_REVISIONS, MIGRATIONS_DIR


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_known_revisions_match_the_migration_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    assert script.get_heads() == [HEAD_REVISION]
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == KNOWN_REVISIONS


def test_new_store_is_created_at_head(location) -> None:
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from == ""
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [(HEAD_REVISION,)]
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from is None


def test_sqlite_store_uses_wal(location) -> None:
    if location.backend != "sqlite":
        pytest.skip("SQLite file behaviour")
    esgui.open_store(location.url).close()
    assert location.sql("PRAGMA journal_mode") == [("wal",)]


def test_foreign_database_is_refused_and_left_untouched(location, tmp_path) -> None:
    location.sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    location.sql("INSERT INTO customers (id, name) VALUES (1, 'Ada')")
    before = _digest(tmp_path / "store.db") if location.backend == "sqlite" else None
    with pytest.raises(ForeignDatabase) as info:
        esgui.open_store(location.url)
    assert "customers" in str(info.value) and "not an esgui store" in str(info.value)
    assert location.sql("SELECT name FROM customers") == [("Ada",)]
    if location.backend == "sqlite":
        assert _digest(tmp_path / "store.db") == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    else:
        tables = location.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        assert tables == [("customers",)]


def test_store_from_a_newer_esgui_is_refused_untouched(location) -> None:
    esgui.open_store(location.url).close()
    location.sql(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match="newer esgui"):
        esgui.open_store(location.url)
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [("9999",)]


@pytest.mark.parametrize("content", [b"garbage " * 200, b"", b"SQLite format 3\x00" + b"\xff" * 90])
def test_garbage_file_is_refused_untouched(tmp_path, content: bytes) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(content)
    if content == b"":
        # an empty file is a valid, empty SQLite database: it becomes a new store
        esgui.open_store(f"sqlite:///{path}").close()
        return
    with pytest.raises(StoreError) as info:
        esgui.open_store(f"sqlite:///{path}")
    assert isinstance(info.value, (StoreCorrupt, StoreUnavailable))
    assert path.read_bytes() == content


def test_an_unreachable_sqlite_folder_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        esgui.open_store("sqlite:////no/such/folder/x.db")


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "http://example.com", "not a url", "", "sqlite://", "sqlite://x.db"]
)
def test_malformed_or_unsupported_urls_are_invalid_input(url: str) -> None:
    """Issue 11: a malformed or unsupported URL is a usage error (exit 2); one that is
    well formed but can't be reached is a store error (exit 4)."""
    with pytest.raises(esgui.InvalidInput):
        esgui.open_store(url)


def test_unreachable_postgresql_fails_fast_without_password() -> None:
    import time

    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        esgui.open_store("postgresql://bob:s3cret@127.0.0.1:1/nowhere")
    assert time.monotonic() - started < 10
    assert "s3cret" not in str(info.value)
    assert "***" in str(info.value)


def test_missing_file_is_not_created_when_asked_not_to(tmp_path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(StoreUnavailable):
        esgui.open_store(f"sqlite:///{path}", create=False)
    with pytest.raises(StoreUnavailable):
        esgui.open_store(f"sqlite:///{path}", read_only=True)
    assert not path.exists()
