"""The Query dock: SQL over the documented read-only views (docs/query.md), results in a
lazy grid, saved queries beside the editor.

Run starts the query on the worker's thread (`worker.QueryThread`); the grid fetches
further pages as it is scrolled; Cancel interrupts the database at once; every step is
bounded by the time limit. Export writes every row (not only those fetched) to CSV or
JSON Lines on the session's pool. Double-clicking a row that names an event (a
`position` column) or an account asks the window to select it.
"""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from esgui.app.accounts import default_user
from esgui.app.console import (
    DEFAULT_TIME_LIMIT_S,
    QUERY_VIEWS,
    Cancellation,
    SavedQuery,
    list_queries,
    run_query,
    save_query,
)
from esgui.audit.query_export import write_result
from esgui.ui.common.formatting import plural
from esgui.ui.common.session import Session
from esgui.ui.common.tasks import CancelToken
from esgui.ui.common.widgets import named
from esgui.ui.query.model import QueryResultsModel
from esgui.ui.query.worker import QueryThread, ResultRow

IDLE_CLOSE_MS = 5 * 60 * 1000  # an open result holds a read transaction: not for ever
EXAMPLE = "SELECT type, count(*) AS events\nFROM event_log\nGROUP BY type\nORDER BY events DESC"


class QueryPanel(QWidget):
    position_requested = Signal(int)  # a row's event: select it in the window
    account_requested = Signal(str)  # a row's account
    query_finished = Signal()  # the first page (or the failure) arrived
    saved_loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "queryPanel", "Query console")
        self._session: Session | None = None
        self._generation = 0
        self._cancellation: Cancellation | None = None
        self._running = False
        self._last_sql = ""
        self.saved: list[SavedQuery] = []
        self._thread: QueryThread | None = None  # one per open store
        self.model = QueryResultsModel(self)
        self.model.request_more = self._request_more
        # A result left unscrolled is closed after a while: its open read transaction
        # would keep SQLite from checkpointing its WAL (PostgreSQL: an idle transaction).
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_CLOSE_MS)
        self._idle.timeout.connect(self.release)
        self._build()
        self._update_buttons()

    def _build(self) -> None:
        self.saved_list = named(QListWidget(), "savedQueriesList", "Saved queries")
        self.saved_list.setMinimumWidth(120)
        self.saved_list.itemClicked.connect(self._on_saved_clicked)
        self.saved_list.itemActivated.connect(self._on_saved_activated)
        self.editor = named(QPlainTextEdit(), "queryEdit", "SQL query")
        self.editor.setPlaceholderText(
            f"SQL over {', '.join(QUERY_VIEWS)} (read-only). Ctrl+Enter runs.\n\n{EXAMPLE}"
        )
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        self.editor.setFont(font)
        self.editor.setMinimumHeight(48)
        self.run_button = named(QPushButton("Run"), "runQueryButton", "Run the query")
        self.run_button.setToolTip("Run the query (Ctrl+Enter); it can only read")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = named(QPushButton("Cancel"), "cancelQueryButton", "Cancel the query")
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button = named(QPushButton("Save…"), "saveQueryButton", "Save the query")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.export_button = named(QPushButton("Export…"), "exportQueryButton",
                                   "Export the results")  # fmt: skip
        self.export_button.clicked.connect(self._on_export_clicked)
        self.time_limit = named(QDoubleSpinBox(), "queryTimeLimit", "Time limit in seconds")
        self.time_limit.setRange(0.5, 3600)
        self.time_limit.setValue(DEFAULT_TIME_LIMIT_S)
        self.time_limit.setSuffix(" s")
        self.time_limit.setToolTip("Each step of the query (running it, each page) stops after")
        self.status = named(QLabel(""), "queryStatus", "Query outcome")
        self.status.setWordWrap(True)
        self.results = named(QTableView(), "queryResultsView", "Query results")
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setAlternatingRowColors(True)
        self.results.verticalHeader().setDefaultSectionSize(22)
        self.results.doubleClicked.connect(self._on_row_activated)
        self.results.setToolTip("Double-click a row with a position or an account to open it")

        buttons = QHBoxLayout()
        for widget in (self.run_button, self.cancel_button, self.save_button,
                       self.export_button):  # fmt: skip
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(QLabel("Limit"))
        buttons.addWidget(self.time_limit)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addLayout(buttons)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.saved_list)
        top.addWidget(editor_box)
        top.setStretchFactor(1, 3)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.results, 1)
        bottom_layout.addWidget(self.status)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.activated.connect(self.run)

    # -- session -----------------------------------------------------------------------

    def set_session(self, session: Session | None) -> None:
        """Another store, or none: what runs is cancelled and its thread ended."""
        self.cancel()
        self._generation += 1
        if self._thread is not None:
            self._thread.stop()
            self._thread = None
        if session is not None:
            self._thread = QueryThread(self)
            worker = self._thread.worker
            worker.started.connect(self._on_started)
            worker.fetched.connect(self._on_fetched)
            worker.failed.connect(self._on_failed)
        self._session = session
        self.model.reset()
        self.saved = []
        self.saved_list.clear()
        self.status.setText("")
        self._running = False
        self._update_buttons()
        if session is not None:
            self.reload_saved()

    @property
    def running(self) -> bool:
        return self._running

    # -- running -----------------------------------------------------------------------

    def run(self) -> None:
        session = self._session
        store = session.store if session is not None else None
        sql = self.editor.toPlainText()
        if store is None or self._thread is None:
            self.status.setText("Open a store first")
            return
        if not sql.strip():
            self.status.setText("Type a query first, e.g. " + EXAMPLE.replace("\n", " "))
            return
        self.cancel()
        self._generation += 1
        self._cancellation = Cancellation()
        self._running = True
        self._last_sql = sql
        self.model.reset()
        self.status.setText("Running…")
        self._update_buttons()
        self._thread.start_requested.emit(self._generation, store, sql, self.time_limit.value(),
                                          self._cancellation)  # fmt: skip

    def cancel(self) -> None:
        if self._cancellation is not None and self._running:
            self._cancellation.cancel()

    def _request_more(self) -> None:
        if self._thread is None:
            return
        self._running = True
        self._update_buttons()
        self._thread.fetch_requested.emit(self._generation)

    def _on_started(self, generation: int, columns: object, rows: object, done: bool) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.model.reset(tuple(columns), list(rows), done)  # type: ignore[arg-type, call-overload]
        self.results.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.results.setColumnWidth(column, min(self.results.columnWidth(column), 320))
        self._show_count()
        self._update_buttons()
        self.query_finished.emit()

    def _on_fetched(self, generation: int, rows: object, done: bool) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.model.append_rows(list(rows), done)  # type: ignore[call-overload]
        self._show_count()
        self._update_buttons()

    def _on_failed(self, generation: int, message: str, refused: bool) -> None:
        if generation != self._generation:
            return
        self._running = False
        self.model.fetching = False
        self.model.exhausted = True
        self.status.setText(("Refused: " if refused else "") + message)
        self.status.setProperty("refused", refused)
        self._update_buttons()
        self.query_finished.emit()

    def _show_count(self) -> None:
        rows = self.model.rowCount()
        more = "" if self.model.exhausted else " so far (scroll for more)"
        self.status.setText(f"{plural(rows, 'row')}{more}")
        if self.model.exhausted:
            self._idle.stop()
        else:
            self._idle.start()

    def release(self) -> None:
        """Close the open result (the rows fetched stay in the grid); Run reads again."""
        if self._running or self.model.exhausted or self._thread is None:
            return
        self._generation += 1
        self._thread.close_requested.emit()
        self.model.exhausted = True
        self.status.setText(f"{plural(self.model.rowCount(), 'row')} (the rest was not read: "
                            "the result sat unused; Run reads it again)")  # fmt: skip

    def _update_buttons(self) -> None:
        has_store = self._session is not None and self._session.store is not None
        self.run_button.setEnabled(has_store)
        self.cancel_button.setEnabled(self._running)
        self.save_button.setEnabled(has_store)
        self.export_button.setEnabled(has_store and bool(self._last_sql) and not self._running)

    # -- rows --------------------------------------------------------------------------

    def _on_row_activated(self, index: QModelIndex) -> None:
        row: ResultRow | None = self.model.row(index.row())
        if row is None:
            return
        if row.position > 0:
            self.position_requested.emit(row.position)
        elif row.account:
            self.account_requested.emit(row.account)
        else:
            self.status.setText("This row names no event (position) and no account")

    # -- saved queries -----------------------------------------------------------------

    def reload_saved(self) -> None:
        session = self._session
        if session is None or session.store is None:
            return
        store = session.store
        session.submit(lambda _token: list_queries(store), on_done=self._on_saved_loaded,
                       on_error=self.status.setText)  # fmt: skip

    def _on_saved_loaded(self, saved: list[SavedQuery]) -> None:
        self.saved = saved
        self.saved_list.clear()
        for query in saved:
            item = QListWidgetItem(query.name)
            when = query.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            item.setToolTip(f"{query.sql}\n\nby {query.author}, {when}")
            item.setData(Qt.ItemDataRole.UserRole, query.sql)
            self.saved_list.addItem(item)
        self.saved_loaded.emit()

    def _on_saved_clicked(self, item: QListWidgetItem) -> None:
        self.editor.setPlainText(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_saved_activated(self, item: QListWidgetItem) -> None:
        self._on_saved_clicked(item)
        self.run()

    def _author(self) -> str:
        accounts = self._session.accounts if self._session is not None else None
        return accounts.user if accounts is not None else default_user()

    def save_current(self, name: str) -> None:
        """Save the editor's SQL under `name` (off the GUI thread), then reload the list."""
        session = self._session
        if session is None or session.store is None:
            return
        store, sql, author = session.store, self.editor.toPlainText(), self._author()

        def done(saved: SavedQuery) -> None:
            self.status.setText(f"Saved {saved.name!r}")
            self.reload_saved()

        session.submit(lambda _token: save_query(store, name, sql, author=author),
                       on_done=done, on_error=self.status.setText)  # fmt: skip

    def _on_save_clicked(self) -> None:
        current = self.saved_list.currentItem()
        name, ok = QInputDialog.getText(self, "Save query", "Name (shared with everyone "
                                        "using this store):",
                                        text=current.text() if current else "")  # fmt: skip
        if ok and name.strip():
            self.save_current(name)

    # -- export ------------------------------------------------------------------------

    def export_to(self, path: str, fmt: str) -> None:
        """Run the last query again and write every row to `path` (csv or jsonl)."""
        session = self._session
        if session is None or session.store is None or not self._last_sql:
            return
        store, sql, limit = session.store, self._last_sql, self.time_limit.value()

        def work(token: CancelToken) -> int:
            with run_query(store, sql, time_limit_s=limit) as result:
                return write_result(result, path, fmt, should_stop=token.stopped)

        self.status.setText("Exporting…")
        session.submit(work, label="Exporting query results",
                       on_done=lambda n: self.status.setText(f"Exported {plural(n, 'row')} "
                                                             f"to {path}"),
                       on_error=self.status.setText)  # fmt: skip

    def _on_export_clicked(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export query results", "query.csv", "CSV (*.csv);;JSON Lines (*.jsonl)"
        )
        if path:
            self.export_to(path, "jsonl" if "jsonl" in chosen or path.endswith(".jsonl")
                           else "csv")  # fmt: skip
