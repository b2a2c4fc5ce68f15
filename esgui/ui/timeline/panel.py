"""The timeline panel: scrub, step or play (`Playback`) through an account's versions
and see its state at each; the balance chart, in a dock of its own, follows the slider.

The account's history (`AccountHistory`) is loaded once, off the GUI thread, into a
BalanceSeries; every slider step is then an index into it. While it loads, each step
asks for a replay (from the nearest snapshot), and only the newest request runs.
Version 0 is the moment before the account was opened.

Longer than 400 lines because the slider, the state labels, jumps to a time and the
compare actions all act on the one loaded history.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from esgui.app.timeline import BalanceSeries
from esgui.domain.account import AccountState
from esgui.ui.common.formatting import count, local_time, money, utc_iso
from esgui.ui.common.icons import media_icon
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import Task
from esgui.ui.common.time_edit import TimeEdit
from esgui.ui.common.widgets import ElidedLabel, named
from esgui.ui.timeline.balance_chart import BalanceChart
from esgui.ui.timeline.history import AccountHistory
from esgui.ui.timeline.playback import SPEEDS, Playback


class TimelinePanel(QWidget):
    """Slider, step buttons, Play, a time picker, the replayed state and the chart."""

    version_changed = Signal(int, int)  # version, its event's position (0 if unknown)
    history_load_started = Signal(object)  # the Task loading an account's history
    history_loaded = Signal(str)  # account id
    compare_from_requested = Signal()  # "Compare from here": mark the slider's version
    compare_to_requested = Signal()  # "Compare to here": compare the mark with it

    def __init__(self, chart: BalanceChart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "timelinePanel", "Timeline")
        self.chart = chart  # shown in a dock of its own; the timeline drives its marker
        self.history = AccountHistory(self)
        self._following = True  # the slider sits on the newest version: stay there
        self._build()
        self.playback = Playback(self.slider, self.speed, self)
        self._wire()
        self.set_account(None)

    @property
    def account_id(self) -> str:
        """The account shown ("" for none)."""
        return self.history.account_id

    @property
    def series(self) -> BalanceSeries | None:
        """Its history, once loaded."""
        return self.history.series

    @property
    def version(self) -> int:
        """The slider's version."""
        return self.slider.value()

    @property
    def newest(self) -> int:
        """The newest version the slider reaches."""
        return self.slider.maximum()

    def go_to(self, version: int) -> None:
        """Move the slider to `version` (beyond the newest known: the slider grows)."""
        if version > self.slider.maximum():
            self.slider.setMaximum(version)
        self.slider.setValue(version)

    # -- layout --------------------------------------------------------------------------

    def _tool(self, name: str, icon: str, tip: str) -> QToolButton:
        button = named(QToolButton(), name, tip)
        button.setProperty("icon_name", icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setIconSize(QSize(20, 20))
        return button

    def refresh_icons(self) -> None:
        """Draw the control icons in the current palette's text colour (theme change)."""
        color = self.palette().color(QPalette.ColorRole.WindowText)
        for button in (self.first_button, self.back_button, self.play_button,
                       self.forward_button, self.last_button):  # fmt: skip
            name = str(button.property("icon_name"))
            if button is self.play_button and self.playing:
                name = "pause"
            button.setIcon(media_icon(name, color))

    def _build(self) -> None:
        self.account_label = named(ElidedLabel("No account selected"), "timelineAccount",
                                   "Account")  # fmt: skip
        self.account_label.setProperty("role", "title")
        self.first_button = self._tool("firstButton", "first", "First version")
        self.back_button = self._tool("stepBackButton", "back", "Step back")
        self.play_button = self._tool("playButton", "play", "Play")
        self.forward_button = self._tool("stepForwardButton", "forward",
                                         "Step forward")  # fmt: skip
        self.last_button = self._tool("lastButton", "last", "Newest version")
        self.speed = named(QComboBox(), "playSpeed", "Play speed")
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:,} per step", speed)
        self.speed.setToolTip("Versions per Play step")
        self.slider = named(QSlider(Qt.Orientation.Horizontal), "timelineSlider", "Timeline")
        self.slider.setMinimum(0)
        self.slider.setTracking(True)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.slider.setMinimumWidth(240)
        self.slider.setToolTip("Drag, or use the arrow keys, Page Up/Down, Home and End")
        self.loading = QProgressBar()
        self.loading.setMaximumHeight(6)
        self.loading.setTextVisible(False)
        self.loading.hide()

        # blank is "now" (when Go is pressed, not when the window opened); Enter goes
        self.time_edit = TimeEdit("timeEdit", "Jump to time", blank_is_now=True)
        self.jump_button = named(QPushButton("Go to time"), "jumpToTimeButton", "Go to time")
        self.jump_button.setToolTip("Show the account as it was at this date and time")
        self.compare_from_button = named(QPushButton("Compare from here"), "compareFromButton",
                                         "Compare from this version")  # fmt: skip
        self.compare_from_button.setToolTip("Mark this version; then move the slider and "
                                            "press Compare to here")  # fmt: skip
        self.compare_to_button = named(QPushButton("Compare to here…"), "compareToButton",
                                       "Compare to this version")  # fmt: skip
        self.compare_to_button.setToolTip("What changed between the marked version (or the "
                                          "opening) and this one")  # fmt: skip

        self.replay_version = named(QLabel(), "replayVersion", "Version")
        self.replay_balance = named(QLabel(), "replayBalance", "Balance at this version")
        self.replay_status = named(QLabel(), "replayStatus", "Status at this version")
        self.replay_time = named(QLabel(), "replayTime", "Recorded at")
        self.replay_event = named(QLabel(), "replayEvent", "Event")
        for label in (self.replay_version, self.replay_balance, self.replay_status,
                      self.replay_time, self.replay_event):  # fmt: skip
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.replay_balance.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.note = named(QLabel(), "timelineNote", "Timeline note")
        self.note.setWordWrap(True)

        # the slider has a row of its own (beside the transport), so it keeps its room
        # at the window's minimum width; the time jump and comparing share the last row
        controls = QHBoxLayout()
        controls.setSpacing(2)
        for widget in (self.first_button, self.back_button, self.play_button,
                       self.forward_button, self.last_button):  # fmt: skip
            controls.addWidget(widget)
        controls.addWidget(self.slider, 1)
        controls.addSpacing(6)
        controls.addWidget(self.speed)

        facts = QGridLayout()
        facts.setHorizontalSpacing(18)
        facts.setVerticalSpacing(0)
        captions = ("Version", "Balance", "Status", "Recorded", "Event")
        values = (self.replay_version, self.replay_balance, self.replay_status,
                  self.replay_time, self.replay_event)  # fmt: skip
        for column, (caption, value) in enumerate(zip(captions, values, strict=True)):
            title = QLabel(caption)
            title.setProperty("role", "caption")
            facts.addWidget(title, 0, column)
            facts.addWidget(value, 1, column)
        facts.setColumnStretch(len(captions), 1)

        actions = QHBoxLayout()
        actions.addWidget(QLabel("At time"))
        actions.addWidget(self.time_edit)
        actions.addWidget(self.jump_button)
        actions.addStretch(1)
        actions.addWidget(self.compare_from_button)
        actions.addWidget(self.compare_to_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.account_label)
        layout.addLayout(controls)
        layout.addWidget(self.loading)
        layout.addLayout(facts)
        layout.addLayout(actions)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _wire(self) -> None:
        playback = self.playback
        playback.playing_changed.connect(self._on_playing_changed)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.first_button.clicked.connect(playback.to_first)
        self.back_button.clicked.connect(playback.step_back)
        self.forward_button.clicked.connect(playback.step_forward)
        self.last_button.clicked.connect(playback.to_newest)
        self.play_button.clicked.connect(self.toggle_play)
        self.jump_button.clicked.connect(self._on_jump)
        self.time_edit.returnPressed.connect(self._on_jump)
        self.compare_from_button.clicked.connect(self.compare_from_requested)
        self.compare_to_button.clicked.connect(self.compare_to_requested)
        self.chart.version_clicked.connect(self.slider.setValue)
        history = self.history
        history.load_started.connect(self._on_load_started)
        history.load_progressed.connect(self._on_load_progress)
        history.load_ended.connect(self.loading.hide)
        history.loaded.connect(self._on_history)
        history.load_cancelled.connect(self._on_history_cancelled)
        history.load_failed.connect(self._on_history_failed)
        history.extended.connect(self._on_extended)
        history.replayed.connect(self._on_replayed)
        history.replay_failed.connect(self._on_replay_failed)
        history.version_found.connect(self.slider.setValue)

    # -- wiring ----------------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        self.history.set_session(session)
        self.set_account(None)

    def set_account(self, account_id: str | None, version: int = 0) -> None:
        """Show `account_id` (its current version as far as the caller knows)."""
        self.stop_play()
        self.history.set_account(account_id or "")
        self.chart.show_empty("Loading the balance history…" if account_id
                              else "Select an account to see its balance over time")  # fmt: skip
        self.note.setText("")
        enabled = bool(account_id)
        for widget in (self.slider, self.first_button, self.back_button, self.play_button,
                       self.forward_button, self.last_button, self.jump_button,
                       self.time_edit, self.speed, self.compare_from_button,
                       self.compare_to_button):  # fmt: skip
            widget.setEnabled(enabled)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(version, 0))
        self.slider.setValue(max(version, 0))
        self.slider.blockSignals(False)
        self._following = True
        if not account_id:
            self.account_label.set_full_text("No account selected — pick one in Accounts")
            self._show_empty()
            return
        self.account_label.set_full_text(account_id)
        self.playback.choose_speed(version)
        self._show_version(self.slider.value())
        self.history.load()

    def focus_time(self) -> None:
        self.time_edit.setFocus()

    def focus_slider(self) -> None:
        self.slider.setFocus()

    def set_compare_mark(self, version: int | None) -> None:
        """Show which version "Compare to here" compares from (None: the opening)."""
        if version is None:
            self.compare_from_button.setText("Compare from here")
        else:
            self.compare_from_button.setText(f"Compare from v{version:,}")

    def _on_load_started(self, task: Task) -> None:
        self.loading.setRange(0, 0)
        self.loading.show()
        self.history_load_started.emit(task)

    def _on_load_progress(self, done: int, total: int) -> None:
        self.loading.setRange(0, max(total, 1))
        self.loading.setValue(done)

    def _on_history(self, series: BalanceSeries) -> None:
        account_id = self.account_id
        self.account_label.set_full_text(
            f"{account_id} · {series.owner}" if series.owner else account_id
        )
        if series.error:
            self.note.setText(f"Replay stops at version {len(series)}: {series.error}")
        self._set_maximum(max(self.slider.maximum(), len(series)))
        self.chart.set_series(series)
        self._show_version(self.slider.value())
        self.history_loaded.emit(account_id)
        self.account_grew(0)  # events that arrived while it loaded

    def _on_history_cancelled(self) -> None:
        self.note.setText("History not loaded (cancelled): each version is replayed "
                          "when you move to it, and the chart stays empty.")  # fmt: skip
        self.chart.show_empty("History not loaded")

    def _on_history_failed(self, message: str) -> None:
        self.note.setText(f"Could not load the history: {message}")
        self.chart.show_empty("History not loaded")

    def account_grew(self, version: int) -> None:
        """The account has new events (the follower saw them): extend the series."""
        if version > self.slider.maximum() and self.series is None:
            self._set_maximum(version)
        self.history.extend()

    def _on_extended(self) -> None:
        assert self.series is not None
        self._set_maximum(len(self.series))
        self.chart.refresh()

    def _set_maximum(self, maximum: int) -> None:
        following = self._following
        self.slider.setMaximum(maximum)
        if following:
            self.slider.setValue(maximum)
        self._show_version(self.slider.value())

    # -- stepping --------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if self.playback.playing:
            self.stop_play()
        elif self.account_id:
            self.playback.start()

    def stop_play(self) -> None:
        self.playback.stop()

    @property
    def playing(self) -> bool:
        return self.playback.playing

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setToolTip("Pause" if playing else "Play")
        self.play_button.setAccessibleDescription("Pause" if playing else "Play")
        self.refresh_icons()

    def _on_jump(self) -> None:
        when = self.time_edit.value()  # local time unless typed with an offset
        if when is None:
            self.note.setText(f"“{self.time_edit.text()}” is not a time: type it like "
                              "2026-06-15 14:30:00, or leave it blank for now.")  # fmt: skip
            return
        if self.note.text().endswith("leave it blank for now."):
            self.note.setText("")
        self.history.find_version(when)

    # -- showing a version -----------------------------------------------------------------

    def _on_slider_changed(self, version: int) -> None:
        self._following = version >= self.slider.maximum()
        self._show_version(version)

    def _show_empty(self) -> None:
        for label in (self.replay_version, self.replay_balance, self.replay_status,
                      self.replay_time, self.replay_event):  # fmt: skip
            label.setText("—")
        self.chart.set_marker(0)

    def _show_version(self, version: int) -> None:
        if not self.account_id:
            return
        maximum = self.slider.maximum()
        self.replay_version.setText(f"{count(version)} of {count(maximum)}")
        self.chart.set_marker(version)
        if version == 0:
            self.replay_balance.setText("—")
            self.replay_status.setText("Not opened yet")
            self.replay_time.setText("—")
            self.replay_event.setText("Before the account was opened")
            self.version_changed.emit(0, 0)
            return
        point = self.series.at(version) if self.series is not None else None
        if point is not None:
            self.replay_balance.setText(money(point.balance))
            self.replay_status.setText(point.status.capitalize())
            self.replay_time.setText(local_time(point.recorded_at))
            self.replay_time.setToolTip(utc_iso(point.recorded_at))
            other = f" {point.counterparty}" if point.counterparty else ""
            self.replay_event.setText(point.event_type + other)
            self.version_changed.emit(version, point.position)
            return
        self._replay(version)
        self.version_changed.emit(version, 0)

    def _replay(self, version: int) -> None:
        """No series (yet) for this version: replay it off the GUI thread, newest wins."""
        if self.history.replay(version):
            self.replay_balance.setText("…")

    def _on_replayed(self, version: int, state: AccountState) -> None:
        if self.slider.value() != version:
            return
        if self.series is not None and self.series.at(version) is not None:
            return  # the history loaded meanwhile and shows it whole (with its event)
        self.replay_balance.setText(money(state.balance))
        self.replay_status.setText(state.status.capitalize())
        self.replay_time.setText(local_time(state.updated_at))
        self.replay_event.setText("…")  # named once the history has loaded

    def _on_replay_failed(self, version: int, message: str) -> None:
        if self.slider.value() == version:
            self.replay_balance.setText("—")
            self.note.setText(message)
