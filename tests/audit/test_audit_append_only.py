"""Append-only storage: the database refuses UPDATE/DELETE (and TRUNCATE) on the log and
the review notes; migration 0002 upgrades older stores; a read-only auditor role can
browse, verify and export but not append."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

import esgui
from esgui.audit.export import ExportFilters, export_events
from esgui.audit.notes import add_note, list_notes
from esgui.audit.verify import verify_store
from esgui.errors import NotPermitted
from esgui.projections import AccountProjector
from esgui.store.schema import metadata
from esgui.store.schema_manager import HEAD_REVISION, MIGRATIONS_DIR
from tests.audit.audit_helpers import ev, make_history


@pytest.mark.parametrize("statement", [
    "UPDATE events SET operator = 'mallory' WHERE position = 1",
    "UPDATE events SET data = data",
    "DELETE FROM events WHERE position = 9",
    "DELETE FROM events",
])  # fmt: skip
def test_the_database_refuses_changes_to_events(history, location, statement: str) -> None:
    with pytest.raises(Exception, match="append-only"):
        location.sql(statement)
    assert verify_store(history).intact
    assert history.head()[0] == 9


def test_postgresql_refuses_truncate(history, location) -> None:
    if location.backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is covered above)")
    with pytest.raises(Exception, match="append-only"):
        location.sql("TRUNCATE events")
    assert history.head()[0] == 9


def test_review_notes_are_append_only_too(history, location) -> None:
    add_note(history, "flag", author="kim", account_id="A1")
    for statement in ("UPDATE review_notes SET text = 'changed'", "DELETE FROM review_notes"):
        with pytest.raises(Exception, match="append-only"):
            location.sql(statement)
    assert [n.text for n in list_notes(history)] == ["flag"]


def test_inserting_still_works_and_the_error_maps_to_not_permitted(history) -> None:
    history.append("A1", 4, [ev("MoneyDeposited", amount="1.00")])
    assert verify_store(history).intact
    from sqlalchemy import text

    with pytest.raises(NotPermitted, match="append-only"):
        from esgui.store.engine import translated

        with translated(history.description), history.writer().begin() as conn:
            conn.execute(text("UPDATE events SET operator = 'x' WHERE position = 1"))


def test_the_migrations_build_exactly_the_metadata(store) -> None:
    from esgui.store.schema import VERSION_TABLE

    def ours(obj, name, type_, reflected, compare_to) -> bool:
        # (migration 0007's correlation index is per database, kept out of the MetaData)
        return not (type_ == "table" and name == VERSION_TABLE) and not (
            type_ == "index" and name == "ix_events_correlation"
        )

    with store.engine.connect() as conn, warnings.catch_warnings():
        # Migration 0007's correlation index is an expression of each database's JSON
        # functions, kept out of the MetaData (as the triggers are): reflection skips it.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based "
                                "index ix_events_correlation")  # fmt: skip
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        diffs = compare_metadata(context, metadata)
    assert diffs == []


def test_a_0001_store_is_upgraded_with_its_events_intact(location) -> None:
    """Build a store at revision 0001 (as the foundation wrote it), then open it."""
    from esgui.store.engine import make_engine, parse_store_url
    from esgui.store.schema import VERSION_TABLE

    engine = make_engine(parse_store_url(location.url))
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS_DIR))
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
    finally:
        engine.dispose()
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [("0001",)]
    location.sql("DELETE FROM events")  # no trigger yet at 0001
    with esgui.open_store(location.url) as store:
        assert store.upgraded_from == "0001"
        make_history(store)
        assert verify_store(store).intact
    with pytest.raises(Exception, match="append-only"):
        location.sql("DELETE FROM events")
    assert location.sql(f"SELECT version_num FROM {VERSION_TABLE}") == [(HEAD_REVISION,)]


# -- the read-only auditor role (PostgreSQL) ----------------------------------------------


@pytest.fixture
def auditor_url(history, location) -> str:
    """A login role with SELECT only, as docs/audit.md describes; dropped afterwards."""
    if location.backend != "postgresql":
        pytest.skip("database roles are a PostgreSQL feature")
    AccountProjector(history).catch_up()
    add_note(history, "seen by the owner", author="kim", account_id="A1")
    role = f"esgui_auditor_{uuid.uuid4().hex[:10]}"
    location.sql(f'CREATE ROLE "{role}" LOGIN')
    try:
        location.sql(f'GRANT USAGE ON SCHEMA "{location.schema}" TO "{role}"')
        location.sql(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{location.schema}" TO "{role}"')
        from sqlalchemy.engine import make_url

        url = make_url(location.url).set(username=role)
        yield url.render_as_string(hide_password=False)
    finally:
        location.sql(f'DROP OWNED BY "{role}"')
        location.sql(f'DROP ROLE "{role}"')


def test_an_auditor_role_can_browse_verify_and_export(auditor_url, history, tmp_path: Path):
    with esgui.open_store(auditor_url, read_only=True) as store:
        assert [e.position for e in store.read_all()] == list(range(1, 10))
        assert str(esgui.Accounts(store, user="auditor").state("A1").balance) == "125.25"
        assert [s.account_id for s in AccountProjector(store).current()] == ["A1", "B1", "C1"]
        assert verify_store(store).intact
        summary = export_events(store, "jsonl", tmp_path / "out.jsonl", ExportFilters())
        assert (summary.events, summary.notes) == (9, 1)
        assert [n.text for n in list_notes(store)] == ["seen by the owner"]


def test_an_auditor_role_cannot_append_even_without_read_only(auditor_url, history) -> None:
    with esgui.open_store(auditor_url) as store:
        with pytest.raises(NotPermitted, match="permission denied"):
            store.append("A1", 4, [ev("MoneyDeposited", amount="1.00")])
        with pytest.raises(NotPermitted):
            esgui.Accounts(store, user="auditor").deposit("A1", "1.00")
        with pytest.raises(NotPermitted):  # SELECT only: no notes either
            add_note(store, "flag", author="auditor", account_id="A1")
    assert history.head()[0] == 9


def test_an_auditor_role_with_insert_on_notes_can_flag(auditor_url, history, location) -> None:
    from sqlalchemy.engine import make_url

    role = make_url(auditor_url).username
    location.sql(f'GRANT INSERT ON review_notes TO "{role}"')
    with esgui.open_store(auditor_url, read_only=True) as store:
        add_note(store, "suspicious", author="auditor", account_id="B1")
    assert [n.text for n in list_notes(history, author="auditor")] == ["suspicious"]


def test_auditor_cli_works_read_only_and_refuses_commands(auditor_url, history, cli) -> None:
    code, out, err = cli("--read-only", "verify", db=auditor_url)
    assert code == 0 and "intact" in out
    code, out, err = cli("--read-only", "accounts", "--json", db=auditor_url)
    assert code == 0 and '"A1"' in out
    code, out, err = cli("deposit", "A1", "1.00", db=auditor_url)
    assert code == 5 and "permission denied" in err and "Traceback" not in err


def test_account_commands_and_state_work_on_this_backend(store) -> None:
    """Regression: loading "the latest version" bound 2**62 against the INTEGER version
    column, which PostgreSQL refuses ("integer out of range")."""
    accounts = esgui.Accounts(store, user="alice")
    accounts.open("A1", owner="Alice", initial="1.00")
    accounts.deposit("A1", "2.00")
    assert str(esgui.Accounts(store, user="bob").state("A1").balance) == "3.00"
