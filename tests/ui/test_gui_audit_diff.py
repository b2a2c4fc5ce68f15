"""Timeline ▸ Compare versions: two versions picked in the timeline, the changed state
fields and the events in between — on every backend."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QSpinBox, QTableView

import esgui
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import READY_TIMEOUT_MS, child, select_account, slider, wait_live


def _table(view: QTableView) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip


def _window(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        make_history(store)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "A1")
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=READY_TIMEOUT_MS)
    return window


def test_compare_two_versions_picked_in_the_timeline(qtbot, make_window, store_url):
    window = _window(qtbot, make_window, store_url)
    slider(window).setValue(1)
    child(window, "compareFromButton", QAbstractButton).click()
    assert child(window, "compareFromButton").text() == "Compare from v1"
    slider(window).setValue(4)
    child(window, "compareToButton", QAbstractButton).click()
    dialog = window.audit.diff_dialog
    headline = child(dialog, "diffHeadline", QLabel)
    qtbot.waitUntil(lambda: headline.text() == "A1: version 1 → 4 · 3 events in between",
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert dialog.isVisible()
    assert (child(dialog, "diffFrom", QSpinBox).value(), child(dialog, "diffTo").value()) == (1, 4)
    fields = _table(child(dialog, "diffFields", QTableView))
    assert fields[0] == ["Balance", "100.00", "125.25"]
    assert fields[1] == ["Version", "1", "4"]
    assert fields[2][0] == "Last change" and len(fields) == 3
    headers = [dialog.fields_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["Field", "Version 1", "Version 4"]
    events = _table(child(dialog, "diffEvents", QTableView))
    assert [(e[0], e[1], e[3], e[4], e[5]) for e in events] == [
        ("3", "2", "MoneyDeposited", "+50.00", "alice"),
        ("5", "3", "MoneyWithdrawn", "-30.00", "bob"),
        ("9", "4", "MoneyDeposited", "+5.25", "alice"),
    ]
    assert child(dialog, "diffSummary", QLabel).text() == (
        "Money in 55.25 · money out 30.00 · net +25.25 · MoneyDeposited 2, MoneyWithdrawn 1"
    )

    # the spin boxes pick any other pair; version 0 is before the opening
    dialog.from_spin.setValue(0)
    qtbot.waitUntil(lambda: headline.text().startswith("A1: version 0 → 4"),
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    fields = _table(dialog.fields)
    assert ["Owner", "— (not opened yet)", "Alice Andersen"] in fields
    assert ["Status", "— (not opened yet)", "Open"] in fields
    assert dialog.events_model.rowCount() == 4

    # "Slider" takes the timeline's version; double-clicking an event moves the slider
    slider(window).setValue(2)
    child(dialog, "diffToSlider", QAbstractButton).click()
    qtbot.waitUntil(lambda: headline.text() == "A1: version 0 → 2 · 2 events in between",
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    dialog.events.doubleClicked.emit(dialog.events_model.index(0, 0))
    assert slider(window).value() == 1


def test_without_a_mark_the_comparison_starts_at_the_opening(qtbot, make_window, store_url):
    window = _window(qtbot, make_window, store_url)
    slider(window).setValue(3)
    window.menu_actions.compare_to.trigger()
    dialog = window.audit.diff_dialog
    qtbot.waitUntil(lambda: dialog.headline.text() == "A1: version 0 → 3 · 3 events in between",
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    # the same version twice: nothing changed
    dialog.from_spin.setValue(3)
    qtbot.waitUntil(lambda: dialog.headline.text() == "A1: version 3 → 3 · 0 events in between",
                    timeout=READY_TIMEOUT_MS)  # fmt: skip
    assert _table(dialog.fields) == [["No field changed", "", ""]]
    assert "No events in between" in dialog.money.text()
    # another account clears the mark and follows on the next comparison
    window.menu_actions.compare_from.trigger()
    assert child(window, "compareFromButton").text() == "Compare from v3"
    select_account(qtbot, window, "B1")
    assert child(window, "compareFromButton").text() == "Compare from here"
