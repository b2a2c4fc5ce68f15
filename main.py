"""Start the esgui desktop explorer: `python main.py [--db URL] [--user NAME] [--read-only]`.

The same as `esgui gui`; options also come from ESGUI_DB, ESGUI_USER, ESGUI_READ_ONLY.
"""

from __future__ import annotations

import sys

from esgui.cli import main

if __name__ == "__main__":
    argv = sys.argv[1:]
    if "gui" not in argv:
        argv = [*argv, "gui"]
    sys.exit(main(argv))
