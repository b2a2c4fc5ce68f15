"""What every feature of the explorer shares: the table-model base, small widgets,
formatting, background tasks, theme, icons and binding work-arounds. Imports nothing
else of esgui.ui."""
