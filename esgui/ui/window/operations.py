"""Long operations started from the window: demo data and projection rebuilds.

Demo data goes only where it was asked for: into the store the window was started on
when that is the default store's very first start (`demo="auto"`), or where the user
loads it (the banner's offer on an empty store, File ▸ Load demo data). Any store
opened later is only offered it, and the offer goes away once the store holds an
account.

Each runs on the session's pool with progress in the status bar and a Cancel that
stops it between batches (what was committed stays, and is consistent). They write,
so switching to read-only cancels them (`cancel_writes`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from esgui.app.seed import SeedResult, seed
from esgui.audit.trust import rebuild_warning
from esgui.audit.verify import VerifyResult
from esgui.projections import AccountProjector
from esgui.ui.common.formatting import count, plural
from esgui.ui.common.tasks import CancelToken, Task
from esgui.ui.common.widgets import Banner
from esgui.ui.window.session import StoreSession
from esgui.ui.window.status_bar import StatusBar

DEMO_ACCOUNTS = 20
DEMO_EVENTS = 5000


class StoreOperations(QObject):
    def __init__(
        self,
        parent: QWidget,
        *,
        session: Callable[[], StoreSession | None],
        status: StatusBar,
        demo_banner: Banner,
        demo: str,
        demo_url: str | None = None,
    ) -> None:
        """`session()`: the window's session now; `demo`: offer | auto | never, what to
        do with an empty store — "auto" only for `demo_url` (the store the window was
        started on), and only the first time it is seen: other stores are offered it."""
        super().__init__(parent)
        self._parent = parent  # the confirmation's parent
        self._session = session
        self._status = status
        self._demo_banner = demo_banner
        self.demo = "offer" if demo == "auto" else demo
        self._auto_url = demo_url if demo == "auto" else None
        self._writes: set[Task] = set()

    def _writable(self) -> StoreSession | None:
        session = self._session()
        if session is None or not session.ready or session.store is None:
            return None
        return None if session.store.read_only else session

    def first_look(self, head: int, read_only: bool) -> None:
        """The live follower's first look at the store the window has just opened:
        an empty one gets demo data at once (the default store's first start) or is
        offered it. The "auto" of the first start is used up by the first store seen."""
        session = self._session()
        auto = (self._auto_url is not None and session is not None
                and session.url == self._auto_url)  # fmt: skip
        self._auto_url = None
        if head != 0 or read_only:
            return
        if auto:
            self.load_demo_data()
        else:
            self.offer_demo()

    def offer_demo(self) -> None:
        """Offer demo data (unless the window was told never to)."""
        if self.demo == "offer":
            self._demo_banner.show_message(
                f"This store is empty. Load demo data ({DEMO_ACCOUNTS} accounts, "
                f"{count(DEMO_EVENTS)} events) to explore?", "info",
                (("demo", "Load demo data"), ("dismiss", "Not now")),
            )  # fmt: skip

    def accounts_seen(self) -> None:
        """The store holds an account now: no more offer of demo data."""
        self._demo_banner.hide()

    def load_demo_data(self) -> None:
        session = self._writable()
        if session is None:
            return
        self._demo_banner.hide()
        store = session.store
        assert store is not None
        user = session.accounts.user if session.accounts is not None else "demo"

        def work(token: CancelToken) -> SeedResult:
            return seed(store, accounts=DEMO_ACCOUNTS, events=DEMO_EVENTS, seed=7, user=user,
                        progress=token.progress, should_stop=token.stopped)  # fmt: skip

        def done(result: SeedResult) -> None:
            self._status.showMessage(
                f"Loaded demo data: {plural(len(result.account_ids), 'account')}, "
                f"{plural(result.events, 'event')}", 8000,
            )  # fmt: skip
            if session.follower is not None:
                session.follower.poke()

        def cancelled() -> None:
            self._status.showMessage("Demo data cancelled; the events written so far stay",
                                     8000)  # fmt: skip
            if session.follower is not None:
                session.follower.poke()

        task = session.submit(work, label="Loading demo data", on_done=done,
                              on_error=lambda m: self._status.showMessage(m, 10000))  # fmt: skip
        task.cancelled.connect(cancelled)
        self._status.track(task, "Loading demo data")
        self._remember(task)

    def rebuild_projection(
        self, *, confirm: bool = True, integrity: VerifyResult | None = None
    ) -> None:
        """Rebuild the projection; `integrity` (the last verification of this store)
        found tampered makes the confirmation say that the rebuild adopts the altered
        history (without `confirm`, the status bar says it)."""
        session = self._writable()
        if session is None:
            return
        warning = rebuild_warning(integrity)
        if confirm:
            question = ("Forget the account projection and replay the whole event log into "
                        "it? The accounts view fills up again as it goes.")  # fmt: skip
            buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            if warning:  # a tampered store: say so, and default to No
                answer = QMessageBox.warning(
                    self._parent, "Rebuild the projection of a tampered store",
                    f"⚠ {warning}\n\n{question}", buttons, QMessageBox.StandardButton.No,
                )  # fmt: skip
            else:
                answer = QMessageBox.question(self._parent, "Rebuild the projection", question)
            if answer != QMessageBox.StandardButton.Yes:
                return
        elif warning:
            self._status.showMessage(f"⚠ {warning}", 15000)
        store, follower = session.store, session.follower
        assert store is not None
        if follower is not None:
            follower.pause_catch_up()

        def work(token: CancelToken) -> int:
            return AccountProjector(store).rebuild(progress=token.progress,
                                                   should_stop=token.stopped)  # fmt: skip

        def done(applied: int) -> None:
            self._status.showMessage(f"Rebuilt the projection from {plural(applied, 'event')}",
                                     8000)  # fmt: skip
            if follower is not None:
                follower.resume_catch_up()

        def cancelled() -> None:
            self._status.showMessage(
                "Rebuild cancelled: the projection is paused part-way; Projection ▸ Catch up "
                "finishes it", 10000,
            )  # fmt: skip
            if follower is not None:
                follower.reload()

        task = session.submit(work, label="Rebuilding the projection", on_done=done,
                              on_error=lambda m: self._status.showMessage(m, 10000))  # fmt: skip
        task.cancelled.connect(cancelled)
        self._status.track(task, "Rebuilding the projection")
        self._remember(task)

    def _remember(self, task: Task) -> None:
        """Remember a task that writes, so switching to read-only can cancel it."""
        self._writes.add(task)
        task.ended.connect(lambda: self._writes.discard(task))

    def cancel_writes(self) -> None:
        for task in list(self._writes):
            task.cancel()
