"""Demo data goes only where it was asked for: the store the window started on (the
default store's first start), or where the user loads it — never into a store opened
later. The offer goes away as soon as the store holds an account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QTableView, QWidget

import esgui
from tests.conftest import StoreLocation
from tests.ui.gui_helpers import LIVE_TIMEOUT_MS, child, run_command, wait_live


@pytest.fixture
def other_location(tmp_path) -> Iterator[StoreLocation]:
    folder = tmp_path / "other"
    folder.mkdir()
    loc = StoreLocation(folder)
    yield loc
    loc.drop()


def test_a_store_opened_after_the_first_start_gets_no_demo_data(
    qtbot, make_window, store_url, other_location
):
    window = make_window(store_url, demo="auto")
    view = child(window, "accountsView", QTableView)
    qtbot.waitUntil(lambda: view.model().rowCount() == 20, timeout=30_000)
    qtbot.waitUntil(lambda: not window.operations._writes, timeout=30_000)

    window.open_url(other_location.url)  # File ▸ New store / Connect on an empty schema
    banner = window.findChild(QWidget, "demoBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS)  # offered, not loaded
    wait_live(qtbot, window)
    assert view.model().rowCount() == 0
    with esgui.open_store(other_location.url) as store:
        assert store.head()[0] == 0


def test_the_offer_goes_away_once_the_store_holds_an_account(qtbot, make_window, store_url):
    window = make_window(store_url, demo="offer")
    banner = window.findChild(QWidget, "demoBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS)
    run_command(qtbot, window, "openButton", account="D1", owner="Dee")
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=LIVE_TIMEOUT_MS)
    with esgui.open_store(store_url) as store:
        assert store.head()[0] == 1  # only the account that was opened


def test_the_offer_goes_away_when_another_process_opens_an_account(qtbot, make_window, store_url):
    window = make_window(store_url, demo="offer")
    banner = window.findChild(QWidget, "demoBanner")
    qtbot.waitUntil(banner.isVisible, timeout=LIVE_TIMEOUT_MS)
    with esgui.open_store(store_url) as store:
        esgui.Accounts(store, user="other").open("D2", owner="Dan")
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=LIVE_TIMEOUT_MS)
