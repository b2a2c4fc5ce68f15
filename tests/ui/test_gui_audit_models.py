"""qtmodeltester on every model of the audit views, filled from a real store; the event
log with integrity and note marks."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

import esgui
from esgui.audit.diff import diff_versions
from esgui.audit.notes import add_note, list_notes
from esgui.audit.projection_check import check_projection
from esgui.audit.verify import verify_store
from esgui.projections import AccountProjector
from esgui.ui.audit.diff_dialog import diff_rows
from esgui.ui.audit.notes_model import NotesProxy, note_rows
from esgui.ui.audit.projection_dialog import finding_rows
from esgui.ui.audit.verify_dialog import problem_rows
from esgui.ui.common.table_model import Role, RowsModel
from esgui.ui.log.model import EventLogModel
from esgui.ui.window.session import StoreSession
from tests.audit.audit_helpers import make_history
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS


def _tampered(location, url: str) -> None:
    with esgui.open_store(url) as store:
        make_history(store)
        AccountProjector(store).catch_up()
        first = next(iter(store.read_all()))
        add_note(store, "Look at this", author="kim", event_id=first.event_id)
        add_note(store, "And this account", author="lee", account_id="B1")
    location.drop_append_only()
    location.sql("UPDATE events SET operator = 'mallory' WHERE position = 4")
    location.sql("UPDATE account_summary SET balance = '1.00' WHERE account_id = 'C1'")
    location.restore_append_only()  # tracks covered: only the chain tells


def test_result_table_models(qtbot, qtmodeltester, store_url, location):
    _tampered(location, store_url)
    with esgui.open_store(store_url) as store:
        verified = verify_store(store)
        diff = diff_versions(store, "A1", 0, 4)
        report = check_projection(store)
        notes = list(list_notes(store))
    assert not verified.intact and not report.consistent

    problems = RowsModel(("Position", "Problem", "Account", "Version", "What"), numeric=(0, 3))
    problems.set_rows(problem_rows(verified))
    qtmodeltester.check(problems)
    assert problems.rowCount() == 1 and problems.index(0, 0).data() == "4"
    assert problems.index(0, 0).data(Role.PAYLOAD).position == 4
    assert problems.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None

    fields, events = diff_rows(diff)
    event_headers = ("Pos", "V", "Recorded", "Type", "Amount", "Operator")
    for headers, rows in ((("Field", "Before", "After"), fields), (event_headers, events)):
        model = RowsModel(headers)
        model.set_rows(rows)
        qtmodeltester.check(model)
        assert model.rowCount() == len(rows) > 0
    model.set_headers(("a", "b", "c", "d", "e", "f"))
    assert model.headerData(5, Qt.Orientation.Horizontal) == "f"
    qtmodeltester.check(model)

    findings = RowsModel(("Finding", "Account", "Field", "Read model", "Log"))
    findings.set_rows(finding_rows(report))
    qtmodeltester.check(findings)
    assert findings.index(0, 0).data() == "Drift" and findings.index(0, 1).data() == "C1"

    source = RowsModel(("Time", "Author", "Account", "About", "Note"))
    source.set_rows(note_rows(notes, {}))
    qtmodeltester.check(source)
    proxy = NotesProxy()
    proxy.setSourceModel(source)
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    proxy.set_filters("b1", False, "", "")
    assert proxy.rowCount() == 1
    proxy.set_filters("", False, "KIM", "look")
    assert proxy.rowCount() == 1 and proxy.index(0, 3).data() == "Event (not found)"
    qtmodeltester.check(proxy)
    source.set_rows([])
    assert proxy.rowCount() == 0
    qtmodeltester.check(proxy)


def test_event_log_model_with_marks(qtbot, qtmodeltester, store_url, location):
    _tampered(location, store_url)
    session = StoreSession(store_url, user="tester")
    with qtbot.waitSignal(session.opened, timeout=LIVE_TIMEOUT_MS):
        session.start()
    try:
        model = EventLogModel()
        model.set_session(session)
        qtbot.waitUntil(lambda: model.rowCount() == 9, timeout=LIVE_TIMEOUT_MS)
        with qtbot.waitSignal(model.dataChanged):
            model.set_problems({4: "Integrity: altered"})
        model.set_notes({1: "Review note by kim: Look at this", 4: "Review note: too"})
        qtmodeltester.check(model)
        rows = {model.index(r, 0).data(Role.POSITION): r for r in range(9)}
        bad, noted, plain = rows[4], rows[1], rows[2]
        assert model.index(bad, 3).data(Role.PROBLEM) == "Integrity: altered"
        assert model.index(bad, 3).data(Qt.ItemDataRole.ToolTipRole) == \
            "Integrity: altered\nReview note: too"  # fmt: skip
        assert model.index(noted, 0).data(Role.NOTE) == "Review note by kim: Look at this"
        assert model.index(noted, 0).data(Qt.ItemDataRole.DecorationRole) is not None
        assert model.index(noted, 0).data(Qt.ItemDataRole.BackgroundRole) is None
        assert model.index(plain, 0).data(Qt.ItemDataRole.DecorationRole) is None
        assert model.index(plain, 0).data(Role.PROBLEM) is None
        model.set_problems({})
        assert model.index(bad, 3).data(Qt.ItemDataRole.BackgroundRole) is None
        model.set_session(None)  # another store: the marks go
        assert model.problem_at(1) is None and model.note_at(1) is None
        assert model.rowCount(QModelIndex()) == 0
    finally:
        session.close()
