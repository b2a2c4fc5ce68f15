"""Store URLs as people read them (no %3D), and the missing schema a failure is about."""

from __future__ import annotations

from esgui.app.store_names import describe, missing_schema, readable, schema_of

PG = "postgresql+psycopg://alice:s3cret@db.example:5432/bank?options=-csearch_path%3Dteam_a"


def test_a_schema_reads_as_words_and_the_password_stays_hidden():
    shown = describe(PG)
    assert shown == "postgresql://alice:***@db.example:5432/bank (schema team_a)"
    assert "%3D" not in shown and "s3cret" not in shown


def test_readable_rewrites_urls_inside_messages():
    message = "postgresql://u@h:5432/db?options=-csearch_path%3Dx: no schema has been selected"
    assert readable(message) == "postgresql://u@h:5432/db (schema x): no schema has been selected"
    assert readable("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


def test_the_missing_schema_is_named():
    assert schema_of(PG) == "team_a"
    assert schema_of("sqlite:////tmp/a.db") == ""
    assert missing_schema(PG, "…: no schema has been selected to create in") == "team_a"
    assert missing_schema(PG, "connection refused") == ""
