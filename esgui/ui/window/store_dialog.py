"""Dialogs of the File menu: a store file to create or open, a PostgreSQL connection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
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

from esgui.app.stores import PgConnection, add_hosts, split_hosts, sqlite_url
from esgui.config import default_store_path
from esgui.errors import InvalidInput

STORE_FILTER = "esgui stores (*.db *.sqlite *.sqlite3 *.esgui);;All files (*)"


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
    """Host, port, database, user, password and (optionally) a schema; for a primary
    with standbys, more hosts to try in order and "primary only" (docs/operations.md)."""

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
        self.more_hosts = QLineEdit()
        self.more_hosts.setObjectName("moreHostsEdit")
        self.more_hosts.setAccessibleName("moreHostsEdit")
        self.more_hosts.setPlaceholderText("failover: host:port, host:port (tried in order)")
        self.primary_only = QCheckBox("Connect to the primary only (target_session_attrs="
                                      "read-write); off: any server, e.g. a standby")  # fmt: skip
        self.primary_only.setObjectName("primaryOnlyCheck")
        self.primary_only.setAccessibleName("primaryOnlyCheck")
        self.problem = QLabel("")
        self.problem.setObjectName("connectProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        for label, widget in (("Host", self.host), ("Port", self.port),
                              ("Database", self.database), ("User", self.user),
                              ("Password", self.password), ("Schema", self.schema),
                              ("More hosts", self.more_hosts),
                              ("", self.primary_only)):  # fmt: skip
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
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(buttons)
        # wide enough for the placeholders and a long host name
        self.setMinimumWidth(max(460, self.password.fontMetrics().horizontalAdvance(
            self.password.placeholderText()) + 160))  # fmt: skip
        if url:
            self._fill(url)

    def _fill(self, url: str) -> None:
        parts = PgConnection.from_url(url)
        if parts is None:  # a bad remembered URL: start blank
            return
        self.host.setText(parts.host)
        self.port.setValue(parts.port)
        self.database.setText(parts.database)
        self.user.setText(parts.user)
        self.schema.setText(parts.schema)
        several = split_hosts(url)
        if several is not None:
            host, port, more, primary_only = several
            self.host.setText(host)
            self.port.setValue(port)
            self.more_hosts.setText(more)
            self.primary_only.setChecked(primary_only)

    def accept(self) -> None:
        try:
            self.url()
        except InvalidInput as error:
            self.problem.setText(str(error))
            self.problem.show()
            self.more_hosts.setFocus()
            return
        super().accept()

    def url(self) -> str:
        """The store URL (a multi-host one when more hosts are given); InvalidInput for
        a host list that is not host:port, host:port."""
        single = PgConnection(
            host=self.host.text(), port=self.port.value(), database=self.database.text(),
            user=self.user.text(), password=self.password.text(), schema=self.schema.text(),
        ).url()  # fmt: skip
        return add_hosts(single, self.more_hosts.text(), self.primary_only.isChecked())
