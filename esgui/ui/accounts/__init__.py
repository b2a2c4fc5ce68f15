"""The Accounts dock: the live account projection as a sortable, filterable table."""
