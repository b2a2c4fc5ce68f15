"""Render the main window with demo data to docs/screenshots/main-light.png and
main-dark.png (offscreen, 1400x900, an account selected, the slider mid-history).

    python tools/screenshots.py [--output docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import esgui  # noqa: E402
from esgui.app.seed import seed  # noqa: E402
from esgui.store import NewEvent  # noqa: E402

ACCOUNT = "ACC-000007"


def make_store(path: Path) -> str:
    """Demo data, a few operators' own commands, and two legacy (schema 1) deposits."""
    url = f"sqlite:///{path}"
    with esgui.open_store(url) as store:
        seed(store, accounts=20, events=5000, seed=7, user="seed")
        for user, account, amount in (("alice", "ACC-000003", "250.00"),
                                      ("bob", "ACC-000011", "75.20"),
                                      ("alice", ACCOUNT, "1200.00")):  # fmt: skip
            esgui.Accounts(store, user=user).deposit(account, amount)
        accounts = esgui.Accounts(store, user="carol")
        accounts.open("LEGACY-1", owner="Lena Imported", initial="300.00")
        version = store.current_version("LEGACY-1")
        meta = {"user": "import", "source": "esgui 0.0 export"}
        store.append("LEGACY-1", version, [
            NewEvent("MoneyDeposited", {"amount_cents": 1050}, meta, schema_version=1),
            NewEvent("MoneyWithdrawn", {"amount_cents": 20000}, meta, schema_version=1),
        ])  # fmt: skip
        accounts.deposit("LEGACY-1", "42.00")
    return url


def wait(app: QApplication, done: Callable[[], bool], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if done():
            return
        time.sleep(0.01)
    raise TimeoutError("the window did not get there in time")


def settle(app: QApplication, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(window, app: QApplication, account: str, version: int | None, target: Path) -> None:
    window.accounts.filter_edit.clear()
    window.accounts.select(account)
    wait(app, lambda: window.timeline.series is not None and window.timeline.account_id == account)
    series = window.timeline.series
    window.timeline.slider.setValue(version if version is not None else len(series) // 2)
    wanted = window.timeline.slider.value()
    wait(app, lambda: window.inspector.current_event is not None
         and window.inspector.current_event.version == wanted)  # fmt: skip
    settle(app)
    window.grab().save(str(target))
    print(f"wrote {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = make_store(Path(tmp) / "demo.db")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = esgui.create_main_window(url, user="alice", settings=settings, demo="never")
        window.resize(1400, 900)
        window.show()
        wait(app, lambda: "Live" in window.status.live.text() and window.accounts.model.rowCount())
        window.set_theme("light")
        shoot(window, app, ACCOUNT, None, out / "main-light.png")
        window.set_theme("dark")
        shoot(window, app, "LEGACY-1", 2, out / "main-dark.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
