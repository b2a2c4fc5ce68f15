"""Starting the desktop app: the QApplication, its names, the window, the event loop."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from esgui.app.stores import mask_text
from esgui.config import default_store_path, default_store_url
from esgui.ui.common.theme import app_icon
from esgui.ui.settings import APPLICATION, ORGANIZATION

log = logging.getLogger("esgui.ui")
# Worker threads run Python too (building rows, folding histories); a short GIL switch
# interval lets the GUI thread's callbacks (model data(), slots) in sooner.
GIL_SWITCH_INTERVAL_S = 0.001


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with the names QSettings files itself under."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
    if not QCoreApplication.organizationName():
        QCoreApplication.setOrganizationName(ORGANIZATION)
    if not QCoreApplication.applicationName() or QCoreApplication.applicationName() == "python":
        QCoreApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName("esgui")
    QApplication.setWindowIcon(app_icon())
    assert isinstance(app, QApplication)
    return app


def _install_excepthook(window: object) -> None:
    """An unexpected error in a slot becomes one line in the status bar, not a crash."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        if log.isEnabledFor(logging.DEBUG):
            traceback.print_exception(kind, error, tb)
        status = getattr(window, "status", None)
        if status is not None:
            status.showMessage(f"Unexpected error ({kind.__name__}: "
                               f"{mask_text(str(error))[:200]})", 15000)  # fmt: skip

    sys.excepthook = hook


def run_gui(db_url: str | None, *, user: str | None = None, read_only: bool = False) -> int:
    """Open the explorer on `db_url` (default: the user's store) and run until closed.

    The default store, when this is its first run (the file did not exist), gets demo
    data loaded in the background; any other empty store offers it."""
    from esgui.ui.main_window import MainWindow

    app = ensure_app()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    demo = "offer"
    if db_url is None:
        first_run = not default_store_path().exists()
        db_url = default_store_url()
        if first_run and db_url.startswith("sqlite:///") and not read_only:
            demo = "auto"
    window = MainWindow(db_url, user=user, read_only=read_only, demo=demo)
    _install_excepthook(window)
    _close_on_signals(window)
    window.show()
    return int(app.exec())


def _close_on_signals(window: QWidget) -> None:
    """Ctrl+C or a TERM closes the window properly (settings saved, threads joined).
    Python only sees signals between bytecodes, so a timer lets it look now and then."""

    def close(_signum: int, _frame: object) -> None:
        window.close()

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)
