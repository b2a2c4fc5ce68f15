"""The PySide6 desktop explorer. Imported only by `esgui gui`, main.py and tests."""

from esgui.ui import compat as _compat  # noqa: F401 - binding work-arounds, applied first
