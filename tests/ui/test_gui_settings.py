"""What the window remembers (never a password), themes, demo data, menus."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QTableView, QWidget

import esgui
from esgui.ui.window.settings import Settings, without_password
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, wait_live


def test_recent_stores_never_keep_a_password(settings_file):
    settings = Settings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    settings.add_recent("postgresql+psycopg://alice:s3cret@db.example/bank")
    settings.add_recent("sqlite:////tmp/a.db")
    settings.add_recent("postgresql+psycopg://alice:s3cret@db.example/bank")  # moves to top
    settings.sync()
    assert "s3cret" not in settings_file.read_text()
    recent = settings.recent()
    assert [r.needs_password for r in recent] == [True, False]
    assert recent[0].url == "postgresql+psycopg://alice@db.example/bank"
    assert without_password("sqlite:////x.db") == ("sqlite:////x.db", False)


def test_layout_theme_and_recent_store_are_remembered(qtbot, make_window, store_url, settings_file):
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.set_theme("dark")
    assert QApplication.instance().property("esgui_theme") == "dark"
    window.inspector_dock.hide()
    window.close()
    again = make_window(None)
    assert again.theme == "dark"
    assert not again.inspector_dock.isVisible()
    assert again.settings.recent()[0].url.startswith(store_url.split("?")[0])
    again.set_theme("light")


def test_every_menu_action_with_a_shortcut_is_listed(qtbot, make_window):
    from esgui.ui.window.menus import shortcut_table

    window = make_window(None)
    table = dict(shortcut_table(window.menuBar()))
    for path in ("File ▸ Open store…", "Timeline ▸ Play / pause", "Account ▸ Deposit",
                 "Projection ▸ Rebuild from the log…", "View ▸ Toggle light/dark"):  # fmt: skip
        assert table.get(path), path
    assert len(set(table.values())) == len(table), "a shortcut is used twice"


def test_an_empty_store_offers_demo_data_and_loads_it(qtbot, make_window, store_url):
    window = make_window(store_url, demo="offer")
    banner = window.findChild(QWidget, "demoBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS)
    banner.action_clicked.emit("demo")
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 20, timeout=30_000)
    with esgui.open_store(store_url) as store:
        assert store.head()[0] == 5000
    assert not banner.isVisible()


def test_first_run_loads_demo_data_by_itself_and_rebuild_works(qtbot, make_window, store_url):
    window = make_window(store_url, demo="auto")
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 20, timeout=30_000)
    qtbot.waitUntil(lambda: "5,000 events" in child(window, "eventCount").text(),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    window.rebuild_projection(confirm=False)
    qtbot.waitUntil(lambda: "Rebuilt the projection from 5,000 events"
                    in window.statusBar().currentMessage(), timeout=30_000)  # fmt: skip
    qtbot.waitUntil(lambda: view.model().rowCount() == 20, timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: "lag 0" in child(window, "projectionStatus").text(),
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip


def test_a_cancelled_rebuild_pauses_and_catch_up_finishes_it(qtbot, make_window, store):
    from esgui.app.seed import seed
    from esgui.projections import AccountProjector

    seed(store, accounts=10, events=16_000, seed=4, user="bulk")
    AccountProjector(store).catch_up()
    window = make_window(store.url.render_as_string(hide_password=False))
    wait_live(qtbot, window)
    window.rebuild_projection(confirm=False)
    child(window, "taskCancel").click()
    qtbot.waitUntil(lambda: "Rebuild cancelled" in window.statusBar().currentMessage(),
                    timeout=30_000)  # fmt: skip
    live = child(window, "liveIndicator")
    qtbot.waitUntil(lambda: "Paused" in live.text(), timeout=LIVE_TIMEOUT_MS)
    assert AccountProjector(store).checkpoint() < 16_000
    window.catch_up()
    qtbot.waitUntil(lambda: "lag 0" in child(window, "projectionStatus").text()
                    and "Live" in live.text(), timeout=30_000)  # fmt: skip
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 10, timeout=LIVE_TIMEOUT_MS)
    assert AccountProjector(store).checkpoint() == 16_000


def test_one_settings_file_however_it_was_started(qtbot, isolated_settings):
    """main.py used to file its settings under main.py.ini, `esgui gui` under esgui.ini;
    now both use esgui.ini, and an old main.py.ini's values are carried over once."""
    from PySide6.QtCore import QCoreApplication

    from esgui.ui.window.launch import ensure_app
    from esgui.ui.window.settings import carry_over_legacy

    QCoreApplication.setApplicationName("main.py")  # what python main.py used to give
    ensure_app()
    assert QCoreApplication.applicationName() == "esgui"
    assert QCoreApplication.organizationName() == "esgui"
    legacy = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "esgui", "main.py")
    legacy.setValue("view/theme", "dark")
    legacy.setValue("stores/recent", '[{"url": "sqlite:////tmp/old.db", "label": "old"}]')
    legacy.sync()
    current = QSettings()
    assert current.fileName().endswith("esgui/esgui.ini")
    current.setValue("stores/recent", "[]")  # set here already: kept
    assert carry_over_legacy(current) == [legacy.fileName()]
    assert Settings(current).theme == "dark"
    assert current.value("stores/recent") == "[]"
    assert carry_over_legacy(current) == []  # once


def test_the_shortcuts_list_scrolls_and_filters(qtbot, qtmodeltester, make_window):
    from esgui.ui.window.menus import shortcut_table
    from esgui.ui.window.shortcuts_dialog import ShortcutsDialog

    window = make_window(None)
    rows = shortcut_table(window.menuBar())
    dialog = ShortcutsDialog(window, rows)
    qtmodeltester.check(dialog.proxy)
    assert dialog.proxy.rowCount() == len(rows) > 30
    dialog.filter.setText("ctrl+6")
    assert [dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())] == [
        "View ▸ Review notes"
    ]
    qtmodeltester.check(dialog.proxy)
    assert dialog.height() < window.minimumSize().height()  # fits the smallest window
