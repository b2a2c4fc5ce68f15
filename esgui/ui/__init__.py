"""The PySide6 desktop explorer. Imported only by `esgui gui`, main.py and tests."""
