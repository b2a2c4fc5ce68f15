"""Alembic environment: always run on a connection esgui hands over (never from a URL)."""

from __future__ import annotations

from alembic import context

from esgui.store.schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
# PostgreSQL: the version table of *this* schema (current_schema()), never one seen
# further down the search_path (another store's), so a new store is created here.
schema = (
    connection.exec_driver_sql("SELECT current_schema()").scalar()
    if connection.dialect.name == "postgresql"
    else None
)
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    version_table_schema=schema,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
