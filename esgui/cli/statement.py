"""The `statement` subcommand: "Balances as of T", as PDF or CSV, with the head hash
and the verification verdict at the time it was made."""

from __future__ import annotations

import argparse

from esgui.app.accounts import check_user, default_user
from esgui.app.timeutil import parse_time
from esgui.audit.statement import build_statement, write_statement
from esgui.cli.common import Subcommands, open_from_args, run_with_progress
from esgui.domain.money import format_money


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser(
        "statement", help="balances of every account as of a time (PDF or CSV), verified"
    )
    p.add_argument("--at", required=True, metavar="ISO-8601",
                   help="the period end; without an offset it is UTC")  # fmt: skip
    p.add_argument("--output", required=True, metavar="FILE",
                   help="FILE.pdf, or FILE.csv with --csv")  # fmt: skip
    p.add_argument("--csv", action="store_true", help="write CSV instead of PDF")
    p.set_defaults(handler=cmd_statement)


def cmd_statement(args: argparse.Namespace) -> int:
    when = parse_time(args.at)
    user = check_user(args.user or default_user())
    with open_from_args(args) as store:
        statement = run_with_progress(
            "verifying", "events", lambda p: build_statement(store, when, user=user, progress=p)
        )
    path = write_statement(statement, args.output, "csv" if args.csv else "pdf")
    b = statement.balances
    verdict = "intact" if statement.integrity.intact else "TAMPERED (see the statement)"
    print(
        f"Wrote {path}: {b.count} accounts as of {b.at.isoformat()}, total balance "
        f"{format_money(b.total)}; integrity {verdict}; head hash "
        f"{statement.integrity.head_hash}"
    )
    return 0
