"""The backend of a store URL or SQLAlchemy dialect: SQLite or PostgreSQL."""

from __future__ import annotations

from esgui.store.backend import Backend
from esgui.store.postgresql import BACKEND as POSTGRESQL
from esgui.store.sqlite import BACKEND as SQLITE

BACKENDS: dict[str, Backend] = {SQLITE.name: SQLITE, POSTGRESQL.name: POSTGRESQL}
# Driver errors that reach the store without SQLAlchemy's wrapping (engine.translated)
DRIVER_ERRORS: tuple[type[BaseException], ...] = SQLITE.driver_errors + POSTGRESQL.driver_errors
# Driver errors that mean "cannot use the database now" (StoreUnavailable)
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    SQLITE.unavailable_errors + POSTGRESQL.unavailable_errors
)


def backend_for(name: str) -> Backend:
    """The backend of a dialect (``engine.dialect.name``, ``url.get_backend_name()``)."""
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"esgui stores live in SQLite or PostgreSQL, not {name!r}") from None
