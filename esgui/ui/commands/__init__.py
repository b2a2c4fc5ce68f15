"""The Commands dock: open, deposit, withdraw, close, run off the GUI thread."""
