"""What the explorer remembers (QSettings): theme, window layout, recent stores.

A store is remembered by its URL without any password: a PostgreSQL store that needed
one asks for it again (the Connect dialog opens, filled in but for the password).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from sqlalchemy.engine import URL, make_url

from esgui.store.engine import describe_url

MAX_RECENT = 8
ORGANIZATION = "esgui"
APPLICATION = "esgui"


@dataclass(frozen=True)
class RecentStore:
    url: str  # never holds a password
    label: str
    needs_password: bool = False


def without_password(url: str) -> tuple[str, bool]:
    """(url with its password removed, whether it had one)."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - not a URL: keep nothing that could be a secret
        return "", False
    had_password = parsed.password is not None
    # URL.set(password=None) would keep the password: build the URL again without it.
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=parsed.query)  # fmt: skip
    return bare.render_as_string(hide_password=False), had_password


class Settings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.q = settings if settings is not None else QSettings()

    # -- theme -------------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        value = str(self.q.value("view/theme", "light") or "light")
        return value if value in ("light", "dark") else "light"

    @theme.setter
    def theme(self, name: str) -> None:
        self.q.setValue("view/theme", name)

    # -- window --------------------------------------------------------------------------------

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry = self.q.value("window/geometry")
        state = self.q.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) else None,
                state if isinstance(state, QByteArray) else None)  # fmt: skip

    def save_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    # -- recent stores -----------------------------------------------------------------------

    def recent(self) -> list[RecentStore]:
        raw = self.q.value("stores/recent", "[]")
        try:
            items = json.loads(raw if isinstance(raw, str) else "[]")
        except ValueError:
            return []
        found: list[RecentStore] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"]:
                found.append(RecentStore(item["url"], str(item.get("label") or item["url"]),
                                         bool(item.get("needs_password"))))  # fmt: skip
        return found[:MAX_RECENT]

    def add_recent(self, url: str) -> None:
        safe, had_password = without_password(url)
        if not safe:
            return
        entry = RecentStore(safe, describe_url(safe), had_password)
        items = [entry] + [item for item in self.recent() if item.url != safe]
        self.q.setValue("stores/recent", json.dumps([
            {"url": i.url, "label": i.label, "needs_password": i.needs_password}
            for i in items[:MAX_RECENT]
        ]))  # fmt: skip

    def clear_recent(self) -> None:
        self.q.setValue("stores/recent", "[]")

    def sync(self) -> None:
        self.q.sync()
