"""Dialogs of the File menu: a store file to create or open, a PostgreSQL connection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url

from esgui.config import default_store_path

STORE_FILTER = "esgui stores (*.db *.sqlite *.sqlite3 *.esgui);;All files (*)"


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def ask_new_store(parent: QWidget) -> str | None:
    """A new store file's URL. An existing file is never replaced: the caller is told
    to open it instead (StoreExists)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "New store", str(default_store_path().parent / "new-store.db"), STORE_FILTER,
        options=QFileDialog.Option.DontConfirmOverwrite,
    )  # fmt: skip
    if not path:
        return None
    if Path(path).exists():
        raise StoreExists(f"{path} already exists; File ▸ Open store opens it")
    return sqlite_url(path)


class StoreExists(Exception):
    """The file chosen for a new store is already there."""


def ask_open_store(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open store", str(default_store_path().parent), STORE_FILTER
    )
    return sqlite_url(path) if path else None


class ConnectDialog(QDialog):
    """Host, port, database, user, password and (optionally) a schema."""

    def __init__(self, parent: QWidget | None = None, url: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to PostgreSQL")
        self.setObjectName("connectDialog")
        self.host = QLineEdit("127.0.0.1")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("esgui")
        self.user = QLineEdit("postgres")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("blank: none, or from ~/.pgpass / PGPASSWORD")
        self.schema = QLineEdit()
        self.schema.setPlaceholderText("blank: the server's default (public)")
        form = QFormLayout()
        for label, widget in (("Host", self.host), ("Port", self.port),
                              ("Database", self.database), ("User", self.user),
                              ("Password", self.password), ("Schema", self.schema)):  # fmt: skip
            form.addRow(label, widget)
        note = QLabel("The password is used for this connection only; esgui never saves it.")
        note.setWordWrap(True)
        note.setProperty("role", "caption")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        if url:
            self._fill(url)

    def _fill(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001 - a bad remembered URL: start blank
            return
        self.host.setText(parsed.host or "")
        if parsed.port:
            self.port.setValue(parsed.port)
        self.database.setText(parsed.database or "")
        self.user.setText(parsed.username or "")
        options = parsed.query.get("options")
        if isinstance(options, str) and "search_path=" in options:
            self.schema.setText(options.split("search_path=", 1)[1].split()[0])

    def url(self) -> str:
        query: dict[str, str] = {}
        schema = self.schema.text().strip()
        if schema:
            query["options"] = f"-csearch_path={schema}"
        return URL.create(
            "postgresql+psycopg",
            username=self.user.text().strip() or None,
            password=self.password.text() or None,
            host=self.host.text().strip() or None,
            port=self.port.value(),
            database=self.database.text().strip() or None,
            query=query,
        ).render_as_string(hide_password=False)
