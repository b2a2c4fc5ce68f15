"""GUI fixtures: an isolated QSettings and main windows over the test store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QSettings  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """Every test writes its settings to a folder of its own, never the user's."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "esgui-test.ini"


@pytest.fixture
def make_window(qtbot: Any, settings_file: Path, location: Any) -> Iterator[Callable[..., Any]]:
    """Build main windows (shown, offscreen); each is closed, and its threads joined,
    at teardown — before the test's store location is dropped (hence `location`)."""
    import esgui

    windows: list[Any] = []

    def make(url: str | None, **options: Any) -> Any:
        options.setdefault("user", "tester")
        options.setdefault("demo", "never")
        options.setdefault("settings", QSettings(str(settings_file), QSettings.Format.IniFormat))
        window = esgui.create_main_window(url, **options)
        windows.append(window)
        window.resize(1400, 900)
        window.show()
        return window

    yield make
    for window in windows:
        session = window.session
        follower = session.follower if session is not None else None
        window.close()
        assert window.session is None, "closing the window closes its store session"
        if follower is not None:
            assert not follower.is_running(), "the live follower's thread was joined"
        if session is not None:
            assert not session.runner.active(), "no background task outlives its window"
        window.deleteLater()
