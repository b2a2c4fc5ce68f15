"""Is the store's append-only protection in place? The triggers the migrations install
(0002: events and review notes; later migrations add tables to `PROTECTED_TABLES`)
and, on PostgreSQL, the privileges around them.

`check_protection` compares what the database holds with what the schema defines:
- every protected table has its triggers, defined as esgui defines them (SQLite:
  ``BEFORE UPDATE``/``BEFORE DELETE`` that ``RAISE(ABORT…)``; PostgreSQL: one
  statement-level ``BEFORE UPDATE OR DELETE OR TRUNCATE`` trigger calling
  ``esgui_refuse_change()``, enabled, and that function still raising);
- PostgreSQL: no protected table grants UPDATE, DELETE or TRUNCATE to PUBLIC.

A problem here is not proof of tampering, but it means the database no longer stops
edits on its own; `verify` reports it as a finding (exit 1) and the window warns
(docs/audit.md, docs/gui.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

#: Tables the migrations make append-only. A migration that protects another table adds
#: it here (one line), with triggers named as below.
PROTECTED_TABLES: tuple[str, ...] = (
    "events", "review_notes", "snapshots", "saved_queries", "verify_runs",
)  # fmt: skip

_SQLITE_OPERATIONS = ("UPDATE", "DELETE")
# pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32
_PG_TGTYPE = 2 | 8 | 16 | 32  # statement-level BEFORE UPDATE OR DELETE OR TRUNCATE
_PG_FUNCTION = "esgui_refuse_change"


@dataclass(frozen=True, slots=True)
class ProtectionProblem:
    table: str
    message: str


def sqlite_trigger(table: str, operation: str) -> str:
    return f"esgui_{table}_no_{operation.lower()}"


def postgresql_trigger(table: str) -> str:
    return f"esgui_{table}_append_only"


def check_protection(
    conn: Connection, tables: tuple[str, ...] = PROTECTED_TABLES
) -> list[ProtectionProblem]:
    """What is missing or altered in the append-only protection (empty: all there)."""
    if conn.dialect.name == "postgresql":
        return _check_postgresql(conn, tables)
    return _check_sqlite(conn, tables)


def _squash(sql: str | None) -> str:
    return " ".join((sql or "").upper().split())


def _check_sqlite(conn: Connection, tables: tuple[str, ...]) -> list[ProtectionProblem]:
    rows = conn.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
    ).all()
    triggers = {name: (table, _squash(sql)) for name, table, sql in rows}
    problems: list[ProtectionProblem] = []
    for table in tables:
        for operation in _SQLITE_OPERATIONS:
            name = sqlite_trigger(table, operation)
            found = triggers.get(name)
            if found is None:
                problems.append(ProtectionProblem(
                    table, f"the append-only trigger {name} on {table} is missing: "
                           f"{operation} of {table} rows is no longer refused"))  # fmt: skip
                continue
            on_table, sql = found
            if (on_table != table or f"BEFORE {operation} ON {table.upper()}" not in sql
                    or "RAISE(ABORT" not in sql.replace(" ", "") or " WHEN " in sql):  # fmt: skip
                problems.append(ProtectionProblem(
                    table, f"the append-only trigger {name} on {table} was altered: it no "
                           f"longer refuses every {operation}"))  # fmt: skip
    return problems


def _check_postgresql(conn: Connection, tables: tuple[str, ...]) -> list[ProtectionProblem]:
    problems: list[ProtectionProblem] = []
    function_ok = conn.execute(
        text(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname = :name AND n.nspname = current_schema() "
            "AND p.prosrc ILIKE '%RAISE EXCEPTION%'"
        ),
        {"name": _PG_FUNCTION},
    ).scalar()
    for table in tables:
        name = postgresql_trigger(table)
        row = conn.execute(
            text(
                "SELECT t.tgtype, t.tgenabled, p.proname, pn.nspname = current_schema() "
                "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "JOIN pg_namespace pn ON pn.oid = p.pronamespace "
                "WHERE t.tgrelid = to_regclass(quote_ident(current_schema()) || '.' || :table) "
                "AND t.tgname = :name"
            ),
            {"table": table, "name": name},
        ).first()
        if row is None:
            problems.append(ProtectionProblem(
                table, f"the append-only trigger {name} on {table} is missing: UPDATE, "
                       f"DELETE and TRUNCATE of {table} are no longer refused"))  # fmt: skip
            continue
        tgtype, enabled, function, same_schema = row
        enabled = enabled.decode() if isinstance(enabled, bytes) else str(enabled)
        if enabled == "D":
            problems.append(ProtectionProblem(
                table, f"the append-only trigger {name} on {table} is disabled"))  # fmt: skip
        elif (int(tgtype) & 0x3F) != _PG_TGTYPE or function != _PG_FUNCTION or not same_schema:
            problems.append(ProtectionProblem(
                table, f"the append-only trigger {name} on {table} was altered: it no "
                       "longer refuses every UPDATE, DELETE and TRUNCATE"))  # fmt: skip
        elif not function_ok:
            problems.append(ProtectionProblem(
                table, f"the function {_PG_FUNCTION}() behind the {table} trigger was "
                       "altered: it no longer refuses the change"))  # fmt: skip
    grants = conn.execute(
        text(
            "SELECT c.relname, a.privilege_type FROM pg_class c "
            "CROSS JOIN LATERAL aclexplode(c.relacl) a "
            "WHERE c.relnamespace = to_regnamespace(quote_ident(current_schema())) "
            "AND c.relname = ANY(:tables) AND a.grantee = 0 "
            "AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') "
            "ORDER BY c.relname, a.privilege_type"
        ),
        {"tables": list(tables)},
    ).all()
    for table, privilege in grants:
        problems.append(ProtectionProblem(
            table, f"every role (PUBLIC) is granted {privilege} on {table}"))  # fmt: skip
    return problems


def install_statements(dialect: str, tables: tuple[str, ...] = PROTECTED_TABLES) -> list[str]:
    """The statements that (re)install the append-only triggers of `tables`, exactly as
    migration 0002 defines them (for repairs and tests; PostgreSQL needs the function
    esgui_refuse_change() that 0002 created)."""
    statements: list[str] = []
    for table in tables:
        if dialect == "postgresql":
            statements.append(
                f"CREATE TRIGGER {postgresql_trigger(table)} "
                f"BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()"
            )
            continue
        for operation in _SQLITE_OPERATIONS:
            statements.append(
                f"CREATE TRIGGER {sqlite_trigger(table, operation)} BEFORE {operation} ON "
                f"{table} BEGIN SELECT RAISE(ABORT, 'esgui: {table} is append-only; "
                f"{operation} refused'); END"
            )
    return statements
