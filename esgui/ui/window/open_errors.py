"""Why a store could not be opened, in words for the error banner, with what to do
next: a missing PostgreSQL schema is named, with one click to create it (and open the
store) or the statement that creates it, to copy; anything else is the store's own
one-line message. `SchemaActions` carries out the schema buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QStatusBar

from esgui.app.store_names import describe, missing_schema
from esgui.app.stores import PgConnection, create_schema
from esgui.ui.common.tasks import CancelToken, TaskRunner
from esgui.ui.common.widgets import Banner

Actions = tuple[tuple[str, str], ...]
DEFAULT_ACTIONS: Actions = (
    ("open", "Open store…"), ("connect", "Connect to PostgreSQL…"), ("retry", "Retry"),
)  # fmt: skip
SCHEMA_ACTIONS = frozenset({"create_schema", "copy_schema_sql"})


def explain_open_failure(url: str, message: str) -> tuple[str, Actions]:
    """(banner text, banner actions) for a failed open of `url`."""
    schema = missing_schema(url, message)
    if not schema:
        return f"Could not open the store. {message}", DEFAULT_ACTIONS
    parts = PgConnection.from_url(url)
    database = parts.database if parts is not None else "the database"
    return (
        f"Could not open {describe(url)}: the schema “{schema}” does not exist in "
        f"database “{database}”. Create it now (needs the right to create schemas in "
        "the database), copy the CREATE SCHEMA statement for its owner, or connect with "
        "another schema.",
        (("create_schema", "Create schema"), ("copy_schema_sql", "Copy CREATE SCHEMA"),
         ("retry", "Retry"), ("connect_again", "Another schema…")),
    )  # fmt: skip


def create_schema_sql(url: str) -> str:
    """The statement that creates the schema `url` names (for the person to run)."""
    parts = PgConnection.from_url(url)
    schema = parts.schema if parts is not None else ""
    quoted = schema.replace('"', '""')
    return f'CREATE SCHEMA "{quoted}";' if schema else ""


class SchemaActions(QObject):
    """The banner's schema buttons: Create schema (off the GUI thread, then the store is
    opened again) and Copy CREATE SCHEMA."""

    def __init__(
        self, parent: QObject, *, banner: Banner, status: QStatusBar, reopen: Callable[[str], None]
    ) -> None:
        super().__init__(parent)
        self._banner, self._status, self._reopen = banner, status, reopen
        self._runner = TaskRunner(max_threads=1, parent=self)

    def on_action(self, key: str, url: str) -> None:
        if key == "copy_schema_sql":
            QApplication.clipboard().setText(create_schema_sql(url))
            self._status.showMessage("Copied: run it in psql as the database's owner, "
                                     "then Retry", 8000)  # fmt: skip
        elif key == "create_schema" and url:
            self._status.showMessage("Creating the schema…", 5000)

            def work(_token: CancelToken) -> str:
                return create_schema(url)

            self._runner.submit(work, label="Creating the schema",
                                on_done=lambda name: self._on_created(url, name),
                                on_error=self._on_failed)  # fmt: skip

    def _on_created(self, url: str, name: str) -> None:
        self._banner.hide()
        self._status.showMessage(f"Created the schema “{name}”; opening the store", 8000)
        self._reopen(url)

    def _on_failed(self, message: str) -> None:
        self._banner.show_message(f"Could not create the schema: {message}", "error",
                                  (("copy_schema_sql", "Copy CREATE SCHEMA"),
                                   ("connect_again", "Another schema…")))  # fmt: skip

    def shutdown(self) -> None:
        self._runner.shutdown()
