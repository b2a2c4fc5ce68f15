"""The `events` subcommand: the log in global order, streamed as text or JSON Lines."""

from __future__ import annotations

import argparse
import sys

from esgui.app.stores import EventFilter
from esgui.cli.common import (
    Subcommands,
    event_type,
    json_line,
    non_negative,
    open_from_args,
    optional_time,
)
from esgui.domain.events import describe_counterparty, event_amount


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("events", help="events in global order, streamed")
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
    p.add_argument("--correlation", metavar="ID",
                   help="only the events of this correlation (both legs of a transfer, a "
                   "seed run, an import)")  # fmt: skip
    p.add_argument("--since", metavar="ISO-8601", help="recorded at or after")
    p.add_argument("--until", metavar="ISO-8601", help="recorded at or before")
    p.add_argument(
        "--after", type=non_negative, default=0, metavar="P", help="only positions greater than P"
    )
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N events")
    p.add_argument("--json", action="store_true", help="JSON Lines")
    p.set_defaults(handler=cmd_events)


def cmd_events(args: argparse.Namespace) -> int:
    since = optional_time(args.since)
    until = optional_time(args.until)
    with open_from_args(args) as store:
        where = EventFilter(args.account_id, args.types, args.operator, since, until,
                            correlation_id=args.correlation)  # fmt: skip
        stream = store.read_all(after=args.after, limit=args.limit, where=where)
        out = sys.stdout
        for event in stream:
            if args.json:
                out.write(json_line(event.as_json()))
            else:
                amount = event_amount(event.event_type, event.data) or ""
                other = describe_counterparty(event.event_type, event.data)
                out.write(
                    f"{event.position:>10}  {event.recorded_at.isoformat()}  "
                    f"{event.aggregate_id:<14} v{event.version:<6} "
                    f"{event.event_type:<16} {amount:>16}  {event.operator}"
                    f"{'  ' + other if other else ''}\n"
                )
        out.flush()
    return 0
