"""Store URLs: parsing and normalising them, naming a store to a person, and keeping
passwords out of everything that is shown or saved.

A store is a SQLite file (``sqlite:///PATH``) or a PostgreSQL database
(``postgresql://USER@HOST/DB``, any form SQLAlchemy and libpq accept).

Passwords: `mask_text` is the one masking function; everything that names a store to
a person or saves it (`describe_url`, `without_password`, error messages) goes through
it. It masks the password of ``scheme://user:PASSWORD@host`` (also with unencoded
``@`` in the password: the host starts after the last ``@``), ``?password=…`` and
``sslpassword=…`` query parameters and libpq ``key=value`` strings, quoted or not.

Malformed or unsupported URLs, in-memory SQLite (whose writes vanish when the command
ends) and ``sqlite://FILE`` (two slashes: a host, not a path) are InvalidInput (exit 2);
a well-formed URL whose database can't be reached is a StoreError (exit 4).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import URL, make_url

from esgui.errors import InvalidInput
from esgui.store import multihost

_EXPECTED = "expected sqlite:///FILE or postgresql://USER@HOST/DB"
# scheme://USERINFO@HOST…: the userinfo ends at the *last* "@" before the path, so a
# password with an unencoded "@" is still all userinfo (hosts never hold an "@").
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<info>[^\s/?#]*)@")


def _encode_userinfo(text: str) -> str:
    """`text` with any "@" inside its userinfo percent-encoded (what the user meant)."""
    match = _USERINFO.match(text)
    if match is None or "@" not in match.group("info"):
        return text
    info = match.group("info").replace("@", "%40")
    return f"{match.group('scheme')}{info}@{text[match.end() :]}"


def _make_url(text: str) -> URL:
    """SQLAlchemy's URL of `text`: an unencoded "@" in the password encoded, libpq's
    multi-host forms turned into SQLAlchemy's (esgui.store.multihost)."""
    return make_url(multihost.normalise(_encode_userinfo(text.strip())))


def parse_store_url(url: str | URL) -> URL:
    """Parse and normalise a store URL. Malformed, unsupported or in-memory URLs are
    InvalidInput (exit 2); reaching the database is the engine's business (exit 4)."""
    if isinstance(url, URL):
        parsed = url
    else:
        if not isinstance(url, str) or not url.strip():
            raise InvalidInput(f"No store URL given ({_EXPECTED})")
        try:
            parsed = _make_url(url)
        except (exc.ArgumentError, ValueError):
            raise InvalidInput(f"Not a store URL: {mask_text(url)!r} ({_EXPECTED})") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        _check_sqlite(parsed)
        return parsed.set(drivername="sqlite+pysqlite")
    raise InvalidInput(
        f"Unsupported store URL {describe_url(parsed)!r}: esgui stores live in SQLite "
        "(sqlite:///FILE) or PostgreSQL (postgresql://USER@HOST/DB)"
    )


def _check_sqlite(parsed: URL) -> None:
    """Refuse the SQLite URLs that would not name a file that outlives the command."""
    if parsed.host:
        raise InvalidInput(
            f"sqlite://{parsed.host}{'/' + parsed.database if parsed.database else ''} names a "
            f"host, not a file: a SQLite store is sqlite:///FILE (three slashes, e.g. "
            f"sqlite:///{parsed.host}) or sqlite:////ABSOLUTE/PATH"
        )
    database = parsed.database or ""
    if not database or database == ":memory:" or "mode=memory" in str(parsed.query):
        raise InvalidInput(
            "In-memory SQLite stores are refused: everything written to one is lost when "
            "the command ends. Name a file: sqlite:///FILE"
        )
    if database.startswith("file:"):
        raise InvalidInput(
            f"SQLite URI file names ({database.split('?')[0]!r}) are not supported: "
            "name the file as sqlite:///FILE"
        )


def describe_url(url: str | URL) -> str:
    """How to name a store to a person: the file of a SQLite store, or the PostgreSQL
    URL with its password masked (for titles, messages and saved settings)."""
    try:
        parsed = url if isinstance(url, URL) else _make_url(url)
    except Exception:  # noqa: BLE001 - unparsable: mask what looks like a password
        return mask_text(str(url))
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        return str(path) if path is not None else "in-memory SQLite store"
    backend = parsed.get_backend_name()
    if multihost.is_multi_host(parsed):
        return mask_text(multihost.describe(parsed))
    return mask_text(parsed.set(drivername=backend).render_as_string(hide_password=True))


# password=VALUE in a query string or a libpq key=value string (also sslpassword=…);
# VALUE is quoted ('a b', with \' escapes) or runs to the next space, "&" or quote.
_PASSWORD_KV = re.compile(
    r"""((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|"[^"]*"?|[^\s&'"]*)""", re.IGNORECASE
)


def _mask_userinfo(match: re.Match[str]) -> str:
    info = match.group("info")
    if ":" not in info:
        return match.group(0)  # a user name only
    return f"{match.group('scheme')}{info.split(':', 1)[0]}:***@"


def mask_text(text: str) -> str:
    """Mask anything that looks like a password inside free text (URL userinfo, query
    parameters, libpq key=value): the one masking function of esgui."""
    return _PASSWORD_KV.sub(r"\1***", _USERINFO.sub(_mask_userinfo, text))


class MaskingFormatter(logging.Formatter):
    """A log formatter whose output (message, arguments and traceback alike) goes
    through `mask_text`: what the desktop app logs never shows a password."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


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
        parsed = _make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: keep nothing that could be a secret
        return "", False
    secret_keys = {key for key in parsed.query if _is_password_key(key)}
    had_password = parsed.password is not None or bool(secret_keys)
    query = {k: v for k, v in parsed.query.items() if k not in secret_keys}
    # URL.set(password=None) would keep the password: build the URL again without it.
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=query)  # fmt: skip
    return bare.render_as_string(hide_password=False), had_password


def _is_password_key(key: str) -> bool:
    return key.strip().lower() in {"password", "sslpassword"}


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
            parsed = make_url(_encode_userinfo(url.strip()))
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
