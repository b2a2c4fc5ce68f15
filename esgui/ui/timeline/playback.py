"""The timeline's transport: Play steps the slider forward on a timer, by the chosen
number of versions per step, and stops at the newest version; single steps (by the
same number: "10 per step" steps 10 versions) and the jumps to the first and newest
version."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QSlider

PLAY_INTERVAL_MS = 80
SPEEDS = (1, 10, 100, 1000)


class Playback(QObject):
    """Drives `slider`; `speed` offers SPEEDS (versions per step, as item data)."""

    playing_changed = Signal(bool)  # playing now (also when a stop found it stopped)

    def __init__(self, slider: QSlider, speed: QComboBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._slider = slider
        self._speed = speed
        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_INTERVAL_MS)
        self._timer.timeout.connect(self._on_tick)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        """Play from here (from the start when the slider is at the newest version)."""
        if self._slider.value() >= self._slider.maximum():
            self._slider.setValue(0)
        self._timer.start()
        self.playing_changed.emit(True)

    def stop(self) -> None:
        self._timer.stop()
        self.playing_changed.emit(False)

    @property
    def step(self) -> int:
        """Versions per step (the speed chosen)."""
        return max(1, int(self._speed.currentData() or 1))

    def step_back(self) -> None:
        self._slider.setValue(max(self._slider.value() - self.step, self._slider.minimum()))

    def step_forward(self) -> None:
        self._slider.setValue(min(self._slider.value() + self.step, self._slider.maximum()))

    def to_first(self) -> None:
        self._slider.setValue(0)

    def to_newest(self) -> None:
        self._slider.setValue(self._slider.maximum())

    def choose_speed(self, versions: int) -> None:
        """The slowest speed that plays `versions` in about 20 s at most."""
        for i, speed in enumerate(SPEEDS):
            if versions / speed * PLAY_INTERVAL_MS / 1000 <= 20:
                self._speed.setCurrentIndex(i)
                return
        self._speed.setCurrentIndex(len(SPEEDS) - 1)

    def _on_tick(self) -> None:
        slider = self._slider
        value = slider.value()
        if value >= slider.maximum():
            self.stop()
            return
        slider.setValue(min(value + self.step, slider.maximum()))
