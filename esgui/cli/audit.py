"""The audit subcommands: verify, diff, export, import, report, notes, projections check."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from esgui.app.accounts import check_user, default_user
from esgui.app.timeutil import parse_time
from esgui.audit.diff import diff_versions
from esgui.audit.export import FORMATS, ExportFilters, export_events
from esgui.audit.importer import import_file
from esgui.audit.notes import add_note, list_notes
from esgui.audit.projection_check import check_projection
from esgui.audit.report import build_report, write_report
from esgui.audit.verify import VerifyResult, verify_store
from esgui.cli.commands import _progress_bar, open_from_args
from esgui.cli.parser import Parser, _non_negative
from esgui.domain.money import format_money
from esgui.projections import AccountProjector

SHOWN_PROBLEMS = 20


def add_commands(sub: Any) -> None:
    """Register the audit subcommands on the main parser's subparsers."""
    p = sub.add_parser("verify", help="check that no stored event was altered or removed")
    p.add_argument(
        "--anchor",
        metavar="HASH",
        help="a head hash recorded earlier: it must still be in the chain",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("diff", help="what changed in an account between two versions")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("first", type=_non_negative, metavar="V1")
    p.add_argument("second", type=_non_negative, metavar="V2")
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
        metavar="T",
        help="only this event type (repeatable)",
    )
    p.add_argument("--operator", metavar="NAME", help="only events recorded by NAME")
    p.add_argument("--since", metavar="ISO-8601", help="recorded at or after")
    p.add_argument("--until", metavar="ISO-8601", help="recorded at or before")
    p.add_argument(
        "--after", type=_non_negative, default=0, metavar="P", help="only positions greater than P"
    )
    p.add_argument("--limit", type=_non_negative, metavar="N", help="at most N events")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="import an export file (idempotent by event id)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_import, mutates=True)

    p = sub.add_parser("report", help="PDF audit report of one account")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("--output", required=True, metavar="FILE.pdf")
    p.add_argument("--from", dest="period_from", metavar="T", help="period start (ISO-8601)")
    p.add_argument("--to", dest="period_to", metavar="T", help="period end (ISO-8601)")
    p.set_defaults(handler=cmd_report)

    notes = sub.add_parser("notes", help="review notes on events and accounts")
    notes_sub = notes.add_subparsers(
        dest="notes_command", metavar="ACTION", required=True, parser_class=Parser
    )
    p = notes_sub.add_parser("add", help="flag an event or an account with a note")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--event", metavar="EVENT_ID")
    target.add_argument("--account", metavar="ID")
    p.add_argument("text", metavar="TEXT")
    p.set_defaults(handler=cmd_notes_add)
    p = notes_sub.add_parser("list", help="review notes, oldest first")
    p.add_argument("--account", metavar="ID", help="notes on this account or its events")
    p.add_argument("--event", metavar="EVENT_ID")
    p.add_argument("--author", metavar="NAME")
    p.add_argument("--since", metavar="ISO-8601")
    p.add_argument("--until", metavar="ISO-8601")
    p.add_argument("--limit", type=_non_negative, metavar="N")
    p.add_argument("--json", action="store_true", help="JSON Lines")
    p.set_defaults(handler=cmd_notes_list)


def _time(text: str | None) -> Any:
    return parse_time(text) if text else None


def _dump(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False))


def _run_with_bar(desc: str, unit: str, work: Any) -> Any:
    bar = _progress_bar(desc, unit)
    try:
        return work(bar.update if bar else None)
    finally:
        if bar:
            bar.close()


# -- verify ------------------------------------------------------------------------------


def _print_verify(result: VerifyResult) -> None:
    if result.intact:
        print(
            f"intact: {result.events} events, hash chain verified up to position "
            f"{result.head_position}"
        )
    else:
        first = result.first_problem
        assert first is not None
        account = first.account_id or "unknown"
        print(f"TAMPERED: first bad position {first.position} (account {account}): {first.message}")
        for problem in result.problems[:SHOWN_PROBLEMS]:
            where = f"{problem.account_id or '?'}" + (
                f" v{problem.version}" if problem.version is not None else ""
            )
            print(
                f"  position {problem.position:>10}  {problem.kind:<10}  {where:<20}  "
                f"{problem.message}"
            )
        if result.problem_count > SHOWN_PROBLEMS:
            print(f"  … and {result.problem_count - SHOWN_PROBLEMS} more problems")
    if result.anchor is not None and result.anchor_position is not None:
        print(f"anchor {result.anchor} found at position {result.anchor_position}")
    print(f"head hash: {result.head_hash}")


def cmd_verify(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        result = _run_with_bar(
            "verifying", "events", lambda p: verify_store(store, anchor=args.anchor, progress=p)
        )
    if args.json:
        _dump(result.as_json())
    else:
        _print_verify(result)
    if not result.intact:
        first = result.first_problem
        assert first is not None
        print(
            f"esgui: tampering detected: first bad position {first.position} (account "
            f"{first.account_id or 'unknown'})",
            file=sys.stderr,
        )
        return 1
    return 0


# -- diff --------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        diff = diff_versions(store, args.account_id, args.first, args.second)
    if args.json:
        _dump(diff.as_json())
        return 0
    print(
        f"{diff.account_id}: version {diff.from_version} → {diff.to_version} "
        f"({diff.event_count} events)"
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
            amount = event.data.get("amount") or event.data.get("initial") or ""
            print(
                f"    {event.position:>10}  v{event.version:<6} "
                f"{event.recorded_at.isoformat()}  {event.event_type:<15} {amount:>16}  "
                f"{event.operator}"
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
        since=_time(args.since),
        until=_time(args.until),
        after=args.after,
        limit=args.limit,
    )
    with open_from_args(args) as store:
        summary = _run_with_bar(
            "exporting",
            "events",
            lambda p: export_events(store, args.format, args.output, filters, progress=p),
        )
    if summary.output is not None:
        sidecar = f" (notes in {summary.notes_output})" if summary.notes_output else ""
        print(
            f"Exported {summary.events} events and {summary.notes} review notes to "
            f"{summary.output}{sidecar}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        summary = _run_with_bar(
            "importing", "B", lambda p: import_file(store, args.file, progress=p)
        )
        AccountProjector(store).catch_up()
    print(
        f"Imported {summary.events_added} events ({summary.events_skipped} already "
        f"present) and {summary.notes_added} review notes ({summary.notes_skipped} already "
        f"present); head position {summary.head_position}"
    )
    if summary.identical_chain:
        print("The copy's hash chain is identical to the source's.")
    print(f"head hash: {summary.head_hash}")
    return 0


# -- report ------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    period_from, period_to = _time(args.period_from), _time(args.period_to)
    with open_from_args(args) as store:
        user = check_user(args.user or default_user())
        report = _run_with_bar(
            "verifying",
            "events",
            lambda p: build_report(
                store,
                args.account_id,
                period_from=period_from,
                period_to=period_to,
                user=user,
                progress=p,
            ),
        )
    path = write_report(report, args.output)
    verdict = "intact" if report.integrity.intact else "TAMPERED (see the report)"
    print(
        f"Wrote {path}: {len(report.lines)} events, opening balance "
        f"{format_money(report.opening_balance)}, closing balance "
        f"{format_money(report.closing_balance)}; integrity {verdict}; head hash "
        f"{report.integrity.head_hash}"
    )
    return 0


# -- notes -------------------------------------------------------------------------------


def cmd_notes_add(args: argparse.Namespace) -> int:
    author = check_user(args.user or default_user())
    with open_from_args(args) as store:
        note = add_note(
            store, args.text, author=author, event_id=args.event, account_id=args.account
        )
    about = (
        f"event {note.event_id} of account {note.account_id}"
        if note.event_id
        else f"account {note.account_id}"
    )
    print(f"Noted {note.note_id} on {about} by {note.author}")
    return 0


def cmd_notes_list(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        notes = list_notes(
            store,
            account_id=args.account,
            event_id=args.event,
            author=args.author,
            since=_time(args.since),
            until=_time(args.until),
            limit=args.limit,
        )
        out = sys.stdout
        for note in notes:
            if args.json:
                out.write(json.dumps(note.as_json(), ensure_ascii=False) + "\n")
                continue
            about = f"event {note.event_id}" if note.event_id else "account"
            text = note.text.replace("\n", " ⏎ ")
            out.write(
                f"{note.created_at.isoformat()}  {note.author:<16} "
                f"{note.account_id:<14} {about:<42} {text}\n"
            )
    return 0


# -- projections check -------------------------------------------------------------------


def cmd_projections_check(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        report = _run_with_bar("checking", "events", lambda p: check_projection(store, progress=p))
    if args.json:
        _dump(report.as_json())
    else:
        print(
            f"checkpoint {report.checkpoint} · head {report.head} · lag {report.lag} "
            f"events · {report.rows} rows checked against {report.accounts} accounts "
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
