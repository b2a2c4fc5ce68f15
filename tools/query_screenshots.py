"""Render the question panels over a demo store to docs/screenshots/: query.png (the
Query dock floated large: saved queries, a query and its results) and statistics.png
(the Statistics dock: events per day as bars, the table, the busiest accounts).

    python tools/query_screenshots.py [--output docs/screenshots]

Offscreen, light theme. Each dock is floated and sized so the picture shows it whole.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import make_store, save, settle, wait  # noqa: E402

import esgui  # noqa: E402
from esgui.app.console import save_query  # noqa: E402

QUERY = """SELECT account, count(*) AS events, max(recorded_at) AS last_move,
       count(DISTINCT operator) AS operators
FROM event_log
WHERE type IN ('MoneyDeposited', 'MoneyWithdrawn')
GROUP BY account
ORDER BY events DESC"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1]
                                               / "docs" / "screenshots"))  # fmt: skip
    out = Path(parser.parse_args().output)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = make_store(tmp / "demo.db")
        with esgui.open_store(url) as store:
            save_query(store, "busiest accounts", QUERY, author="auditor-kim")
            save_query(store, "large moves", "SELECT position, account, type, amount, "
                       "recorded_at FROM event_log WHERE CAST(amount AS REAL) >= 1000 "
                       "ORDER BY position DESC", author="alice")  # fmt: skip
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        window = esgui.create_main_window(url, user="auditor-kim", settings=settings,
                                          demo="never")  # fmt: skip
        window.resize(1400, 900)
        window.show()
        wait(app, lambda: "Live" in window.status.live.text())
        window.set_theme("light")
        questions = window.questions
        wait(app, lambda: questions.query.saved_list.count() == 2)
        dock = questions.query_dock
        dock.setFloating(True)
        dock.resize(1100, 620)
        questions.query.saved_list.setCurrentRow(0)
        questions.query.editor.setPlainText(QUERY)
        questions.query.run()
        wait(app, lambda: not questions.query.running and questions.query.model.rowCount())
        settle(app)
        save(dock.grab(), out / "query.png")
        dock.setFloating(False)
        dock = questions.statistics_dock
        dock.setFloating(True)
        dock.resize(1100, 620)
        wait(app, lambda: questions.statistics.stats is not None)
        settle(app, 1.0)
        save(dock.grab(), out / "statistics.png")
        dock.setFloating(False)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
