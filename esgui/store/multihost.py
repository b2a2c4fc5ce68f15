"""Multi-host PostgreSQL URLs (a primary and its standbys, for failover).

SQLAlchemy takes several servers as repeated ``host`` query parameters::

    postgresql+psycopg://user@/db?host=a:5432&host=b:5432&target_session_attrs=read-write

libpq also takes them in the URI's host part (``postgresql://user@a:5432,b:5432/db``)
and in its key/value form (``host=a,b port=5432,5432 dbname=db``); SQLAlchemy's URL
parser cannot read those, so they are rewritten into the form above first. People see
the libpq URI form (``describe``), with the password masked.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from sqlalchemy.engine import URL

_URI = re.compile(
    r"^(?P<scheme>postgres(?:ql)?(?:\+\w+)?)://(?:(?P<userinfo>[^@/?]*)@)?"
    r"(?P<hosts>[^/?@]*,[^/?@]*)(?P<rest>[/?].*)?$"
)
_KEY_VALUE = re.compile(r"^\s*\w+\s*=")


def normalise(text: str) -> str:
    """`text` with libpq's multi-host forms rewritten for SQLAlchemy; anything else is
    returned unchanged."""
    match = _URI.match(text)
    if match:
        rest = match["rest"] or ""
        path, _, query = rest.partition("?")
        hosts = "&".join(f"host={quote(h.strip(), safe=':[]')}"
                         for h in match["hosts"].split(",") if h.strip())  # fmt: skip
        userinfo = f"{match['userinfo']}@" if match["userinfo"] is not None else ""
        tail = f"&{query}" if query else ""
        return f"{match['scheme']}://{userinfo}{path or '/'}?{hosts}{tail}"
    if "://" not in text and _KEY_VALUE.match(text):
        return _from_key_value(text)
    return text


def _from_key_value(text: str) -> str:
    from psycopg.conninfo import conninfo_to_dict  # the driver parses its own format

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(text).items() if v is not None}
    except Exception:  # noqa: BLE001 - not a conninfo after all: let the URL parser say so
        return text
    hosts = [h.strip() for h in params.pop("host", "").split(",") if h.strip()]
    ports = [p.strip() for p in params.pop("port", "").split(",") if p.strip()]
    if len(ports) == 1:
        ports *= max(len(hosts), 1)
    user = params.pop("user", None)
    password = params.pop("password", None)
    database = params.pop("dbname", None)
    query: dict[str, str | tuple[str, ...]] = dict(params)
    if len(hosts) > 1 or (hosts and len(ports) > 1):
        padded = ports + [""] * (len(hosts) - len(ports))
        query["host"] = tuple(f"{h}:{p}" if p else h for h, p in zip(hosts, padded, strict=False))
        host, port = None, None
    else:
        host = hosts[0] if hosts else None
        port = int(ports[0]) if ports else None
    return URL.create(
        "postgresql",
        username=user,
        password=password,
        host=host,
        port=port,
        database=database,
        query=query,
    ).render_as_string(hide_password=False)


def hosts(url: URL) -> list[str]:
    """The host:port of every server a PostgreSQL URL names, in order."""
    listed = url.query.get("host")
    if isinstance(listed, tuple):
        return list(listed)
    if isinstance(listed, str):
        return [h for h in listed.split(",") if h]
    if url.host:
        return [f"{url.host}:{url.port}" if url.port else url.host]
    return []


def is_multi_host(url: URL) -> bool:
    return len(hosts(url)) > 1


def describe(url: URL) -> str:
    """A multi-host URL as a person reads it (libpq's URI form, password masked)."""
    userinfo = quote(url.username or "", safe="")
    if url.password is not None:
        userinfo += ":***"
    at = f"{userinfo}@" if userinfo else ""
    query = {k: v for k, v in url.query.items() if k != "host"}
    pairs = [(k, item) for k, v in query.items()
             for item in (v if isinstance(v, tuple) else (v,))]  # fmt: skip
    tail = f"?{urlencode(pairs)}" if pairs else ""
    return f"{url.get_backend_name()}://{at}{','.join(hosts(url))}/{url.database or ''}{tail}"
