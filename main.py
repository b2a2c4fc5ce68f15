"""Start the esgui desktop explorer: `python main.py [--db URL] [--user NAME] [--read-only]`.

The same as `esgui gui`; options also come from ESGUI_DB, ESGUI_USER, ESGUI_READ_ONLY.
When Qt cannot start (a system library missing, no display) it says which, in one line.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

# Debian/Ubuntu package names that do not follow from the library's name.
_PACKAGES = {"libglib-2.0": "libglib2.0-0", "libgthread-2.0": "libglib2.0-0"}


def package_of(library: str) -> str:
    """The Debian/Ubuntu package of a shared library: libxcb-icccm.so.4 -> libxcb-icccm4."""
    base, _, version = library.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if base in _PACKAGES:
        return _PACKAGES[base]
    name = base.lower()
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def qt_problem() -> str | None:
    """Why Qt's desktop platform cannot start here, in one line (None: it can)."""
    try:
        import PySide6
        from PySide6 import QtWidgets  # noqa: F401 - loads Qt's own libraries
    except ImportError as error:
        missing = str(error).split(":")[0].strip()
        if ".so" in missing:
            return _missing(missing)
        return f"PySide6 cannot be imported ({error}); reinstall with pip install -e ."
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, …: Qt says for itself
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY") and not platform:
            return None
        return ("no display: DISPLAY is not set (start it in a desktop session, or with "
                "QT_QPA_PLATFORM=offscreen to run without one)")  # fmt: skip
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    missing = ""
    if plugin.exists():
        try:
            ctypes.CDLL(str(plugin))
        except OSError as error:
            missing = str(error).split(":")[0].strip()
    if not missing and ctypes.util.find_library("xcb-cursor") is None:
        missing = "libxcb-cursor.so.0"  # Qt ≥ 6.5 loads it itself, at start
    return _missing(missing) if missing else None


def _missing(library: str) -> str:
    return (f"{library} is missing (Debian/Ubuntu: sudo apt-get install "
            f"{package_of(Path(library).name)}); README.md lists what Qt needs")  # fmt: skip


if __name__ == "__main__":
    argv = sys.argv[1:]
    if "gui" not in argv:
        argv = [*argv, "gui"]
    if "-h" not in argv and "--help" not in argv:
        problem = qt_problem()
        if problem:
            print(f"esgui: Qt cannot start: {problem}", file=sys.stderr)
            sys.exit(1)
    from esgui.cli import main

    sys.exit(main(argv))
