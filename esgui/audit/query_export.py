"""A query console result written to a file: CSV (for spreadsheets) or JSON Lines.

Rows are streamed page by page from the database to the file (never all in memory),
which is written beside its final name and moved in place only when complete
(`esgui.audit.output`, the one helper every file writer uses). CSV cells that a
spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return: `esgui.audit.csv_cells`) get a leading apostrophe, unless they are plain numbers
such as "-5.00"; JSON Lines keeps every value exactly.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from esgui.app.console import QueryResult, cell_text, plain_row
from esgui.audit.csv_cells import FORMULA_STARTS
from esgui.audit.output import output_text
from esgui.errors import InvalidInput, QueryStopped

FORMATS = ("csv", "jsonl")
PAGE = 2000
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def formula_safe(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_result(
    result: QueryResult,
    path: Path | str,
    fmt: str,
    *,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Write every remaining row of `result` to `path`; returns how many rows."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}: use csv or jsonl")
    count = 0
    with output_text(Path(path)) as out:
        writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if writer is not None:
            writer.writerow([formula_safe(name) for name in result.columns])
        while True:
            if should_stop is not None and should_stop():
                raise QueryStopped("The export was cancelled; no file was written")
            page = result.fetch(PAGE)
            for row in page:
                if writer is not None:
                    writer.writerow([formula_safe(cell_text(value)) for value in row])
                else:
                    out.write(json.dumps(plain_row(result.columns, row), ensure_ascii=False))
                    out.write("\n")
            count += len(page)
            if progress is not None:
                progress(count)
            if len(page) < PAGE:
                return count
