"""qtmodeltester on every model the explorer shows, filled from a real store."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QModelIndex, Qt

import esgui
from esgui.app.queries import EventQuery
from esgui.app.seed import seed
from esgui.ui.accounts.model import AccountsModel, AccountsProxy, Column
from esgui.ui.audit.notes_panel import NotesPanel
from esgui.ui.common.table_model import LEFT, RIGHT, Role, RowsModel, TableModel
from esgui.ui.log.columns import LogColumn
from esgui.ui.log.model import EventLogModel
from esgui.ui.window.session import StoreSession
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS


def _fill(url: str) -> None:
    with esgui.open_store(url) as store:
        accounts = esgui.Accounts(store, user="setup")
        for i, (initial, deposits) in enumerate((("9.99", 3), ("100.00", 0), ("1000000.00", 1),
                                                 ("0.50", 7), ("20.00", 2))):  # fmt: skip
            accounts.open(f"M{i}", owner=f"Owner {i}", initial=initial)
            for _ in range(deposits):
                accounts.deposit(f"M{i}", "1.25")
        accounts.withdraw("M1", "100.00")
        accounts.close("M1")


def _session(qtbot, url: str) -> StoreSession:
    session = StoreSession(url, user="tester")
    with qtbot.waitSignal(session.opened, timeout=LIVE_TIMEOUT_MS):
        session.start()
    return session


@pytest.mark.parametrize(
    ("kind", "numeric"),
    [
        ("accounts", {Column.BALANCE, Column.VERSION}),
        ("event log", {LogColumn.POSITION, LogColumn.VERSION, LogColumn.AMOUNT}),
        ("result list", {0, 3}),
        ("review notes", set()),
    ],
)
def test_every_table_model_shares_one_base(qtbot, kind, numeric):
    """Headers, number alignment and flags come from common.table_model.TableModel."""
    notes = NotesPanel()  # its model is its child
    models = {
        "accounts": AccountsModel,
        "event log": EventLogModel,
        "result list": lambda: RowsModel(("Position", "Kind", "Account", "Version"), (0, 3)),
        "review notes": lambda: notes.model,
    }
    model = models[kind]()
    assert isinstance(model, TableModel)
    assert model.columnCount() > 0
    for column in range(model.columnCount()):
        align = model.headerData(
            column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
        )
        assert align == (RIGHT if column in numeric else LEFT), (kind, column)
        assert model.headerData(column, Qt.Orientation.Horizontal)
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_accounts_model_and_proxy(qtbot, qtmodeltester, store_url):
    _fill(store_url)
    with esgui.open_store(store_url) as store:
        rows = esgui.projections.AccountProjector(store).current()
    model = AccountsModel()
    model.set_rows(rows[:3])
    qtmodeltester.check(model)
    model.update_rows(rows[2:])  # one changed, two new
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    proxy = AccountsProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.sort(Column.BALANCE, Qt.SortOrder.DescendingOrder)
    balances = [proxy.index(r, Column.BALANCE).data() for r in range(proxy.rowCount())]
    assert balances == ["1,000,001.25", "22.50", "13.74", "9.25", "0.00"]
    assert proxy.index(0, Column.BALANCE).data(Role.SORT) == 100000125  # exact cents
    proxy.set_text("owner 3")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["M3"]
    proxy.set_text("")
    proxy.set_status("closed")
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["M1"]
    qtmodeltester.check(proxy)


def test_event_log_model(qtbot, qtmodeltester, store_url):
    _fill(store_url)
    session = _session(qtbot, store_url)
    try:
        model = EventLogModel()
        model.set_session(session)
        qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=LIVE_TIMEOUT_MS)
        qtmodeltester.check(model)
        assert model.rowCount() == 20 and not model.canFetchMore(QModelIndex())
        assert [model.index(r, 0).data() for r in range(3)] == ["20", "19", "18"]
        assert model.index(0, 3).data() == "AccountClosed"

        with qtbot.waitSignal(model.rows_fetched, timeout=LIVE_TIMEOUT_MS):
            model.set_query(EventQuery(aggregate_id="M3", newest_first=False))
        qtmodeltester.check(model)
        assert [model.index(r, 2).data() for r in range(model.rowCount())] == [
            str(v) for v in range(1, 9)
        ]
        assert model.index(1, 4).data() == "+1.25"
        assert model.row_of_key(5) == 4

        with qtbot.waitSignal(model.rows_fetched, timeout=LIVE_TIMEOUT_MS):
            model.set_query(EventQuery(event_types=("MoneyWithdrawn",)))
        assert model.rowCount() == 1 and model.index(0, 4).data() == "-100.00"
        qtmodeltester.check(model)
    finally:
        session.close()


def test_a_filtered_log_fetches_lazily_in_batches(qtbot, qtmodeltester, store, store_url):
    """A filtered log pages its matches: rowCount is what has been found so far.
    (Until issue 11 the unfiltered log paged like this too; it now spans every row.)"""
    from esgui.domain.events import EVENT_CLASSES

    seed(store, accounts=3, events=700, seed=1, user="bulk")
    session = _session(qtbot, store_url)
    try:
        model = EventLogModel()
        model.set_session(session)
        model.set_query(EventQuery(event_types=tuple(EVENT_CLASSES)))  # matches every event
        qtbot.waitUntil(lambda: model.rowCount() == 200, timeout=LIVE_TIMEOUT_MS)
        assert model.canFetchMore(QModelIndex())
        qtmodeltester.check(model)  # may fetch more while it checks
        while model.canFetchMore(QModelIndex()):
            before = model.rowCount()
            model.fetchMore(QModelIndex())
            qtbot.waitUntil(lambda b=before: model.rowCount() > b, timeout=LIVE_TIMEOUT_MS)
        assert model.rowCount() == 700
        positions = [int(model.index(r, 0).data()) for r in range(700)]
        assert positions == list(range(700, 0, -1))
        amounts = [model.index(r, 4).data() for r in range(700)]
        assert all(re.fullmatch(r"([+-]?[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2})?", a) for a in amounts)
    finally:
        session.close()


def test_an_unfiltered_log_spans_every_row_and_holds_only_those_near_the_view(
    qtbot, qtmodeltester, store, store_url, monkeypatch
):
    """The whole store's log has as many rows as the head position (no COUNT, no scan);
    rows are fetched around what is on screen, and rows far from it are let go."""
    import esgui.ui.log.model as log_model

    monkeypatch.setattr(log_model, "MAX_HELD", 400)
    seed(store, accounts=3, events=2000, seed=1, user="bulk")
    session = _session(qtbot, store_url)
    try:
        model = EventLogModel()
        model.set_session(session)
        qtbot.waitUntil(lambda: model.rowCount() == 2000, timeout=LIVE_TIMEOUT_MS)
        assert not model.canFetchMore(QModelIndex()) and model.direct
        assert model.index(0, 0).data() == "2000" and model.index(0, 3).data() != "…"
        assert model.index(1500, 0).data() == "500"  # the key is known before the row
        assert model.index(1500, 3).data() == "…" and model.row(1500) is None
        qtmodeltester.check(model)
        seen: dict[int, str] = {}
        for first in range(0, 2000, 250):
            with qtbot.waitSignal(model.rows_fetched, timeout=LIVE_TIMEOUT_MS):
                model.ensure_rows(first, first + 249)
            for r in range(first, first + 250):
                assert model.row(r) is not None, r
                seen[r] = model.index(r, 0).data()
            assert model.held_count() <= 400
        assert [int(seen[r]) for r in range(2000)] == list(range(2000, 0, -1))
        amounts = [model.index(r, 4).data() for r in range(1750, 2000)]
        assert all(re.fullmatch(r"([+-]?[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2})?", a) for a in amounts)
        assert model.row_of_key(1) == 1999 and model.key_of_row(0) == 2000
        assert model.summary() == "2,000 events"

        with qtbot.waitSignal(model.rows_fetched, timeout=LIVE_TIMEOUT_MS):
            model.set_query(EventQuery(newest_first=False))
        assert model.rowCount() == 2000 and model.index(0, 0).data() == "1"
        qtmodeltester.check(model)
    finally:
        session.close()
