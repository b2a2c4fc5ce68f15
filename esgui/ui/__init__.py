"""The PySide6 desktop explorer. Imported only by `esgui gui`, main.py and tests.

`run_gui` starts the app; `create_main_window` builds the window over a store. The
features are packages (docs/design.md, "esgui/ui"): window/, accounts/, commands/,
log/, timeline/, inspector/, audit/, over common/."""

from esgui.ui.common import compat as _compat  # noqa: F401 - binding work-arounds, applied first
from esgui.ui.window.launch import create_main_window, run_gui  # noqa: E402

__all__ = ["create_main_window", "run_gui"]
