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

from sqlalchemy.engine import URL, make_url

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
    if password is not None and user is None:
        # a URL shows no password without a user: keep it as libpq's own parameter
        query["password"], password = password, None
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
    # the schema option last: esgui.app.store_names writes it as "(schema NAME)"
    query = {k: v for k, v in sorted(url.query.items(), key=lambda kv: kv[0] == "options")
             if k != "host"}  # fmt: skip
    pairs = [(k, item) for k, v in query.items()
             for item in (v if isinstance(v, tuple) else (v,))]  # fmt: skip
    tail = f"?{urlencode(pairs)}" if pairs else ""
    return f"postgresql://{at}{','.join(hosts(url))}/{url.database or ''}{tail}"


# -- File ▸ Connect: a primary and its standbys ----------------------------------------


def parse_hosts(text: str, default_port: int = 5432) -> list[str]:
    """`host:port, host:port` (a port may be left out) → ["host:port", …]."""
    from esgui.errors import InvalidInput

    found = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        host, colon, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
        if not colon:
            host, port = item, str(default_port)
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535 or " " in host:
            raise InvalidInput(f"Not a host:port: {item!r} (e.g. db2.example.com:5432)")
        found.append(f"{host}:{int(port)}")
    return found


def add_hosts(url: str, more_hosts: str, read_write: bool) -> str:
    """A single-server URL with more servers after it (tried in order), and with
    target_session_attrs=read-write when `read_write` (connect to the primary only)."""
    parsed = make_url(url)
    listed = hosts(parsed) + parse_hosts(more_hosts, parsed.port or 5432)
    query = dict(parsed.query)
    host, port = parsed.host, parsed.port
    if len(listed) > 1:
        query["host"] = tuple(listed)
        host = port = None  # (URL.set(host=None) would keep the host)
    if read_write:
        query["target_session_attrs"] = "read-write"
    return URL.create(parsed.drivername, username=parsed.username, password=parsed.password,
                      host=host, port=port, database=parsed.database,
                      query=query).render_as_string(hide_password=False)  # fmt: skip


def split_hosts(url: str) -> tuple[str, int, str, bool] | None:
    """(first host, its port, the other hosts as text, read-write only) of a
    multi-host URL; None for any other."""
    try:
        parsed = make_url(normalise(url))
    except Exception:  # noqa: BLE001 - not a URL: the dialog starts blank
        return None
    listed = hosts(parsed)
    if len(listed) < 2:
        return None
    first, _, port = listed[0].rpartition(":")
    read_write = parsed.query.get("target_session_attrs") == "read-write"
    return first, int(port) if port.isdigit() else 5432, ", ".join(listed[1:]), read_write
