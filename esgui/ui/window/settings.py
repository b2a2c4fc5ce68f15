"""What the explorer remembers (QSettings): theme, window layout, recent stores, the
withdrawal amount above which to ask.

One settings file, however the explorer was started (`main.py`, `esgui gui`, `python
-m esgui`): the application name is always "esgui" (`esgui.ini` under the "esgui"
organisation). Older versions named it after the script (`main.py.ini`, …); its values
are carried over once (`carry_over_legacy`).

A store is remembered by its URL without any password: a PostgreSQL store that needed
one asks for it again (the Connect dialog opens, filled in but for the password).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QByteArray, QSettings

from esgui.app.store_names import describe
from esgui.app.stores import without_password
from esgui.domain.money import parse_amount
from esgui.errors import InvalidInput

MAX_RECENT = 8
CONFIRM_WITHDRAWALS_OVER = Decimal("1000.00")  # the default of commands/confirm_withdrawals_over
ORGANIZATION = "esgui"
APPLICATION = "esgui"
LEGACY_APPLICATIONS = ("main.py", "__main__.py")  # what older versions were filed under
_CARRIED = "meta/carried_over_from"


def carry_over_legacy(settings: QSettings | None = None) -> list[str]:
    """Copy the values of older settings files (named after the script that started
    the explorer) into this one, once; keys already set here win. Returns the files
    carried over."""
    target = settings if settings is not None else QSettings()
    if target.value(_CARRIED):
        return []
    carried: list[str] = []
    for name in LEGACY_APPLICATIONS:
        legacy = QSettings(target.format(), QSettings.Scope.UserScope, ORGANIZATION, name)
        if legacy.fileName() == target.fileName() or not legacy.allKeys():
            continue
        for key in legacy.allKeys():
            if not target.contains(key):
                target.setValue(key, legacy.value(key))
        carried.append(legacy.fileName())
    target.setValue(_CARRIED, ";".join(carried) or "-")
    target.sync()
    return carried


@dataclass(frozen=True)
class RecentStore:
    url: str  # never holds a password
    label: str
    needs_password: bool = False


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

    # -- commands --------------------------------------------------------------------------

    @property
    def confirm_withdrawals_over(self) -> Decimal:
        """Withdrawals above this amount ask for a confirmation (default 1,000.00)."""
        raw = self.q.value("commands/confirm_withdrawals_over", "")
        try:
            return parse_amount(str(raw)) if raw else CONFIRM_WITHDRAWALS_OVER
        except InvalidInput:
            return CONFIRM_WITHDRAWALS_OVER

    @confirm_withdrawals_over.setter
    def confirm_withdrawals_over(self, amount: Decimal) -> None:
        self.q.setValue("commands/confirm_withdrawals_over", f"{amount:.2f}")

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
        entry = RecentStore(safe, describe(safe), had_password)
        items = [entry] + [item for item in self.recent() if item.url != safe]
        self.q.setValue("stores/recent", json.dumps([
            {"url": i.url, "label": i.label, "needs_password": i.needs_password}
            for i in items[:MAX_RECENT]
        ]))  # fmt: skip

    def clear_recent(self) -> None:
        self.q.setValue("stores/recent", "[]")

    def sync(self) -> None:
        self.q.sync()
