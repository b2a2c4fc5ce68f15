"""Conflicts in plain words, the upcast form beside the stored one, decimation, and the
password never shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

import esgui
from esgui.store import NewEvent
from esgui.ui.timeline.balance_chart import decimate
from tests.ui.gui_helpers import child, run_command, select_account, slider, wait_live


def test_a_concurrency_conflict_is_explained_and_appends_nothing(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("K1", owner="Kim", initial="10.00")
    window = make_window(store_url)
    wait_live(qtbot, window)
    accounts = window.session.accounts
    accounts.max_retries = 0
    real_append = accounts.store.append

    def someone_else_first(aggregate_id, expected, new_events):
        with esgui.open_store(store_url) as other:  # another writer gets in between
            esgui.Accounts(other, user="rival").deposit("K1", "1.00")
        return real_append(aggregate_id, expected, new_events)

    accounts.store.append = someone_else_first
    try:
        text = run_command(qtbot, window, "depositButton", account="K1", amount="5.00")
    finally:
        accounts.store.append = real_append
    assert text.startswith("Concurrency conflict on 'K1'"), text
    assert "nothing was appended" in text
    assert child(window, "commandStatus").property("outcome") == "conflict"
    with esgui.open_store(store_url) as store:
        assert [e.operator for e in store.read_stream("K1")] == ["setup", "rival"]


def test_the_inspector_shows_the_stored_form_beside_the_upcast_one(qtbot, make_window, store_url):
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="setup").open("U1", owner="Uma", initial="1.00")
        store.append("U1", 1, [NewEvent("MoneyDeposited", {"amount_cents": 1050},
                                        {"user": "legacy"}, schema_version=1)])  # fmt: skip
    window = make_window(store_url)
    wait_live(qtbot, window)
    select_account(qtbot, window, "U1")
    qtbot.waitUntil(lambda: window.timeline.series is not None)
    slider(window).setValue(2)
    inspector = child(window, "eventInspector")
    qtbot.waitUntil(lambda: "U1 version 2" in inspector.text())
    text = inspector.text()
    assert "Data (schema 2, upcast on read)" in text and '"amount": "10.50"' in text
    assert "Stored form (schema 1)" in text and '"amount_cents": 1050' in text
    assert child(window, "replayBalance", QLabel).text() == "11.50"


def test_decimation_keeps_every_extreme():
    cents = [(i * 7919) % 10007 for i in range(100_000)]
    cents[54_321] = 10**9
    cents[12_345] = -5
    points = decimate(cents, 800)
    assert len(points) <= 1600
    values = [value for _version, value in points]
    assert max(values) == 10**9 and min(values) == -5
    versions = [version for version, _value in points]
    assert versions == sorted(versions) and versions[0] >= 1 and versions[-1] <= 100_000
    assert decimate([1, 2, 3], 800) == [(1, 1), (2, 2), (3, 3)]


def test_the_password_is_masked_everywhere(qtbot, make_window, store_url, settings_file):
    if not store_url.startswith("postgresql"):
        pytest.skip("a password in the URL: PostgreSQL")
    # the test server trusts local connections, so any password opens it
    with_password = store_url.replace("postgres@", "postgres:Sup3rSecret@")
    window = make_window(with_password)
    wait_live(qtbot, window)
    shown = child(window, "storeLabel", QLabel).text()
    assert "***" in shown and "Sup3rSecret" not in shown
    assert "Sup3rSecret" not in window.windowTitle()
    window.close()
    assert "Sup3rSecret" not in settings_file.read_text()


CONTRACT_NAMES = {
    "accountsView": "QTableView", "eventsView": "QTableView", "accountIdEdit": "QLineEdit",
    "ownerEdit": "QLineEdit", "amountEdit": "QLineEdit", "openButton": "QAbstractButton",
    "depositButton": "QAbstractButton", "withdrawButton": "QAbstractButton",
    "closeButton": "QAbstractButton", "commandStatus": "QWidget", "timelineSlider": "QSlider",
    "replayBalance": "QLabel", "replayStatus": "QLabel", "replayVersion": "QLabel",
    "eventInspector": "QWidget", "balanceChart": "QWidget", "liveIndicator": "QWidget",
}  # fmt: skip


def test_every_automation_name_of_contracts_section_4(qtbot, make_window, store_url):
    from PySide6 import QtWidgets

    window = make_window(store_url)
    wait_live(qtbot, window)
    for name, kind in CONTRACT_NAMES.items():
        found = window.findChildren(getattr(QtWidgets, kind), name)
        assert len(found) == 1, name
        assert found[0].accessibleName() == name
    view = child(window, "accountsView")
    headers = [view.model().headerData(c, Qt.Orientation.Horizontal)
               for c in range(view.model().columnCount())]  # fmt: skip
    assert headers[0] == "Account" and "Balance" in headers
