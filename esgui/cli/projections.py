"""The account read model: `accounts` (the projection, caught up first) and
`projections update | rebuild | check`."""

from __future__ import annotations

import argparse
import sys

from esgui.app.as_of import trial_balance
from esgui.app.timeutil import parse_time
from esgui.app.wording import plural
from esgui.audit.projection_check import check_projection
from esgui.audit.trust import rebuild_warning
from esgui.audit.verify import verify_store
from esgui.cli.common import (
    SHOWN_PROBLEMS,
    Subcommands,
    open_from_args,
    print_json,
    run_with_progress,
)
from esgui.domain.money import format_money
from esgui.projections import AccountProjector


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser(
        "accounts", help="the account projection, caught up first; or the store as of a time"
    )
    p.add_argument(
        "--at", metavar="ISO-8601",
        help="every account that existed then, with its state then (a trial balance); "
        "without an offset it is UTC",
    )  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_accounts)

    p = sub.add_parser(
        "projections", help="catch the projection up, rebuild it, or check it against the log"
    )
    p.add_argument("action", choices=("update", "rebuild", "check"))
    p.add_argument("--json", action="store_true", help="check: the findings as JSON")
    p.set_defaults(handler=cmd_projections, mutates=lambda args: args.action != "check")


def cmd_accounts(args: argparse.Namespace) -> int:
    # Not optional_time: an empty --at is an invalid time, not "now".
    at_time = parse_time(args.at) if args.at is not None else None
    with open_from_args(args) as store:
        if at_time is not None:
            balance = trial_balance(store, at_time)
            summaries = list(balance.accounts)
        else:
            summaries = AccountProjector(store).current()
    if args.json:
        print_json([s.as_dict() for s in summaries])
        return 0
    if at_time is not None:
        print(f"As of {at_time.isoformat()}")
    print(f"{'ACCOUNT':<16} {'OWNER':<24} {'BALANCE':>18} {'STATUS':<10} {'VERSION':>8}")
    for s in summaries:
        print(
            f"{s.account_id:<16} {s.owner[:24]:<24} {format_money(s.balance):>18} "
            f"{s.status:<10} {s.version:>8}"
        )
    if at_time is not None:
        unreadable = f", {balance.unreadable_count} unreadable" if balance.unreadable_count else ""
        print(f"{balance.count} accounts ({balance.open_count} open, {balance.closed_count} "
              f"closed{unreadable}) · total balance {format_money(balance.total)}")  # fmt: skip
    return 0


def cmd_projections(args: argparse.Namespace) -> int:
    if args.action == "check":
        return cmd_projections_check(args)
    with open_from_args(args) as store:
        if args.action == "rebuild":  # say first if the log it adopts is tampered
            integrity = run_with_progress(
                "verifying", "events", lambda p: verify_store(store, progress=p)
            )
            warning = rebuild_warning(integrity)
            if warning:
                print(f"esgui: warning: {warning}", file=sys.stderr)
        projector = AccountProjector(store)
        run = projector.rebuild if args.action == "rebuild" else projector.catch_up
        applied = run_with_progress("projecting", "events", lambda p: run(progress=p))
        checkpoint = projector.checkpoint()
    verb = "Rebuilt" if args.action == "rebuild" else "Caught up"
    print(f"{verb} the account projection: {plural(applied, 'event')} applied, checkpoint "
          f"{checkpoint}")
    return 0


def cmd_projections_check(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        report = run_with_progress(
            "checking", "events", lambda p: check_projection(store, progress=p)
        )
    if args.json:
        print_json(report.as_json())
    else:
        print(
            f"checkpoint {report.checkpoint} · head {report.head} · lag {report.lag} "
            f"events · {plural(report.rows, 'row')} checked against "
            f"{plural(report.accounts, 'account')} "
            "replayed up to the checkpoint"
        )
        if report.ahead_of_log:
            print("  the checkpoint is beyond the newest event: the log lost events")
        for drift in report.drift[:SHOWN_PROBLEMS]:
            print(
                f"  drift    {drift.account_id:<14} {drift.field:<14} read model "
                f"{drift.projected!s:<28} log {drift.replayed!s}"
            )
        if len(report.drift) > SHOWN_PROBLEMS:
            print(f"  … and {len(report.drift) - SHOWN_PROBLEMS} more drifting fields")
        for account in report.missing[:SHOWN_PROBLEMS]:
            print(f"  missing  {account:<14} has events but no read-model row")
        for account in report.extra[:SHOWN_PROBLEMS]:
            print(f"  extra    {account:<14} has a read-model row but no events")
        for gap in report.gaps[:SHOWN_PROBLEMS]:
            print(
                f"  gap      {gap.account_id:<14} expected version {gap.expected_version}, "
                f"found {gap.found_version} at position {gap.position}"
            )
        if report.consistent:
            print("consistent: no drift, no missing or extra accounts, no version gaps")
    if not report.consistent:
        print(
            "esgui: the read model does not match the log (drift, missing or extra "
            "accounts, or version gaps); `esgui projections rebuild` rebuilds it",
            file=sys.stderr,
        )
        return 1
    return 0
