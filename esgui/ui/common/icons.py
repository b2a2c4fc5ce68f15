"""Media-control icons drawn in the theme's text colour (the style's own are too dark
on the dark theme)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPixmap, QPolygonF

SIZE = 32


def _triangle(x0: float, x1: float, pointing_right: bool) -> QPolygonF:
    top, bottom, middle = 7.0, 25.0, 16.0
    if pointing_right:
        return QPolygonF([QPointF(x0, top), QPointF(x1, middle), QPointF(x0, bottom)])
    return QPolygonF([QPointF(x1, top), QPointF(x0, middle), QPointF(x1, bottom)])


def _shape(name: str) -> QPainterPath:
    path = QPainterPath()
    if name == "play":
        path.addPolygon(_triangle(9, 25, True))
    elif name == "pause":
        path.addRect(QRectF(9, 7, 5, 18))
        path.addRect(QRectF(18, 7, 5, 18))
    elif name == "back":
        path.addPolygon(_triangle(11, 23, False))
        path.addRect(QRectF(7, 7, 3, 18))
    elif name == "forward":
        path.addPolygon(_triangle(9, 21, True))
        path.addRect(QRectF(22, 7, 3, 18))
    elif name == "first":
        path.addRect(QRectF(5, 7, 3, 18))
        path.addPolygon(_triangle(9, 18, False))
        path.addPolygon(_triangle(18, 27, False))
    elif name == "last":
        path.addPolygon(_triangle(5, 14, True))
        path.addPolygon(_triangle(14, 23, True))
        path.addRect(QRectF(24, 7, 3, 18))
    path.closeSubpath()
    return path


def media_icon(name: str, color: QColor) -> QIcon:
    """play | pause | back | forward | first | last, filled with `color`."""
    icon = QIcon()
    for disabled in (False, True):
        pixmap = QPixmap(SIZE, SIZE)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(color)
        if disabled:
            fill.setAlphaF(0.35)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(_shape(name))
        painter.end()
        mode = QIcon.Mode.Disabled if disabled else QIcon.Mode.Normal
        icon.addPixmap(pixmap, mode)
    return icon


def mark_icon(kind: str) -> QIcon:
    """Row markers of the event log: "problem" (a red disc with "!", an integrity
    problem) or "note" (an amber tag, a review note). Readable on both themes."""
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    if kind == "problem":
        painter.setBrush(QColor(205, 40, 35))
        painter.drawEllipse(QRectF(3, 3, 26, 26))
        painter.setBrush(QColor(255, 255, 255))
        painter.drawRoundedRect(QRectF(14, 8, 4, 11), 1.5, 1.5)
        painter.drawEllipse(QRectF(13.5, 21, 5, 5))
    else:
        painter.setBrush(QColor(230, 150, 20))
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(5, 6), QPointF(20, 6), QPointF(28, 16),
                                   QPointF(20, 26), QPointF(5, 26)]))  # fmt: skip
        path.closeSubpath()
        painter.drawPath(path)
        painter.setBrush(QColor(255, 255, 255))
        painter.drawEllipse(QRectF(17, 13, 6, 6))
    painter.end()
    return QIcon(pixmap)
