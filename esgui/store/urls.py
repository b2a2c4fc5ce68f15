"""Store URLs: parsing and normalising them, naming a store to a person, and keeping
passwords out of everything that is shown or saved.

A store is a SQLite file (``sqlite:///PATH``) or a PostgreSQL database
(``postgresql://USER@HOST/DB``, any form SQLAlchemy and libpq accept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import URL, make_url

from esgui.errors import StoreUnavailable
from esgui.store import multihost


def parse_store_url(url: str | URL) -> URL:
    """Parse and normalise a store URL; unknown schemes are a StoreError (exit 4)."""
    if isinstance(url, URL):
        parsed = url
    else:
        if not isinstance(url, str) or not url.strip():
            raise StoreUnavailable("No store URL given")
        try:
            parsed = make_url(multihost.normalise(url.strip()))
        except (exc.ArgumentError, ValueError):
            raise StoreUnavailable(
                f"Not a store URL: {mask_text(url)!r} (expected sqlite:///FILE or "
                "postgresql://USER@HOST/DB)"
            ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    raise StoreUnavailable(
        f"Unsupported store URL {describe_url(parsed)!r}: esgui stores live in SQLite "
        "(sqlite:///FILE) or PostgreSQL (postgresql://USER@HOST/DB)"
    )


def describe_url(url: str | URL) -> str:
    """How to name a store to a person: the file of a SQLite store, or the PostgreSQL
    URL with its password masked (for titles, messages and saved settings)."""
    try:
        parsed = url if isinstance(url, URL) else make_url(multihost.normalise(url))
    except Exception:  # noqa: BLE001 - unparsable: mask what looks like a password
        return mask_text(str(url))
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        return str(path) if path is not None else "in-memory SQLite store"
    backend = parsed.get_backend_name()
    if multihost.is_multi_host(parsed):
        return multihost.describe(parsed)
    return parsed.set(drivername=backend).render_as_string(hide_password=True)


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_PASSWORD_KV = re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE)


def mask_text(text: str) -> str:
    """Mask anything that looks like a password inside free text."""
    return _PASSWORD_KV.sub(r"\1***", _PASSWORD_IN_URL.sub(r"\1***@", text))


def sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def sqlite_url(path: str | Path) -> str:
    """The store URL of a SQLite file (made absolute)."""
    return f"sqlite:///{Path(path).resolve()}"


def without_password(url: str) -> tuple[str, bool]:
    """(url with its password removed, whether it had one)."""
    try:
        parsed = make_url(multihost.normalise(url))
    except Exception:  # noqa: BLE001 - not a URL: keep nothing that could be a secret
        return "", False
    had_password = parsed.password is not None
    # URL.set(password=None) would keep the password: build the URL again without it.
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=parsed.query)  # fmt: skip
    return bare.render_as_string(hide_password=False), had_password


@dataclass(frozen=True, slots=True)
class PgConnection:
    """The parts of a PostgreSQL store URL a person fills in (File ▸ Connect)."""

    host: str = ""
    port: int = 5432
    database: str = ""
    user: str = ""
    password: str = ""
    schema: str = ""

    @classmethod
    def from_url(cls, url: str) -> PgConnection | None:
        """The parts of `url`, or None when it is not a URL at all."""
        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001 - a bad remembered URL: start blank
            return None
        schema = ""
        options = parsed.query.get("options")
        if isinstance(options, str) and "search_path=" in options:
            schema = options.split("search_path=", 1)[1].split()[0]
        return cls(parsed.host or "", parsed.port or 5432, parsed.database or "",
                   parsed.username or "", parsed.password or "", schema)  # fmt: skip

    def url(self) -> str:
        query: dict[str, str] = {}
        if self.schema.strip():
            query["options"] = f"-csearch_path={self.schema.strip()}"
        return URL.create(
            "postgresql+psycopg",
            username=self.user.strip() or None,
            password=self.password or None,
            host=self.host.strip() or None,
            port=self.port,
            database=self.database.strip() or None,
            query=query,
        ).render_as_string(hide_password=False)
