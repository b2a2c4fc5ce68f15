"""The main window and what it owns as a whole: the open store (`session`, the live
`follower`), the menus, the status bar, settings, read-only mode, long operations, the
selection kept consistent across panels, and starting the app (`launch`)."""
