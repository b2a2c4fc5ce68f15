"""Render the audit views over a demo store to docs/screenshots/: verify.png (a tampered
store: the verify result, the bad events marked in the log and the inspector) and
diff.png (two versions of an account compared from the timeline).

    python tools/audit_screenshots.py [--output docs/screenshots] [--theme light|dark]

Offscreen, 1400x900, light theme by default. Dialogs are separate windows, so each picture is the
main window with the dialog drawn over it (with a title bar and a shadow).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QPoint, QRect, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402
from screenshots import ACCOUNT, make_store, settle, shrink, wait  # noqa: E402

import esgui  # noqa: E402
from esgui.audit.notes import add_note  # noqa: E402

# versions of ACCOUNT edited behind esgui's back: a deposit's amount (raised: a lowered
# one could overdraw the replayed balance), another event's operator
TAMPERED = (73, 76)
NOTED = 75
TITLE_H = 28


def _event(store: esgui.EventStore, version: int) -> esgui.RecordedEvent:
    return next(iter(store.read_stream(ACCOUNT, version, version)))


def prepare(url: str, path: Path) -> None:
    """Review notes, then tampering with plain SQL (as the file's owner could)."""
    with esgui.open_store(url) as store:
        noted = _event(store, NOTED)
        add_note(store, "Cash deposit above the reporting threshold: source of funds "
                 "requested (ticket AUD-2231).", author="auditor-kim",
                 event_id=noted.event_id)  # fmt: skip
        add_note(store, "Account selected for the annual review.", author="auditor-kim",
                 account_id=ACCOUNT)  # fmt: skip
        altered = _event(store, TAMPERED[0])
        assert altered.event_type == "MoneyDeposited", altered
        positions = [altered.position, _event(store, TAMPERED[1]).position]
    conn = sqlite3.connect(path)
    try:
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS esgui_events_no_{op}")
        conn.execute('UPDATE events SET data = \'{"amount": "9500.00"}\' WHERE position = ?',
                     (positions[0],))  # fmt: skip
        conn.execute("UPDATE events SET operator = 'mallory' WHERE position = ?", (positions[1],))
        conn.commit()
    finally:
        conn.close()


def composite(window: QWidget, dialog: QDialog, at: QPoint) -> QPixmap:
    """The window with `dialog` drawn over it at `at` (its frame: title bar, shadow)."""
    base = window.grab()
    face = dialog.grab()
    painter = QPainter(base)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    frame = QRect(at.x(), at.y(), face.width(), face.height() + TITLE_H)
    for spread, alpha in ((14, 18), (9, 26), (5, 40), (2, 60)):
        painter.fillRect(frame.adjusted(-spread, -spread + 4, spread, spread + 4),
                         QColor(0, 0, 0, alpha))  # fmt: skip
    title = QRect(frame.x(), frame.y(), frame.width(), TITLE_H)
    dark = dialog.palette().window().color().lightness() < 128
    painter.fillRect(title, QColor("#3a4047" if dark else "#dfe4ea"))
    painter.setPen(QColor("#e6e6e6" if dark else "#1d2125"))
    font = QFont(dialog.font())
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(title.adjusted(12, 0, -12, 0), Qt.AlignmentFlag.AlignVCenter,
                     dialog.windowTitle())  # fmt: skip
    painter.drawPixmap(frame.x(), frame.y() + TITLE_H, face)
    painter.setPen(QColor("#9aa3ad"))
    painter.drawRect(frame.adjusted(0, 0, -1, -1))
    painter.end()
    return base


def open_window(app: QApplication, url: str, tmp: Path, theme: str):
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = esgui.create_main_window(url, user="auditor-kim", settings=settings, demo="never")
    window.resize(1400, 900)
    window.show()
    wait(app, lambda: "Live" in window.status.live.text() and window.accounts.model.rowCount())
    window.set_theme(theme)
    wait(app, lambda: window.notes.model.rowCount() == 2)
    window.accounts.select(ACCOUNT)
    wait(app, lambda: window.timeline.series is not None)
    return window


def shoot_verify(app: QApplication, window, target: Path) -> None:
    window.timeline.slider.setValue(TAMPERED[0])
    wait(app, lambda: window.inspector.current_event is not None
         and window.inspector.current_event.version == TAMPERED[0])  # fmt: skip
    window.audit.verify()
    dialog = window.audit.verify_dialog
    wait(app, lambda: window.audit.result is not None)
    dialog.resize(700, 350)
    window.status.clearMessage()
    settle(app)
    composite(window, dialog, QPoint(24, 330)).save(str(target))
    shrink(target)
    dialog.hide()
    print(f"wrote {target}")


def shoot_diff(app: QApplication, window, target: Path) -> None:
    window.audit_banner.hide()
    window.timeline.slider.setValue(60)
    window.audit.compare_from_here()
    window.timeline.slider.setValue(70)
    wait(app, lambda: window.inspector.current_event is not None
         and window.inspector.current_event.version == 70)  # fmt: skip
    window.audit.compare_to_here()
    dialog = window.audit.diff_dialog
    wait(app, lambda: dialog.diff is not None and dialog.diff.to_version == 70)
    dialog.resize(640, 560)
    window.status.clearMessage()
    settle(app)
    composite(window, dialog, QPoint(24, 220)).save(str(target))
    shrink(target)
    dialog.hide()
    print(f"wrote {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="docs/screenshots")
    parser.add_argument("--theme", default="light", choices=("light", "dark"))
    args = parser.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "demo.db"
        url = make_store(path)
        prepare(url, path)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        window = open_window(app, url, tmp, args.theme)
        shoot_verify(app, window, out / "verify.png")
        shoot_diff(app, window, out / "diff.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
