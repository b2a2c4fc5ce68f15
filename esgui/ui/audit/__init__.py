"""The Audit menu in the explorer: verify integrity, compare versions, check the
projection, export the log's filter, account reports and review notes. `actions` is
the menu's entry point; each dialog is a `*_dialog` module; the Review notes dock is
`notes_panel` over `notes_model`. The logic is esgui.audit's."""
