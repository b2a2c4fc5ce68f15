"""The Event log (the window's centre): a lazy keyset model over the store's events
(`model`), its columns (`columns`), the paging worker (`fetcher`), the rows marked by
verification and review notes (`marks`), and the panel with its filters (`panel`)."""
