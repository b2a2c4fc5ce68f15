"""The PySide6 desktop explorer. Imported only by `esgui gui`, main.py and tests.

`run_gui` starts the app; `create_main_window` builds the window over a store."""

from esgui.ui.app import run_gui  # noqa: E402
from esgui.ui.common import compat as _compat  # noqa: F401 - binding work-arounds, applied first
from esgui.ui.main_window import create_main_window  # noqa: E402

__all__ = ["create_main_window", "run_gui"]
