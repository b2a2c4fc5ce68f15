"""A writer process for the failover test: runs `esgui deposit` commands (the CLI's own
entry point, one store opening per command as a CLI process would) until told to stop,
and records each command's amount and exit code, one line each, as it finishes."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from pathlib import Path


def run(url: str, account_id: str, out: str, stop: str, limit: int = 400) -> None:
    from esgui.cli import main

    with open(out, "a", encoding="utf-8") as record:
        for i in range(1, limit + 1):
            if os.path.exists(stop):
                return
            amount = f"{i}.00"  # unique per account: identifies the command in the store
            errors = io.StringIO()
            started = time.monotonic()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
                code = main(["--db", url, "--user", f"writer-{account_id}", "deposit",
                             account_id, amount])  # fmt: skip
            took = time.monotonic() - started
            message = errors.getvalue().strip().replace("\n", " ")
            record.write(f"{amount}\t{code}\t{took:.2f}\t{message}\n")
            record.flush()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    run(*sys.argv[1:5])
