"""The timeline: slider, step buttons, arrow keys, Play, time jump; log highlight; chart."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QAbstractButton, QTableView

import esgui
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, select_account, slider, text_of, wait_live

# version -> (balance shown, status shown)
HISTORY = {1: ("100.00", "Open"), 2: ("110.50", "Open"), 3: ("80.50", "Open"),
           4: ("1,080.50", "Open"), 5: ("0.00", "Open"), 6: ("0.00", "Closed")}  # fmt: skip


def _make_history(url: str) -> None:
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="setup")
        accounts.open("T1", owner="Tess", initial="100.00")
        accounts.deposit("T1", "10.50")
        accounts.withdraw("T1", "30.00")
        accounts.deposit("T1", "1000.00")
        accounts.withdraw("T1", "1080.50")
        accounts.close("T1")
        accounts.open("T2", owner="Theo", initial="5.00")  # another account in between


def _wait_history(qtbot, window, versions: int) -> None:
    qtbot.waitUntil(lambda: slider(window).maximum() == versions, timeout=LIVE_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.timeline.series is not None, timeout=LIVE_TIMEOUT_MS)


def _selected_version(window) -> int | None:
    view = child(window, "eventsView", QTableView)
    index = view.selectionModel().currentIndex()
    if not index.isValid():
        return None
    return int(view.model().index(index.row(), 2).data())


def test_slider_shows_the_state_at_each_version(qtbot, make_window, store_url):
    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    timeline = slider(window)
    assert timeline.value() == 6  # the newest state first
    for version in (3, 1, 6, 4, 2, 5):
        timeline.setValue(version)
        balance, status = HISTORY[version]
        assert text_of(window, "replayBalance") == balance
        assert text_of(window, "replayStatus") == status
        assert text_of(window, "replayVersion") == f"{version} of 6"
        qtbot.waitUntil(lambda v=version: _selected_version(window) == v)
    timeline.setValue(0)
    assert text_of(window, "replayVersion") == "0 of 6"
    assert text_of(window, "replayStatus") == "Not opened yet"
    assert text_of(window, "replayBalance") == "—"
    assert _selected_version(window) is None  # no event before version 1


def test_the_highlighted_event_is_inspected(qtbot, make_window, store_url):
    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    slider(window).setValue(4)
    inspector = child(window, "eventInspector")
    qtbot.waitUntil(lambda: "MoneyDeposited · T1 version 4" in inspector.text())
    assert '"amount": "1000.00"' in inspector.text()
    assert '"user": "setup"' in inspector.text()


def test_step_buttons_keys_and_play(qtbot, make_window, store_url):
    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    timeline = slider(window)
    timeline.setValue(3)
    child(window, "stepBackButton", QAbstractButton).click()
    assert timeline.value() == 2 and text_of(window, "replayBalance") == "110.50"
    child(window, "stepForwardButton", QAbstractButton).click()
    assert timeline.value() == 3
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Right)
    assert timeline.value() == 4 and text_of(window, "replayBalance") == "1,080.50"
    qtbot.keyClick(timeline, Qt.Key.Key_Left)
    qtbot.keyClick(timeline, Qt.Key.Key_Left)
    assert timeline.value() == 2
    qtbot.keyClick(timeline, Qt.Key.Key_Home)
    assert timeline.value() == 0 and text_of(window, "replayStatus") == "Not opened yet"
    child(window, "playButton", QAbstractButton).click()
    qtbot.waitUntil(lambda: timeline.value() == 6, timeout=LIVE_TIMEOUT_MS)
    assert text_of(window, "replayStatus") == "Closed"
    qtbot.waitUntil(lambda: not window.timeline.playing)


def test_jump_to_a_time(qtbot, make_window, store_url):
    _make_history(store_url)
    with esgui.open_store(store_url) as store:
        third = list(store.read_stream("T1"))[2].recorded_at
        first = list(store.read_stream("T1"))[0].recorded_at
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    picker = child(window, "timeEdit")
    go = child(window, "jumpToTimeButton", QAbstractButton)
    # the picker has whole seconds: pick the second after the third event
    when = (third + timedelta(seconds=1)).replace(microsecond=0)
    picker.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
    go.click()
    assert 3 <= slider(window).value() <= 6
    assert slider(window).value() == window.timeline.series.version_at_time(when)
    before = first - timedelta(days=1)
    picker.setDateTime(QDateTime.fromSecsSinceEpoch(int(before.timestamp())))
    go.click()
    assert slider(window).value() == 0
    assert text_of(window, "replayStatus") == "Not opened yet"


def test_chart_marks_the_slider_version(qtbot, make_window, store_url):
    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    chart = child(window, "balanceChart")
    slider(window).setValue(4)
    assert chart.line.count() == 6
    assert chart.marker_version == 4 and chart.marker_point() is not None
    slider(window).setValue(0)
    assert chart.marker_version == 0 and chart.marker_point() is None


def test_steps_go_by_the_versions_per_step_chosen(qtbot, make_window, store):
    from esgui.app.seed import seed

    seed(store, accounts=1, events=60, seed=5, user="bulk")
    account = store.aggregate_ids()[0]
    window = make_window(store.url.render_as_string(hide_password=False))
    wait_live(qtbot, window)
    select_account(qtbot, window, account)
    newest = store.current_version(account)
    _wait_history(qtbot, window, newest)
    speed = child(window, "playSpeed")
    speed.setCurrentIndex(speed.findData(10))
    slider(window).setValue(20)
    step_forward = next(a for a in _menu_actions(window) if a.shortcut().toString() == "Alt+Right")
    step_back = next(a for a in _menu_actions(window) if a.shortcut().toString() == "Alt+Left")
    step_forward.trigger()
    assert slider(window).value() == 30
    step_back.trigger()
    step_back.trigger()
    assert slider(window).value() == 10
    child(window, "stepForwardButton", QAbstractButton).click()
    assert slider(window).value() == 20


def _menu_actions(window) -> list:
    found = []
    for top in window.menuBar().actions():
        if top.menu() is not None:
            found += [a for a in top.menu().actions() if not a.isSeparator()]
    return found


def test_ctrl_6_raises_review_notes_when_it_is_a_background_tab(qtbot, make_window):
    window = make_window(None)
    notes, inspector = window.notes_dock, window.inspector_dock
    inspector.raise_()
    qtbot.waitUntil(lambda: notes.visibleRegion().isEmpty())
    action = next(a for a in _menu_actions(window) if a.shortcut().toString() == "Ctrl+6")
    assert action.text() == "Review notes"
    action.trigger()  # a background tab: brought to the front, not hidden
    qtbot.waitUntil(lambda: not notes.visibleRegion().isEmpty())
    assert not notes.isHidden() and action.isChecked()
    action.trigger()  # in front: hidden
    assert notes.isHidden() and not action.isChecked()
    action.trigger()  # hidden: shown
    qtbot.waitUntil(lambda: not notes.visibleRegion().isEmpty())


def test_typed_iso_times_go_with_enter_and_blank_is_now(qtbot, make_window, store_url):
    from datetime import datetime

    from PySide6.QtWidgets import QLineEdit

    from esgui.ui.common.time_edit import parse_time

    when, span = parse_time("2026-06-15 00:00:00")  # once read as 2026-12-06 15:00:00
    assert (when.month, when.day, when.hour, span) == (6, 15, 0, timedelta(seconds=1))
    assert parse_time("2026-06-15")[1] == timedelta(days=1)
    assert parse_time("15/06/2026") is None

    _make_history(store_url)
    with esgui.open_store(store_url) as store:
        third = list(store.read_stream("T1"))[2].recorded_at
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    picker = child(window, "timeEdit")
    assert picker.text() == ""  # blank: now, whenever Go is pressed
    line = picker.findChild(QLineEdit)
    typed = third.astimezone().strftime("%Y-%m-%d %H:%M:%S.%f")
    qtbot.keyClicks(line, typed)
    qtbot.keyClick(line, Qt.Key.Key_Return)  # Enter goes
    assert slider(window).value() == 3
    line.clear()
    qtbot.keyClicks(line, "not a time")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert slider(window).value() == 3 and "is not a time" in text_of(window, "timelineNote")
    assert line.property("invalid") == "true"
    line.clear()
    qtbot.keyClick(line, Qt.Key.Key_Return)  # blank: now, so the newest version
    assert slider(window).value() == 6
    assert picker.value() is not None and picker.value() <= datetime.now().astimezone()
    picker.popup.aboutToShow.emit()  # the calendar is given all the room it asks for
    assert picker.calendar.minimumSize() == picker.calendar.sizeHint()


def test_a_late_replay_never_blanks_the_event(qtbot, make_window, store_url):
    """Jumping to a version (from the verify dialog, say) before the history has
    loaded asks for a replay; if that answer comes after the history, it must not
    blank what the history shows (the Event label was left empty)."""
    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    window.selection.show_event("T1", 3)  # what the verify dialog's double-click does
    _wait_history(qtbot, window, 6)
    qtbot.waitUntil(lambda: text_of(window, "replayEvent") == "MoneyWithdrawn")
    with esgui.open_store(store_url) as store:
        late = esgui.Accounts(store, user="check").state("T1", at_version=3)
    window.timeline._on_replayed(3, late)  # the replay's answer, arriving late
    assert text_of(window, "replayEvent") == "MoneyWithdrawn"
    assert text_of(window, "replayBalance") == "80.50"


def test_the_log_shows_the_slider_event_again_after_a_new_filter(qtbot, make_window, store_url):
    from PySide6.QtWidgets import QComboBox

    _make_history(store_url)
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "T1")
    _wait_history(qtbot, window, 6)
    slider(window).setValue(3)
    qtbot.waitUntil(lambda: _selected_version(window) == 3)
    scope = child(window, "logScope", QComboBox)
    for where in ("store", "account"):
        scope.setCurrentIndex(scope.findData(where))
        qtbot.waitUntil(lambda: window.log.current_row() is not None
                        and window.log.current_row().version == 3
                        and window.log.current_row().aggregate_id == "T1",
                        timeout=LIVE_TIMEOUT_MS)  # fmt: skip
        qtbot.waitUntil(lambda: window.inspector.current_event is not None
                        and window.inspector.current_event.version == 3,
                        timeout=LIVE_TIMEOUT_MS)  # fmt: skip
