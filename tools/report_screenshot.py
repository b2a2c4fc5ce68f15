"""Render a sample account report and its first page as docs/screenshots/report-page1.png.

    python tools/report_screenshot.py [OUTPUT_DIR]

Needs `pdftoppm` (Debian: poppler-utils). Uses a throw-away SQLite store with seeded
history and two review notes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import esgui
from esgui.app.seed import seed
from esgui.audit.notes import add_note
from esgui.audit.report import build_report, write_report
from esgui.projections import AccountProjector


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing (apt-get install poppler-utils)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        store = esgui.open_store(f"sqlite:///{Path(tmp) / 'sample.db'}")
        seed(store, accounts=8, events=400, seed=42, user="teller-ana")
        projector = AccountProjector(store)
        projector.catch_up()
        busiest = max(projector.summaries(), key=lambda s: s.event_count).account_id
        big = max(
            (e for e in store.read_all(aggregate_id=busiest)),
            key=lambda e: float(e.data.get("amount") or e.data.get("initial") or 0),
        )
        add_note(
            store,
            "Largest movement of the year: source of funds documented in ticket AUD-2231.",
            author="auditor-kim",
            event_id=big.event_id,
        )
        add_note(
            store,
            "Account reviewed for the annual audit; no findings.",
            author="auditor-kim",
            account_id=busiest,
        )
        report = build_report(store, busiest, user="auditor-kim", verification="full")
        pdf = write_report(report, Path(tmp) / "report.pdf")
        store.close()
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, out_dir / "report-sample.pdf")
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "110",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(out_dir / "report-page1"),
            ],
            check=True,
        )
    print(out_dir / "report-page1.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
