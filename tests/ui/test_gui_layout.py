"""Nothing cut off or squashed: at the window's minimum size every accounts and log
column shows, the log keeps eight rows under stacked banners, the slider keeps its
room, and a long error never widens the window. The title names the store once."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QTableView

from tests.ui.gui_helpers import child, select_account, wait_live


def _settle(qtbot) -> None:
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)  # a layout pass of the window system's resize, not a database wait


def _fits(view: QTableView) -> bool:
    return view.horizontalScrollBar().maximum() == 0


def test_the_minimum_size_cuts_nothing(qtbot, make_window, store_url):
    import esgui

    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("ACC-000001", owner="Quentin Petrov-Lindqvist")
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "ACC-000001")
    minimum = window.minimumSize()
    assert (minimum.width(), minimum.height()) == (1280, 720)
    window.resize(minimum)
    for banner in (window.read_only_banner, window.error_banner, window.demo_banner,
                   window.audit_banner):  # fmt: skip
        banner.show_message("A banner that says something long enough to need a line. " * 2,
                            "info", (("x", "An action"),))  # fmt: skip
    _settle(qtbot)
    assert window.width() == minimum.width()
    for name in ("accountsView", "eventsView"):
        assert _fits(child(window, name, QTableView)), f"{name} hides columns"
    log = child(window, "eventsView", QTableView)
    assert log.viewport().height() >= 8 * 22, "the log keeps eight rows"
    assert child(window, "timelineSlider").width() >= 240


def test_a_long_error_never_widens_the_window(qtbot, make_window, store_url):
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.resize(window.minimumSize())
    _settle(qtbot)
    width = window.width()
    long = "Could not do it because " + "of a very long reason " * 30
    window.status.set_store(long, False)
    window.commands.amount_hint.set_full_text(long)
    window.commands._show(long, "error")
    window.log._show_note(long)
    _settle(qtbot)
    assert window.width() == width


def test_the_amount_error_does_not_move_the_buttons(qtbot, make_window, store_url):
    window = make_window(store_url)
    wait_live(qtbot, window)
    button = child(window, "depositButton")
    before = button.mapTo(window, button.rect().topLeft())
    window.commands.amount_edit.setText("12.345")
    _settle(qtbot)
    assert "Invalid amount" in window.commands.amount_hint.full_text()
    assert button.mapTo(window, button.rect().topLeft()) == before


def test_the_title_names_the_store_once(qtbot, make_window, store_url):
    window = make_window(store_url)
    wait_live(qtbot, window)
    title = window.windowTitle()
    assert not title.startswith("esgui") and "esgui —" not in title  # Qt appends "— esgui"
    assert QApplication.applicationDisplayName() == "esgui"
