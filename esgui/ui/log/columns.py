"""The event log's columns and what each shows for an event (formatted off the GUI
thread, with the batch that fetched it)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtGui import QBrush, QColor

from esgui.app.queries import LogRow
from esgui.ui.common.formatting import local_time, money


class LogColumn(IntEnum):
    POSITION = 0
    ACCOUNT = 1
    VERSION = 2
    TYPE = 3
    AMOUNT = 4
    OPERATOR = 5
    RECORDED = 6


HEADERS = ("Position", "Account", "Version", "Type", "Amount", "Operator", "Recorded")
NUMERIC = (LogColumn.POSITION, LogColumn.VERSION, LogColumn.AMOUNT)
SIGNS = {"MoneyDeposited": "+", "MoneyWithdrawn": "-", "TransferReceived": "+",
         "TransferSent": "-"}  # fmt: skip
IN_BRUSH = QBrush(QColor(30, 140, 70))  # money in, in the Amount column
OUT_BRUSH = QBrush(QColor(200, 60, 50))  # money out
Texts = tuple[str, str, str, str, str, str, str]


def texts_of(row: LogRow) -> Texts:
    """What each column shows; computed with the batch, off the GUI thread."""
    try:
        amount = money(row.amount)
    except ArithmeticError:
        amount = row.amount
    if amount:
        amount = SIGNS.get(row.event_type, "") + amount
    return (str(row.position), row.aggregate_id, str(row.version),
            row.event_type + (f" {row.counterparty}" if row.counterparty else "")
            + (" ⚠" if row.unreadable else ""), amount, row.operator,
            local_time(row.recorded_at))  # fmt: skip
