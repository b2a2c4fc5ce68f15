"""Rows of the event log marked by the last verification (integrity problems) and by
review notes, by position.

The marks are handed over once as position -> message maps; the model's `data()` looks
each painted row up here (a dict lookup: nothing is queried per cell), through any
later filter."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QBrush, QColor, QIcon

from esgui.ui.common.icons import mark_icon

BAD_BRUSH = QBrush(QColor(220, 40, 35, 70))  # translucent: reads on both themes


class LogMarks:
    def __init__(self) -> None:
        self.problems: dict[int, str] = {}  # position -> integrity problem (verify)
        self.notes: dict[int, str] = {}  # position -> review notes on that event
        self._icons = {"problem": mark_icon("problem"), "note": mark_icon("note")}

    def set_problems(self, problems: Mapping[int, str]) -> None:
        self.problems = dict(problems)

    def set_notes(self, notes: Mapping[int, str]) -> None:
        self.notes = dict(notes)

    def clear(self) -> None:
        self.problems, self.notes = {}, {}

    def background(self, position: int) -> QBrush | None:
        return BAD_BRUSH if position in self.problems else None

    def icon(self, position: int) -> QIcon | None:
        """A red "!" for a problem, else an amber tag for a note."""
        if position in self.problems:
            return self._icons["problem"]
        return self._icons["note"] if position in self.notes else None

    def tooltip(self, position: int) -> str | None:
        marks = [text for text in (self.problems.get(position), self.notes.get(position))
                 if text]  # fmt: skip
        return "\n".join(marks) if marks else None
