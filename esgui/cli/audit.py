"""Audit subcommands: `verify`, `diff`, `export`, `import` and `report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from esgui.app.accounts import check_user, default_user
from esgui.app.verify_memory import VerifyMemory
from esgui.app.wording import plural
from esgui.audit.diff import diff_versions
from esgui.audit.export import FORMATS, ExportFilters, export_events
from esgui.audit.importer import import_file
from esgui.audit.output import check_output, is_stdout
from esgui.audit.report import build_report, write_report
from esgui.audit.report_model import AccountReport
from esgui.audit.trust import export_warning
from esgui.audit.verify import Problem, VerifyResult, verify_store
from esgui.audit.verify_recording import run_verification, verification_json
from esgui.cli.common import (
    SHOWN_PROBLEMS,
    ProgressCallback,
    Subcommands,
    event_type,
    non_negative,
    open_from_args,
    optional_time,
    print_json,
    run_with_progress,
)
from esgui.domain.events import describe_counterparty, event_amount
from esgui.domain.money import format_money
from esgui.projections import AccountProjector


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("verify", help="check that no stored event was altered or removed")
    p.add_argument(
        "--anchor",
        metavar="HASH",
        help="a head hash recorded earlier: it must still be in the chain",
    )
    p.add_argument(
        "--incremental",
        action="store_true",
        help="check only what was appended since the last clean verify witnessed on this "
        "machine (after re-checking its checkpoint event); a full verify otherwise",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="a progress bar on stderr even when it is no terminal",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("diff", help="what changed in an account between two versions")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("first", type=non_negative, metavar="V1")
    p.add_argument("second", type=non_negative, metavar="V2")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser("export", help="export events (and review notes) in stored form")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    p.add_argument("account_id", nargs="?", metavar="ID")
    p.add_argument(
        "--type",
        action="append",
        dest="types",
        type=event_type,
        metavar="T",
        help="only this event type (repeatable)",
    )
    p.add_argument("--operator", metavar="NAME", help="only events recorded by NAME")
    p.add_argument("--correlation", metavar="ID", help="only the events of this correlation")
    p.add_argument("--since", metavar="ISO-8601", help="recorded at or after")
    p.add_argument("--until", metavar="ISO-8601", help="recorded at or before")
    p.add_argument(
        "--after", type=non_negative, default=0, metavar="P", help="only positions greater than P"
    )
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N events")
    p.add_argument(
        "--no-verify",
        action="store_true",
        help="skip verifying the store first (the header then says nothing of its integrity)",
    )
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="import an export file (idempotent by event id)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_import, mutates=True, creates_store=True)

    p = sub.add_parser("report", help="PDF audit report of one account")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("--output", required=True, metavar="FILE.pdf")
    p.add_argument("--from", dest="period_from", metavar="T", help="period start (ISO-8601)")
    p.add_argument("--to", dest="period_to", metavar="T", help="period end (ISO-8601)")
    p.add_argument(
        "--summary",
        action="store_true",
        help="totals, money moved per month, flagged events and notes; no event listing",
    )
    p.add_argument(
        "--full-verify",
        action="store_true",
        help="verify the whole store for this report (default: the recorded verification "
        "and an incremental check of what was appended since)",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="a progress bar on stderr even when it is no terminal",
    )
    p.set_defaults(handler=cmd_report)


# -- verify ------------------------------------------------------------------------------


def _where(problem: Problem) -> str:
    """Where the first problem is; a problem beside the log (a snapshot, a note, the
    anchor) has no position of its own (0)."""
    if problem.position < 1:
        account = f" (account {problem.account_id})" if problem.account_id else ""
        return f"{problem.kind}{account}"
    return f"first bad position {problem.position} (account {problem.account_id or 'unknown'})"


def _print_verify(result: VerifyResult) -> None:
    if result.intact:
        print(
            f"intact: {plural(result.events, 'event')}, hash chain verified up to position "
            f"{result.head_position}"
        )
    else:
        first = result.first_problem
        assert first is not None
        if result.tampered:
            bad = next((p for p in result.problems if p.kind != "protection"), first)
            print(f"TAMPERED: {_where(bad)}: {bad.message}")
        for problem in result.protection_problems:
            print(f"PROTECTION MISSING: {problem.message}")
        for problem in [p for p in result.problems if p.kind != "protection"][:SHOWN_PROBLEMS]:
            where = f"{problem.account_id or '?'}" + (
                f" v{problem.version}" if problem.version is not None else ""
            )
            print(
                f"  position {problem.position:>10}  {problem.kind:<10}  {where:<20}  "
                f"{problem.message}"
            )
        if result.problem_count > SHOWN_PROBLEMS:
            more = result.problem_count - SHOWN_PROBLEMS
            print(f"  … and {plural(more, 'more problem', 'more problems')}")
    if result.anchor is not None and result.anchor_position is not None:
        print(f"anchor {result.anchor} found at position {result.anchor_position}")
    if result.tampered:
        print(f"head hash: {result.head_hash} (of a tampered log: do not record it as an anchor)")
    else:
        print(f"head hash: {result.head_hash}")


def cmd_verify(args: argparse.Namespace) -> int:
    user = check_user(args.user or default_user())
    with open_from_args(args) as store:
        outcome, recorded = run_with_progress(
            "verifying",
            "events",
            lambda p: run_verification(
                store,
                user=user,
                memory=VerifyMemory(),
                incremental=args.incremental,
                anchor=args.anchor,
                progress=p,
            ),
            force=args.progress,
        )
    result = outcome.result
    if args.json:
        print_json({**result.as_json(), "verification": verification_json(outcome, recorded)})
    else:
        _print_verify(result)
        if outcome.note:
            print(f"note: {outcome.note}")
        print(f"checked: {outcome.describe()}; {recorded.message}")
    if not result.intact:
        first = result.first_problem
        assert first is not None
        if result.tampered:
            bad = next((p for p in result.problems if p.kind != "protection"), first)
            print(f"esgui: tampering detected: {_where(bad)}", file=sys.stderr)
        if result.protection_problems:
            print(
                f"esgui: the append-only protection is missing or altered "
                f"({plural(len(result.protection_problems), 'finding')}): the database no "
                "longer refuses edits on its own",
                file=sys.stderr,
            )
        return 1
    return 0


# -- diff --------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        diff = diff_versions(store, args.account_id, args.first, args.second)
    if args.json:
        print_json(diff.as_json())
        return 0
    print(
        f"{diff.account_id}: version {diff.from_version} → {diff.to_version} "
        f"({plural(diff.event_count, 'event')})"
    )
    if diff.changes:
        print(
            f"  {'field':<11} {'version ' + str(diff.from_version):<34} version {diff.to_version}"
        )
        for change in diff.changes:
            print(f"  {change.name:<11} {change.before or '–':<34} {change.after or '–'}")
    else:
        print("  no field changed")
    if diff.event_count:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(diff.counts.items()))
        print(
            f"  money in {format_money(diff.money_in)} · money out "
            f"{format_money(diff.money_out)} · {counts}"
        )
        print("  events:")
        for event in diff.events:
            amount = event_amount(event.event_type, event.data) or ""
            other = describe_counterparty(event.event_type, event.data)
            print(
                f"    {event.position:>10}  v{event.version:<6} "
                f"{event.recorded_at.isoformat()}  {event.event_type:<16} {amount:>16}  "
                f"{event.operator}{'  ' + other if other else ''}"
            )
        if diff.truncated:
            print(
                f"    … and {diff.event_count - len(diff.events)} more (see --json or "
                "`esgui events`)"
            )
    return 0


# -- export / import ---------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    filters = ExportFilters(
        account_id=args.account_id,
        event_types=tuple(args.types) if args.types else None,
        operator=args.operator,
        since=optional_time(args.since),
        until=optional_time(args.until),
        after=args.after,
        limit=args.limit,
        correlation_id=args.correlation,
    )
    if not is_stdout(args.output):
        check_output(args.output)  # a refused --output is said before the long work
    with open_from_args(args) as store:
        integrity = None
        if not args.no_verify:  # the header (and a warning) says whether it is tampered
            integrity = run_with_progress(
                "verifying", "events", lambda p: verify_store(store, progress=p)
            )
            warning = export_warning(integrity)
            if warning:
                print(f"esgui: warning: {warning}", file=sys.stderr)
        summary = run_with_progress(
            "exporting",
            "events",
            lambda p: export_events(
                store, args.format, args.output, filters, progress=p, integrity=integrity
            ),
        )
    if summary.output is not None:
        sidecar = f" (notes in {summary.notes_output})" if summary.notes_output else ""
        print(
            f"Exported {plural(summary.events, 'event')} and "
            f"{plural(summary.notes, 'review note')} to "
            f"{summary.output}{sidecar}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        summary = run_with_progress(
            "importing", "B", lambda p: import_file(store, args.file, progress=p)
        )
        AccountProjector(store).catch_up()
    print(
        f"Imported {plural(summary.events_added, 'event')} ({summary.events_skipped} already "
        f"present) and {plural(summary.notes_added, 'review note')} "
        f"({summary.notes_skipped} already present); head position {summary.head_position}"
    )
    if summary.identical_chain:
        print("The copy's hash chain is identical to the source's.")
    print(f"head hash: {summary.head_hash}")
    return 0


# -- report ------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    period_from, period_to = optional_time(args.period_from), optional_time(args.period_to)
    if not is_stdout(args.output):
        check_output(args.output)  # a refused --output is said before the long work
    with open_from_args(args) as store:
        user = check_user(args.user or default_user())

        def work(progress: ProgressCallback | None) -> tuple[Path, AccountReport]:
            report = build_report(
                store,
                args.account_id,
                period_from=period_from,
                period_to=period_to,
                user=user,
                verification="full" if args.full_verify else "auto",
                summary_only=args.summary,
                progress=progress,
            )
            # the listing is read from the store while the PDF is written
            return write_report(report, args.output), report

        path, report = run_with_progress("report", "rows", work, force=args.progress)
    known = report.integrity
    verdict = {"intact": "intact", "tampered": "TAMPERED (see the report)",
               "unverified": "NOT VERIFIED"}.get(known.verdict, known.verdict)  # fmt: skip
    if known.intact and not known.witnessed:
        verdict = "intact (unconfirmed: rests on a verification not run on this machine)"
    kind = "summary" if report.summary_only else "report"
    summary = (
        f"Wrote {path} ({kind}): {plural(report.event_count, 'event')}, opening balance "
        f"{format_money(report.opening_balance)}, closing balance "
        f"{format_money(report.closing_balance)}; integrity {verdict}; head hash "
        f"{known.head_hash}"
    )
    out = sys.stderr if is_stdout(args.output) else sys.stdout  # the PDF may be on stdout
    print(summary, file=out)
    print(f"verification: {known.statement}", file=out)
    return 0
