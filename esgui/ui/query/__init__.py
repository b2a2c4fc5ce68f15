"""The Query panel: the read-only query console, its results and the saved queries."""
