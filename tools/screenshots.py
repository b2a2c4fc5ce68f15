"""Render the explorer over demo data to docs/screenshots/, offscreen:

- main-light.png, main-dark.png: the window at its default size (1400×900), an
  account selected, the slider mid-history, the inspector's before/after.
- main-minimum.png: the window at its minimum size (1280×720), the accounts filter
  hiding the selected account (which stays the command target), an invalid amount.
- log-go-to.png: the whole store's log after Go to position, the event in the inspector.
- as-of.png: the accounts as of a time mid-history, the banner up, commands disabled.
- transfer.png: the transfer form filled in, the inspector listing a transfer's
  correlation (both legs).
- confirm.png (a large withdrawal asks first), connect.png, report-dialog.png,
  shortcuts.png, threshold.png, export-dialog.png, note-dialog.png,
  projection-check.png: each dialog as it opens, with a title bar drawn on.

    python tools/screenshots.py [--output docs/screenshots]

(tools/audit_screenshots.py renders verify.png and diff.png.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPoint, QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QWidget  # noqa: E402

import esgui  # noqa: E402
from esgui.app.seed import seed  # noqa: E402
from esgui.store import NewEvent  # noqa: E402

ACCOUNT = "ACC-000007"
TITLE_H = 28


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
        esgui.Accounts(store, user="alice").transfer(ACCOUNT, "ACC-000003", "125.00",
                                                     reference="invoice 2026-117")  # fmt: skip
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


def framed(dialog: QWidget) -> QPixmap:
    """`dialog` as the window system shows it: a title bar above, a thin border."""
    face = dialog.grab()
    image = QPixmap(face.width() + 2, face.height() + TITLE_H + 2)
    image.fill(QColor("#9aa3ad"))
    painter = QPainter(image)
    dark = dialog.palette().window().color().lightness() < 128
    title = QRect(1, 1, face.width(), TITLE_H)
    painter.fillRect(title, QColor("#3a4047" if dark else "#dfe4ea"))
    painter.setPen(QColor("#e6e6e6" if dark else "#1d2125"))
    font = QFont(dialog.font())
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(title.adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter,
                     f"{dialog.windowTitle()} — esgui")  # fmt: skip
    painter.drawPixmap(1, TITLE_H + 1, face)
    painter.end()
    return image


def over(window: QWidget, dialog: QWidget) -> QPixmap:
    """The window with `dialog` (framed) drawn centred over it."""
    base = window.grab()
    face = framed(dialog)
    painter = QPainter(base)
    at = QPoint((base.width() - face.width()) // 2, (base.height() - face.height()) // 3)
    for spread, alpha in ((12, 20), (6, 34), (2, 60)):
        shadow = QRect(at, face.size()).adjusted(-spread, -spread + 4, spread, spread + 4)
        painter.fillRect(shadow, QColor(0, 0, 0, alpha))
    painter.drawPixmap(at, face)
    painter.end()
    return base


def shrink(target: Path) -> None:
    """A large picture in 256 colours (a third of the size, alike to the eye), when
    ImageMagick is there."""
    convert = shutil.which("convert")
    if convert and target.stat().st_size > 100_000:
        subprocess.run([convert, str(target), "-dither", "None", "-colors", "256",
                        f"PNG8:{target}"], check=False)  # fmt: skip


def save(image: QPixmap, target: Path) -> None:
    image.save(str(target), "PNG", 9)
    shrink(target)
    print(f"wrote {target} ({target.stat().st_size // 1024} KB)")


def shoot_main(window: Any, app: QApplication, account: str, version: int | None,
               target: Path) -> None:  # fmt: skip
    window.accounts.filter_edit.clear()
    window.accounts.select(account)
    wait(app, lambda: window.timeline.series is not None and window.timeline.account_id == account)
    series = window.timeline.series
    window.timeline.slider.setValue(version if version is not None else len(series) // 2)
    wanted = window.timeline.slider.value()
    wait(app, lambda: window.inspector.current_event is not None
         and window.inspector.current_event.version == wanted
         and window.inspector.states is not None)  # fmt: skip
    settle(app)
    save(window.grab(), target)


def shoot_minimum(window: Any, app: QApplication, target: Path) -> None:
    window.resize(window.minimumSize())
    window.accounts.select(ACCOUNT)
    wait(app, lambda: window.timeline.series is not None and window.timeline.account_id == ACCOUNT)
    window.accounts.filter_edit.setText("jensen")
    window.commands.amount_edit.setText("12.345")
    settle(app)
    save(window.grab(), target)
    window.accounts.filter_edit.clear()
    window.commands.amount_edit.clear()


def shoot_go_to(window: Any, app: QApplication, target: Path) -> None:
    log = window.log
    log.scope.setCurrentIndex(log.scope.findData("store"))
    wait(app, lambda: log.model.rowCount() > 5000)
    log.position_edit.setText("2,500")
    log.position_edit.returnPressed.emit()
    wait(app, lambda: log.current_row() is not None and log.current_row().position == 2500)
    wait(app, lambda: window.inspector.current_event is not None
         and window.inspector.current_event.position == 2500
         and window.inspector.states is not None)  # fmt: skip
    settle(app)
    save(window.grab(), target)
    log.position_edit.clear()
    log.scope.setCurrentIndex(log.scope.findData("account"))


def shoot_as_of(window: Any, app: QApplication, target: Path) -> None:
    with esgui.open_store(window.session.url) as store:
        times = [e.recorded_at for e in store.read_all(limit=2500)]
    window.accounts.as_of.show_as_of(times[-1])
    wait(app, lambda: window.as_of_banner.isVisible())
    settle(app)
    save(window.grab(), target)
    window.accounts.as_of.back_to_now()
    wait(app, lambda: not window.as_of_banner.isVisible())


def shoot_transfer(window: Any, app: QApplication, target: Path) -> None:
    window.accounts.select(ACCOUNT)
    wait(app, lambda: window.timeline.series is not None and window.timeline.account_id == ACCOUNT)
    window.timeline.slider.setValue(len(window.timeline.series))
    wait(app, lambda: window.inspector.correlation is not None
         and len(window.inspector.correlation.events) == 2)  # fmt: skip
    window.commands.to_edit.setText("ACC-000011")
    window.commands.amount_edit.setText("80.00")
    window.commands.reference_edit.setText("refund, ticket 4411")
    settle(app)
    save(window.grab(), target)
    for edit in (window.commands.to_edit, window.commands.amount_edit,
                 window.commands.reference_edit):  # fmt: skip
        edit.clear()


def shoot_dialogs(window: Any, app: QApplication, out: Path, tmp: Path) -> None:
    from esgui.ui.audit.export_dialog import ExportDialog
    from esgui.ui.audit.note_dialog import NoteDialog
    from esgui.ui.audit.report_dialog import ReportDialog
    from esgui.ui.window.menus import shortcut_table
    from esgui.ui.window.shortcuts_dialog import ShortcutsDialog
    from esgui.ui.window.store_dialog import ConnectDialog

    window.accounts.select(ACCOUNT)
    wait(app, lambda: window.timeline.series is not None)
    commands = window.commands
    commands.amount_edit.setText("2500.00")
    commands.withdraw()
    box = window.findChild(QMessageBox, "confirmCommandDialog")
    settle(app, 0.3)
    save(over(window, box), out / "confirm.png")
    box.reject()
    commands.amount_edit.clear()

    dialogs: list[tuple[QWidget, str]] = [
        (ConnectDialog(window, "postgresql://alice@db.example:5432/bank?options="
                       "-csearch_path%3Dteam_a"), "connect.png"),
        (ReportDialog(window, ACCOUNT, Path.home()), "report-dialog.png"),
        (ShortcutsDialog(window, shortcut_table(window.menuBar())), "shortcuts.png"),
        (ExportDialog(window, window.log.model.query, Path.home()), "export-dialog.png"),
        (NoteDialog(window, event=window.inspector.current_event, account_id=ACCOUNT,
                    author="alice"), "note-dialog.png"),
    ]  # fmt: skip
    threshold = QInputDialog(window)
    threshold.setWindowTitle("Confirm withdrawals over")
    threshold.setLabelText("Withdrawals above this amount ask for a confirmation first\n"
                           "(0.01 asks for every withdrawal):")  # fmt: skip
    threshold.setTextValue("1000.00")
    dialogs.append((threshold, "threshold.png"))
    for dialog, name in dialogs:
        dialog.show()
        settle(app, 0.3)
        save(framed(dialog), out / name)
        dialog.close()

    window.audit.check_projection()
    projection = window.audit.projection_dialog
    wait(app, lambda: projection.report is not None)
    settle(app, 0.3)
    save(framed(projection), out / "projection-check.png")
    projection.hide()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = make_store(tmp / "demo.db")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        window = esgui.create_main_window(url, user="alice", settings=settings, demo="never")
        window.resize(1400, 900)
        window.show()
        wait(app, lambda: "Live" in window.status.live.text() and window.accounts.model.rowCount())
        window.set_theme("light")
        shoot_main(window, app, ACCOUNT, None, out / "main-light.png")
        shoot_go_to(window, app, out / "log-go-to.png")
        shoot_as_of(window, app, out / "as-of.png")
        shoot_transfer(window, app, out / "transfer.png")
        shoot_dialogs(window, app, out, tmp)
        window.set_theme("dark")
        shoot_main(window, app, "LEGACY-1", 2, out / "main-dark.png")
        window.set_theme("light")
        shoot_minimum(window, app, out / "main-minimum.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
