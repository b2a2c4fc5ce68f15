"""The Statistics panel: events and money moved per period, type or operator."""
