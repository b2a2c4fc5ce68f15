"""Starting the explorer: the QApplication and its names, the main window
(`create_main_window`, CONTRACTS §4), and `run_gui`'s event loop with an error hook
and a clean close on Ctrl+C or TERM."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QStatusBar, QWidget

from esgui.app.stores import MaskingFormatter, mask_text
from esgui.config import default_store_path, default_store_url
from esgui.ui.common.theme import app_icon
from esgui.ui.window.main_window import MainWindow
from esgui.ui.window.settings import APPLICATION, ORGANIZATION, carry_over_legacy

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
    # one name however it was started (main.py, esgui gui, python -m esgui): one settings file
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName("esgui")
    QApplication.setWindowIcon(app_icon())
    assert isinstance(app, QApplication)
    return app


def create_main_window(url: str | None = None, **options: Any) -> MainWindow:
    """The main window over the store at `url`, not yet shown (CONTRACTS §4).

    Options: `user`, `read_only`, `settings` (a QSettings), `demo` ("offer", "auto"
    or "never": what to do with an empty store; "auto" loads demo data into `url`
    only, stores opened later are offered it), `create`."""
    ensure_app()
    return MainWindow(url, **options)


def _install_excepthook(status: QStatusBar) -> None:
    """An unexpected error in a slot becomes one line in the status bar, not a crash."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, error, tb))
        if log.isEnabledFor(logging.DEBUG):
            traceback.print_exception(kind, error, tb)
        status.showMessage(f"Unexpected error ({kind.__name__}: "
                           f"{mask_text(str(error))[:200]})", 15000)  # fmt: skip

    sys.excepthook = hook


def _log_masked() -> None:
    """The app's warnings and errors (and their tracebacks) go to stderr masked: no
    password in any form reaches a log (esgui.store.urls.mask_text)."""
    logger = logging.getLogger("esgui")
    if not any(isinstance(h.formatter, MaskingFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        handler.setFormatter(MaskingFormatter("esgui: %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def startup(db_url: str | None, *, read_only: bool = False) -> tuple[str, str, bool]:
    """(url, demo, create) for a start on `db_url`. Only the default store is created on
    its first start (and gets demo data); a --db/ESGUI_DB path that does not exist is
    reported ("No store at …"), never made (File ▸ New store makes one)."""
    if db_url is not None:
        return db_url, "offer", False
    first_run = not default_store_path().exists()
    url = default_store_url()
    create = url == f"sqlite:///{default_store_path()}"
    demo = "auto" if first_run and create and not read_only else "offer"
    return url, demo, create


def run_gui(db_url: str | None, *, user: str | None = None, read_only: bool = False) -> int:
    """Open the explorer on `db_url` (default: the user's store) and run until closed.

    The default store, when this is its first run (the file did not exist), gets demo
    data loaded in the background; any other empty store offers it."""
    app = ensure_app()
    _log_masked()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    carry_over_legacy()
    db_url, demo, create = startup(db_url, read_only=read_only)
    window = MainWindow(db_url, user=user, read_only=read_only, demo=demo, create=create)
    _install_excepthook(window.status)
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
