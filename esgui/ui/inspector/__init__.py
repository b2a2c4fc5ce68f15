"""The Event inspector dock: one event's data and metadata, its stored form, its
integrity problem and review notes."""
