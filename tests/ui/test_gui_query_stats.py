"""The Query and Statistics panels, through their CONTRACTS §4 names: a query runs off the
GUI thread into a lazy grid, fetches more as it scrolls, can be cancelled, refuses
writes (the store unchanged), exports, saves; double-clicking a row opens its event or
account; the statistics show the database's numbers in a chart and a table."""

from __future__ import annotations

import csv
import json
import time
from decimal import Decimal

import pytest
from PySide6.QtCharts import QBarSeries, QChartView
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QDockWidget, QPlainTextEdit, QPushButton, QTableView

import esgui
from esgui.app.console import save_query
from esgui.app.seed import seed
from tests.ui.gui_helpers import child, wait_live


@pytest.fixture
def seeded_url(store_url: str) -> str:
    with esgui.open_store(store_url) as store:
        seed(store, accounts=4, events=1300, seed=5, days=30)
        save_query(store, "per type", "SELECT type, count(*) AS n FROM event_log GROUP BY type",
                   author="carol")  # fmt: skip
    return store_url


def _run(qtbot, window, sql: str) -> None:
    panel = window.questions.query
    child(window, "queryEdit", QPlainTextEdit).setPlainText(sql)
    with qtbot.waitSignal(panel.query_finished, timeout=20_000):
        child(window, "runQueryButton", QPushButton).click()


def test_query_results_arrive_lazily_and_fetch_more(qtbot, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    window.questions.query_dock.raise_()
    _run(qtbot, window, "SELECT position, account, type, amount FROM event_log ORDER BY position")
    view = child(window, "queryResultsView", QTableView)
    model = view.model()
    assert model.columnCount() == 4 and model.rowCount() == 500
    assert model.canFetchMore()
    with qtbot.waitSignal(model.rowsInserted, timeout=20_000):
        model.fetchMore()
    qtbot.waitUntil(lambda: not window.questions.query.running, timeout=20_000)
    assert model.rowCount() == 1000
    while model.canFetchMore():
        with qtbot.waitSignal(model.rowsInserted, timeout=20_000):
            model.fetchMore()
        qtbot.waitUntil(lambda: not window.questions.query.running, timeout=20_000)
    assert model.rowCount() == 1300 and not model.canFetchMore()
    assert Decimal(model.index(0, 3).data()) > 0  # the first event opens an account
    assert "1,300 rows" in child(window, "queryStatus").text()


def test_query_model_passes_the_model_tester(qtbot, qtmodeltester, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    _run(qtbot, window, "SELECT * FROM account_states ORDER BY account")
    qtmodeltester.check(child(window, "queryResultsView", QTableView).model())


def test_a_write_is_refused_in_plain_words_and_changes_nothing(
    qtbot, make_window, seeded_url
) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    before = window.session.store.head()
    for sql in ("DELETE FROM events", "SELECT 1; DELETE FROM events", "DROP VIEW event_log"):
        _run(qtbot, window, sql)
        status = child(window, "queryStatus").text()
        assert status.startswith("Refused") and "nothing was changed" in status
        assert window.questions.query.model.rowCount() == 0
    assert window.session.store.head() == before
    with esgui.open_store(seeded_url) as store:
        assert store.count() == 1300


def test_a_long_query_is_cancelled_without_blocking_the_gui(
    qtbot, make_window, seeded_url, location
) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    endless = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
        if location.backend == "sqlite"
        else "SELECT count(*) FROM generate_series(1, 1000000000000)"
    )
    panel = window.questions.query
    child(window, "queryEdit", QPlainTextEdit).setPlainText(endless)
    started = time.monotonic()
    child(window, "runQueryButton", QPushButton).click()
    assert time.monotonic() - started < 1.0, "Run returns at once: the GUI thread never waits"
    assert panel.running
    cancel = child(window, "cancelQueryButton", QPushButton)
    assert cancel.isEnabled()
    qtbot.wait(300)
    with qtbot.waitSignal(panel.query_finished, timeout=10_000):
        cancel.click()
    assert "cancelled" in child(window, "queryStatus").text()
    assert not panel.running and not cancel.isEnabled()
    # The worker thread is not the GUI thread
    assert panel._thread.qthread is not QThread.currentThread()


def test_double_click_opens_the_event_or_account(qtbot, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    with esgui.open_store(seeded_url) as store:
        target = list(store.read_all(after=700, limit=1))[0]
    _run(
        qtbot, window, f"SELECT position, account FROM event_log WHERE position = {target.position}"
    )
    view = child(window, "queryResultsView", QTableView)
    view.doubleClicked.emit(view.model().index(0, 0))
    qtbot.waitUntil(lambda: window.accounts.selected_id() == target.aggregate_id, timeout=10_000)
    qtbot.waitUntil(lambda: window.timeline.version == target.version, timeout=10_000)
    other = next(a for a in ("ACC-000001", "ACC-000002") if a != target.aggregate_id)
    _run(qtbot, window, f"SELECT account, balance FROM account_states WHERE account = '{other}'")
    view.doubleClicked.emit(view.model().index(0, 1))
    qtbot.waitUntil(lambda: window.accounts.selected_id() == other, timeout=10_000)


def test_saved_queries_list_load_run_and_save(qtbot, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    panel = window.questions.query
    qtbot.waitUntil(lambda: panel.saved_list.count() == 1, timeout=10_000)
    item = panel.saved_list.item(0)
    assert item.text() == "per type" and "carol" in item.toolTip()
    panel.saved_list.itemClicked.emit(item)
    assert "GROUP BY type" in child(window, "queryEdit", QPlainTextEdit).toPlainText()
    with qtbot.waitSignal(panel.query_finished, timeout=20_000):
        panel.saved_list.itemActivated.emit(item)
    assert panel.model.rowCount() >= 3
    child(window, "queryEdit", QPlainTextEdit).setPlainText("SELECT count(*) AS n FROM event_log")
    with qtbot.waitSignal(panel.saved_loaded, timeout=10_000):
        panel.save_current("count")
    assert [panel.saved_list.item(i).text() for i in range(2)] == ["count", "per type"]
    with esgui.open_store(seeded_url) as store:
        saved = {q.name: q for q in esgui.app.console.list_queries(store)}
    assert saved["count"].author == "tester"


def test_export_writes_every_row_formula_safe(qtbot, make_window, seeded_url, tmp_path) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    panel = window.questions.query
    _run(
        qtbot, window, "SELECT position, '=cmd()' AS trap, amount FROM event_log ORDER BY position"
    )
    assert panel.model.rowCount() == 500  # the grid holds one page; the export holds all
    for fmt in ("csv", "jsonl"):
        path = tmp_path / f"out.{fmt}"
        panel.export_to(str(path), fmt)
        qtbot.waitUntil(lambda p=path: p.exists(), timeout=20_000)
        qtbot.waitUntil(lambda: "Exported" in child(window, "queryStatus").text(), timeout=20_000)
        if fmt == "csv":
            rows = list(csv.reader(path.open(encoding="utf-8")))
            assert rows[0] == ["position", "trap", "amount"] and len(rows) == 1301
            assert rows[1][1] == "'=cmd()"
        else:
            lines = [json.loads(line) for line in path.open(encoding="utf-8")]
            assert len(lines) == 1300 and lines[0]["trap"] == "=cmd()"


def test_statistics_panel_shows_the_databases_numbers(
    qtbot, qtmodeltester, make_window, seeded_url
) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    panel = child(window, "statisticsView")
    stats = window.questions.statistics
    assert panel is stats
    qtbot.waitUntil(lambda: stats.stats is not None, timeout=20_000)
    with esgui.open_store(seeded_url) as store:
        expected = esgui.app.console.statistics(store, "day")
    assert stats.stats.groups == expected.groups
    table = child(window, "statsTable", QTableView)
    assert table.model().rowCount() == len(expected.groups)
    chart = child(window, "statsChart", QChartView).chart()
    [series] = [s for s in chart.series() if isinstance(s, QBarSeries)]
    assert series.barSets()[0].count() == min(len(expected.groups), 60)
    with qtbot.waitSignal(stats.computed, timeout=20_000):
        stats.grouping.setCurrentIndex(stats.grouping.findData("type"))
    assert {r.key for r in stats.stats.groups} >= {"AccountOpened", "MoneyDeposited"}
    assert stats.stats.totals.events == 1300
    qtmodeltester.check(table.model())


def test_statistics_follow_the_logs_filter(qtbot, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    stats = window.questions.statistics
    qtbot.waitUntil(lambda: stats.stats is not None, timeout=20_000)
    window.log.text_filter.setText("ACC-000002")
    window.log.apply_filters()
    with qtbot.waitSignal(stats.computed, timeout=20_000):
        stats.use_log_filter.setChecked(True)
    with esgui.open_store(seeded_url) as store:
        mine = store.count(aggregate_id="ACC-000002")
    assert stats.stats.totals.events == mine < 1300


def test_panels_are_docks_and_fit_the_minimum_size(qtbot, make_window, seeded_url) -> None:
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    docks = {dock.objectName() for dock in window.findChildren(QDockWidget)}
    assert {"queryDock", "statisticsDock"} <= docks
    window.resize(window.minimumSize())
    for dock in (window.questions.query_dock, window.questions.statistics_dock):
        dock.raise_()
        for _ in range(5):
            QApplication.processEvents()
        qtbot.wait(50)
        assert window.width() == 1280 and window.height() == 720
        panel = dock.widget().widget()  # in a scroll area: never squashed below its hint
        assert panel.width() >= panel.minimumSizeHint().width()
        assert panel.height() >= panel.minimumSizeHint().height()


def test_an_unused_result_is_released(qtbot, make_window, seeded_url) -> None:
    """An open result holds a read transaction; one left unscrolled is closed."""
    window = make_window(seeded_url)
    wait_live(qtbot, window)
    panel = window.questions.query
    _run(qtbot, window, "SELECT position FROM event_log ORDER BY position")
    assert panel.model.canFetchMore() and panel._idle.isActive()
    panel._idle.setInterval(10)
    panel._idle.start()
    qtbot.waitUntil(lambda: not panel.model.canFetchMore(), timeout=5_000)
    assert panel.model.rowCount() == 500
    assert "Run reads it again" in child(window, "queryStatus").text()


def test_number_columns_of_a_result_are_right_aligned(qtbot) -> None:
    """Digits line up: a column of numbers (amounts, counts) is right-aligned, text left."""
    from PySide6.QtCore import Qt

    from esgui.ui.query.model import QueryResultsModel
    from esgui.ui.query.worker import ResultRow

    model = QueryResultsModel()
    rows = [ResultRow(("ACC-1", "943", "-12.50", ""), 0, "ACC-1"),
            ResultRow(("ACC-2", "1,205", "7.00", "x"), 0, "ACC-2")]  # fmt: skip
    model.reset(("account", "events", "amount", "note"), rows, True)
    align = [model.data(model.index(0, c), Qt.ItemDataRole.TextAlignmentRole) for c in range(4)]
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert [a == right for a in align] == [False, True, True, False]
