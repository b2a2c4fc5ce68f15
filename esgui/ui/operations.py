"""Long operations started from the window: demo data and projection rebuilds.

Each runs on the session's pool with progress in the status bar and a Cancel that
stops it between batches (what was committed stays, and is consistent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from esgui.app.seed import SeedResult, seed
from esgui.projections import AccountProjector
from esgui.ui.common.formatting import count
from esgui.ui.common.tasks import CancelToken, Task

if TYPE_CHECKING:
    from esgui.ui.main_window import MainWindow

DEMO_ACCOUNTS = 20
DEMO_EVENTS = 5000


def offer_demo(window: MainWindow) -> None:
    """An empty store: load demo data at once (first run) or offer to."""
    if window.demo == "auto":
        load_demo_data(window)
    elif window.demo == "offer":
        window.demo_banner.show_message(
            f"This store is empty. Load demo data ({DEMO_ACCOUNTS} accounts, "
            f"{count(DEMO_EVENTS)} events) to explore?", "info",
            (("demo", "Load demo data"), ("dismiss", "Not now")),
        )  # fmt: skip


def load_demo_data(window: MainWindow) -> None:
    session = window.session
    if session is None or not session.ready or session.store is None or window.read_only_now:
        return
    window.demo_banner.hide()
    store = session.store
    user = session.accounts.user if session.accounts is not None else "demo"

    def work(token: CancelToken) -> SeedResult:
        return seed(store, accounts=DEMO_ACCOUNTS, events=DEMO_EVENTS, seed=7, user=user,
                    progress=token.progress, should_stop=token.stopped)  # fmt: skip

    def done(result: SeedResult) -> None:
        window.status.showMessage(
            f"Loaded demo data: {len(result.account_ids)} accounts, {count(result.events)} "
            "events", 8000,
        )  # fmt: skip
        if session.follower is not None:
            session.follower.poke()

    def cancelled() -> None:
        window.status.showMessage("Demo data cancelled; the events written so far stay", 8000)
        if session.follower is not None:
            session.follower.poke()

    task = session.submit(work, label="Loading demo data", on_done=done,
                          on_error=lambda m: window.status.showMessage(m, 10000))  # fmt: skip
    task.cancelled.connect(cancelled)
    window.status.track(task, "Loading demo data")
    _writes(window, task)


def rebuild_projection(window: MainWindow, *, confirm: bool = True) -> None:
    session = window.session
    if session is None or not session.ready or session.store is None or window.read_only_now:
        return
    if confirm:
        answer = QMessageBox.question(
            window, "Rebuild the projection",
            "Forget the account projection and replay the whole event log into it? "
            "The accounts view fills up again as it goes.",
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
    store, follower = session.store, session.follower
    if follower is not None:
        follower.pause_catch_up()

    def work(token: CancelToken) -> int:
        return AccountProjector(store).rebuild(progress=token.progress, should_stop=token.stopped)

    def done(applied: int) -> None:
        window.status.showMessage(f"Rebuilt the projection from {count(applied)} events", 8000)
        if follower is not None:
            follower.resume_catch_up()

    def cancelled() -> None:
        window.status.showMessage(
            "Rebuild cancelled: the projection is paused part-way; Projection ▸ Catch up "
            "finishes it", 10000,
        )  # fmt: skip
        if follower is not None:
            follower.reload()

    task = session.submit(work, label="Rebuilding the projection", on_done=done,
                          on_error=lambda m: window.status.showMessage(m, 10000))  # fmt: skip
    task.cancelled.connect(cancelled)
    window.status.track(task, "Rebuilding the projection")
    _writes(window, task)


def _writes(window: MainWindow, task: Task) -> None:
    """Remember a task that writes, so switching to read-only can cancel it."""
    window.write_tasks.add(task)
    task.ended.connect(lambda: window.write_tasks.discard(task))
