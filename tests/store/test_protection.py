"""The append-only protection check (issue 10, "Trust shown in the window"): missing or
altered triggers (and, on PostgreSQL, UPDATE/DELETE/TRUNCATE granted to PUBLIC) are
found by the store, reported by `verify` as a finding (exit 1), and the head hash of a
tampered log is never offered as proof. Also: a PostgreSQL role whose own schema is
empty never falls through the search_path into another schema's store."""

from __future__ import annotations

import uuid

import pytest

import esgui
from esgui.audit.verify import PROTECTION, verify_store
from esgui.cli import main
from esgui.store import PROTECTED_TABLES
from esgui.store.protection import postgresql_trigger, sqlite_trigger
from tests.conftest import PG_URL, _pg_admin


@pytest.fixture
def filled(store):
    esgui.Accounts(store, user="alice").open("A1", owner="Alice", initial="10.00")
    return store


def test_a_new_store_is_fully_protected(filled) -> None:
    assert filled.protection_problems() == []
    result = verify_store(filled)
    assert result.intact and not result.protection_problems


def test_a_dropped_trigger_is_a_verify_finding(filled, location, store_url, capsys) -> None:
    trigger = (postgresql_trigger("events") if location.backend == "postgresql"
               else sqlite_trigger("events", "UPDATE"))  # fmt: skip
    if location.backend == "postgresql":
        location.sql(f"DROP TRIGGER {trigger} ON events")
    else:
        location.sql(f"DROP TRIGGER {trigger}")
    problems = filled.protection_problems()
    assert [p.table for p in problems] == ["events"] and "missing" in problems[0].message
    result = verify_store(filled)
    assert not result.intact and not result.tampered
    assert [p.kind for p in result.problems] == [PROTECTION]
    assert main(["--db", store_url, "verify"]) == 1
    out, err = capsys.readouterr()
    assert f"PROTECTION MISSING: the append-only trigger {trigger}" in out
    assert "TAMPERED" not in out and "append-only protection is missing" in err
    location.restore_append_only()
    assert filled.protection_problems() == []


def test_an_altered_trigger_is_found(filled, location) -> None:
    if location.backend == "postgresql":
        location.sql(f"ALTER TABLE events DISABLE TRIGGER {postgresql_trigger('events')}")
        expected = "disabled"
    else:
        name = sqlite_trigger("review_notes", "DELETE")
        location.sql(f"DROP TRIGGER {name}")
        location.sql(f"CREATE TRIGGER {name} BEFORE DELETE ON review_notes WHEN 0 "
                     "BEGIN SELECT RAISE(ABORT, 'no'); END")  # fmt: skip
        expected = "altered"
    (problem,) = filled.protection_problems()
    assert expected in problem.message


def test_tampering_with_the_protection_off_is_both(filled, location, store_url, capsys) -> None:
    location.drop_append_only()
    location.sql("UPDATE events SET operator = 'mallory'")
    result = verify_store(filled)
    assert result.tampered and result.first_problem.kind != PROTECTION
    assert len(result.protection_problems) == len(PROTECTED_TABLES) * (
        1 if location.backend == "postgresql" else 2
    )
    assert main(["--db", store_url, "verify"]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED: first bad position 1" in out
    assert "do not record it as an anchor" in out


def test_postgresql_public_grants_are_found(filled, location) -> None:
    if location.backend != "postgresql":
        pytest.skip("grants are a PostgreSQL feature")
    location.sql("GRANT UPDATE, TRUNCATE ON events TO PUBLIC")
    messages = [p.message for p in filled.protection_problems()]
    assert messages == [
        "every role (PUBLIC) is granted TRUNCATE on events",
        "every role (PUBLIC) is granted UPDATE on events",
    ]
    location.sql("REVOKE UPDATE, TRUNCATE ON events FROM PUBLIC")
    assert filled.protection_problems() == []


def test_a_role_with_an_empty_schema_never_uses_another_schemas_store(backend, capsys) -> None:
    if backend != "postgresql":
        pytest.skip("search_path is a PostgreSQL feature")
    suffix = uuid.uuid4().hex[:10]
    role, shared = f"ts_role_{suffix}", f"ts_shared_{suffix}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE SCHEMA "{shared}"')
    shared_url = f"{PG_URL}?options=-csearch_path%3D{shared}"
    try:
        with esgui.open_store(shared_url) as store:
            esgui.Accounts(store, user="alice").open("S1", owner="Shared")
        with _pg_admin() as conn:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
            conn.execute(f'CREATE SCHEMA "{role}" AUTHORIZATION "{role}"')
            conn.execute(f'GRANT USAGE ON SCHEMA "{shared}" TO "{role}"')
            conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{shared}" TO "{role}"')
            conn.execute(f'ALTER ROLE "{role}" SET search_path = "$user", "{shared}"')
        url = PG_URL.replace("postgres@", f"{role}@", 1)
        assert main(["--db", url, "accounts"]) == 4
        err = capsys.readouterr().err
        assert f"schema '{role}' holds no esgui store" in err and f"'{shared}'" in err
        # a command that creates a store makes the role its own, in its own schema
        assert main(["--db", url, "--user", "r", "open", "R1", "--owner", "Role"]) == 0
        capsys.readouterr()
        assert main(["--db", url, "accounts"]) == 0
        out = capsys.readouterr().out
        assert "R1" in out and "S1" not in out
        with esgui.open_store(shared_url) as store:
            assert store.current_version("R1") == 0 and store.current_version("S1") == 1
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{role}" CASCADE')
            conn.execute(f'DROP SCHEMA IF EXISTS "{shared}" CASCADE')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_cli_rebuild_and_export_of_a_tampered_store_warn(filled, location, store_url, capsys):
    import json

    assert main(["--db", store_url, "projections", "rebuild"]) == 0
    assert "warning" not in capsys.readouterr().err
    location.drop_append_only()
    location.sql("UPDATE events SET operator = 'mallory'")
    location.restore_append_only()
    assert main(["--db", store_url, "projections", "rebuild"]) == 0
    assert "the projection adopts the altered history" in capsys.readouterr().err
    assert main(["--db", store_url, "export", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    assert "The export copies the altered history" in err
    header = json.loads(out.splitlines()[0])
    assert header["integrity"]["tampered"] is True
    assert header["integrity"]["first_bad_position"] == 1
    assert main(["--db", store_url, "export", "--format", "jsonl", "--no-verify"]) == 0
    out, err = capsys.readouterr()
    assert "integrity" not in json.loads(out.splitlines()[0]) and err == ""
