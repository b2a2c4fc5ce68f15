"""Work-arounds for bugs in the Qt binding, applied once when esgui.ui is imported.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without a new reference, so
every emit whose result is dropped takes one reference from ``True``. On Python 3.11
(where ``True`` is not immortal) a long session then crashes with "bool_dealloc".
pyproject.toml excludes that release; if it is installed anyway, ``True`` and
``False`` get a refcount no session can exhaust (what Python 3.12 does for them).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_HEADROOM = 1 << 40


class _Probe(QObject):
    pinged = Signal()


def emit_drops_references() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.pinged.emit()
    return sys.getrefcount(True) < before


def apply() -> bool:
    """Apply the guard if this binding needs it; True when it was applied."""
    if sys.version_info >= (3, 12) or not emit_drops_references():
        return False
    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += _HEADROOM
    return True


APPLIED = apply()
