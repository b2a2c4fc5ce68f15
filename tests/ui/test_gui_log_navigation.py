"""Large logs: the scroll bar spans the whole log, Home and End reach the newest and
oldest event at once, Go to position and Go to time find an event without a scan."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QTableView

import esgui
from esgui.app.seed import seed
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, text_of, wait_live

EVENTS = 3000


def _whole_store(window) -> None:
    scope = child(window, "logScope", QComboBox)
    scope.setCurrentIndex(scope.findData("store"))


def _current(window):
    return window.log.current_row()


def _wait_at(qtbot, window, *, position: int | None = None, version: int | None = None) -> None:
    """The log's current row is the event at `position` (or `version`), fetched."""

    def there() -> bool:
        row = _current(window)
        if row is None:
            return False
        return row.position == position if position is not None else row.version == version

    qtbot.waitUntil(there, timeout=LIVE_TIMEOUT_MS)


def _ready(qtbot, make_window, store):
    seed(store, accounts=4, events=EVENTS, seed=9, user="bulk")
    window = make_window(store.url.render_as_string(hide_password=False))
    wait_live(qtbot, window)
    _whole_store(window)
    view = child(window, "eventsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == EVENTS, timeout=LIVE_TIMEOUT_MS)
    return window, view


def test_the_scroll_bar_spans_the_whole_log_and_home_end_jump(qtbot, make_window, store):
    window, view = _ready(qtbot, make_window, store)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert bar.maximum() >= EVENTS - 40  # every row, not just the fetched ones
    assert "3,000 events of the whole store" in text_of(window, "logFooter")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_End)
    # the rows on screen are fetched at once (not after a delay as long as the scroll)
    qtbot.waitUntil(lambda: window.log.model.row(EVENTS - 1) is not None, timeout=1000)
    _wait_at(qtbot, window, position=1)
    qtbot.keyClick(view, Qt.Key.Key_Home)
    _wait_at(qtbot, window, position=EVENTS)


def test_go_to_position_and_to_time(qtbot, make_window, store):
    window, view = _ready(qtbot, make_window, store)
    edit = child(window, "goToPositionEdit", QLineEdit)
    qtbot.keyClicks(edit, "1,234")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    _wait_at(qtbot, window, position=1234)
    inspector = child(window, "eventInspector")
    qtbot.waitUntil(lambda: "position 1234" in inspector.text(), timeout=LIVE_TIMEOUT_MS)

    target = next(iter(store.read_all(after=776, limit=1)))
    picker = child(window, "goToTimeEdit")
    picker.set_value(target.recorded_at)
    qtbot.keyClick(picker.line, Qt.Key.Key_Return)
    # the newest event recorded at or before that second
    expected = max(e.position for e in store.read_all()
                   if e.recorded_at.replace(microsecond=0) <= target.recorded_at)  # fmt: skip
    _wait_at(qtbot, window, position=expected)


def test_go_to_position_in_one_account_and_in_a_filtered_log(qtbot, make_window, store):
    window, view = _ready(qtbot, make_window, store)
    account = store.aggregate_ids()[1]
    stream = list(store.read_stream(account))
    select_account(qtbot, window, account)
    scope = child(window, "logScope", QComboBox)
    scope.setCurrentIndex(scope.findData("account"))
    qtbot.waitUntil(lambda: view.model().rowCount() == len(stream), timeout=LIVE_TIMEOUT_MS)
    wanted = stream[len(stream) // 2]
    window.log.go_to_position(wanted.position + 1)  # between two of its events: the older
    _wait_at(qtbot, window, version=wanted.version)

    _whole_store(window)
    types = child(window, "logTypeFilter", QComboBox)
    types.setCurrentIndex(types.findData("MoneyDeposited"))
    qtbot.waitUntil(lambda: view.model().rowCount() > 0 and not view.model().direct,
                    timeout=LIVE_TIMEOUT_MS)  # fmt: skip
    deposits = [e.position for e in store.read_all(event_types=["MoneyDeposited"])]
    window.log.go_to_position(1500)
    newest_before = max(p for p in deposits if p <= 1500)
    _wait_at(qtbot, window, position=newest_before)
    assert view.model().index(0, 0).data() == str(newest_before)
    assert "from position 1,500" in text_of(window, "logFooter")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)  # back to the newest deposit
    _wait_at(qtbot, window, position=deposits[-1])
    assert "from position" not in text_of(window, "logFooter")
    qtbot.keyClick(view, Qt.Key.Key_End)  # the oldest deposit, once every match is found
    _wait_at(qtbot, window, position=deposits[0])


def test_new_events_extend_an_unfiltered_log(qtbot, make_window, store):
    window, view = _ready(qtbot, make_window, store)
    esgui.Accounts(store, user="other").open("NEW-1", owner="Nia", initial="1.00")
    qtbot.waitUntil(lambda: view.model().rowCount() == EVENTS + 1, timeout=LIVE_TIMEOUT_MS)
    assert view.model().index(0, 0).data() == str(EVENTS + 1)
    qtbot.waitUntil(lambda: view.model().index(0, 1).data() == "NEW-1", timeout=LIVE_TIMEOUT_MS)
