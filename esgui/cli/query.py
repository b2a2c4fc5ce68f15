"""The query console and statistics on the command line: `query`, `queries save|list|run`
and `stats` (CONTRACTS §3; esgui.app.console does the work, docs/query.md explains it)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import IO

from esgui.app.accounts import check_user, default_user
from esgui.app.console import (
    BUSIEST,
    DEFAULT_TIME_LIMIT_S,
    GROUPINGS,
    QueryResult,
    cell_text,
    list_queries,
    plain_row,
    run_query,
    run_saved,
    save_query,
    statistics,
)
from esgui.cli.common import (
    Parser,
    Subcommands,
    open_from_args,
    optional_time,
    positive,
    print_json,
)

PAGE = 1000


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600: {text!r}")
    return value


def _output_options(p: Parser) -> None:
    formats = p.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="a JSON array, one object per row")
    formats.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.add_argument(
        "--time-limit",
        type=_seconds,
        default=DEFAULT_TIME_LIMIT_S,
        metavar="S",
        help=f"stop a step that takes longer (default {DEFAULT_TIME_LIMIT_S:g} s)",
    )


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("query", help="read-only SQL over the documented views (docs/query.md)")
    p.add_argument("sql", metavar="SQL")
    _output_options(p)
    p.set_defaults(handler=cmd_query)

    queries = sub.add_parser("queries", help="saved queries shared in the store")
    queries_sub = queries.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    p = queries_sub.add_parser("save", help="save (or replace) a named query")
    p.add_argument("name", metavar="NAME")
    p.add_argument("sql", metavar="SQL")
    p.set_defaults(handler=cmd_queries_save)
    p = queries_sub.add_parser("list", help="the saved queries, newest version of each")
    p.add_argument("--json", action="store_true", help="a JSON array")
    p.set_defaults(handler=cmd_queries_list)
    p = queries_sub.add_parser("run", help="run a saved query by name")
    p.add_argument("name", metavar="NAME")
    _output_options(p)
    p.set_defaults(handler=cmd_queries_run)

    p = sub.add_parser("stats", help="counts and money moved, computed in the database")
    p.add_argument(
        "--by",
        choices=(*GROUPINGS, "account"),
        default="day",
        help="group by period, event type, operator, or the busiest accounts",
    )
    p.add_argument("--since", metavar="ISO-8601", help="recorded at or after")
    p.add_argument("--until", metavar="ISO-8601", help="recorded at or before")
    p.add_argument(
        "--limit",
        type=positive,
        default=BUSIEST,
        metavar="N",
        help=f"with --by account: how many accounts (default {BUSIEST})",
    )
    p.add_argument("--json", action="store_true", help="a JSON array of objects")
    p.set_defaults(handler=cmd_stats)


# -- query ---------------------------------------------------------------------------------


def write_result(result: QueryResult, out: IO[str], *, as_json: bool, as_csv: bool) -> int:
    """Stream every row of `result` to `out`; returns how many."""
    count = 0
    if as_json:
        out.write("[")
        for row in result.rows(PAGE):
            out.write(
                ("\n" if count == 0 else ",\n")
                + json.dumps(plain_row(result.columns, row), ensure_ascii=False)
            )
            count += 1
        out.write("\n]\n" if count else "]\n")
    elif as_csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows(PAGE):
            writer.writerow([cell_text(value) for value in row])
            count += 1
    else:
        out.write("\t".join(result.columns) + "\n")
        for row in result.rows(PAGE):
            out.write(
                "\t".join(cell_text(v).replace("\t", " ").replace("\n", " ") for v in row) + "\n"
            )
            count += 1
    out.flush()
    return count


def cmd_query(args: argparse.Namespace) -> int:
    with (
        open_from_args(args) as store,
        run_query(store, args.sql, time_limit_s=args.time_limit) as result,
    ):
        write_result(result, sys.stdout, as_json=args.json, as_csv=args.csv)
    return 0


# -- saved queries -------------------------------------------------------------------------


def cmd_queries_save(args: argparse.Namespace) -> int:
    author = check_user(args.user or default_user())
    with open_from_args(args) as store:
        saved = save_query(store, args.name, args.sql, author=author)
    print(f"Saved query {saved.name!r} by {saved.author} at {saved.created_at.isoformat()}")
    return 0


def cmd_queries_list(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        saved = list_queries(store)
    if args.json:
        print_json([query.as_json() for query in saved])
        return 0
    if not saved:
        print("No saved queries yet (save one with `esgui queries save NAME SQL`)")
    for query in saved:
        sql = " ".join(query.sql.split())
        print(f"{query.name:<24} {query.author:<16} {query.created_at.isoformat()}  {sql}")
    return 0


def cmd_queries_run(args: argparse.Namespace) -> int:
    with (
        open_from_args(args) as store,
        run_saved(store, args.name, time_limit_s=args.time_limit) as result,
    ):
        write_result(result, sys.stdout, as_json=args.json, as_csv=args.csv)
    return 0


# -- statistics ----------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    since, until = optional_time(args.since), optional_time(args.until)
    by_account = args.by == "account"
    with open_from_args(args) as store:
        stats = statistics(
            store,
            "type" if by_account else args.by,
            since=since,
            until=until,
            busiest=args.limit if by_account else BUSIEST,
        )
    rows = stats.busiest if by_account else stats.groups
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    print(f"{args.by:<24} {'events':>10} {'moved':>20} {'net':>20}")
    for row in rows:
        print(f"{row.key:<24} {row.events:>10} {row.moved:>20.2f} {row.net:>20.2f}")
    total = stats.totals
    print(f"{'total':<24} {total.events:>10} {total.moved:>20.2f} {total.net:>20.2f}")
    if not by_account and stats.busiest:
        print("\nbusiest accounts")
        for row in stats.busiest:
            print(f"{row.key:<24} {row.events:>10} {row.moved:>20.2f} {row.net:>20.2f}")
    return 0
