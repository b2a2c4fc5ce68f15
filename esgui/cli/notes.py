"""Review notes: `notes add` and `notes list` (append-only; esgui.audit.notes owns the rules)."""

from __future__ import annotations

import argparse
import sys

from esgui.app.accounts import check_user, default_user
from esgui.app.stores import EventStore
from esgui.audit.notes import add_note, list_notes
from esgui.cli.common import (
    Parser,
    Subcommands,
    json_line,
    non_negative,
    open_from_args,
    optional_time,
    positive,
)
from esgui.errors import RuleViolation


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    notes = sub.add_parser("notes", help="review notes on events and accounts")
    notes_sub = notes.add_subparsers(
        dest="notes_command", metavar="ACTION", required=True, parser_class=Parser
    )
    p = notes_sub.add_parser("add", help="flag an event or an account with a note")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--event", metavar="EVENT_ID")
    target.add_argument(
        "--position", type=positive, metavar="P", help="the event at this log position"
    )
    target.add_argument("--account", metavar="ID")
    p.add_argument("text", metavar="TEXT")
    p.set_defaults(handler=cmd_notes_add)
    p = notes_sub.add_parser("list", help="review notes, oldest first")
    p.add_argument("--account", metavar="ID", help="notes on this account or its events")
    p.add_argument("--event", metavar="EVENT_ID")
    p.add_argument("--author", metavar="NAME")
    p.add_argument("--since", metavar="ISO-8601")
    p.add_argument("--until", metavar="ISO-8601")
    p.add_argument("--limit", type=non_negative, metavar="N")
    p.add_argument("--json", action="store_true", help="JSON Lines")
    p.set_defaults(handler=cmd_notes_list)


def cmd_notes_add(args: argparse.Namespace) -> int:
    author = check_user(args.user or default_user())
    with open_from_args(args) as store:
        event_id = args.event
        if args.position is not None:
            event_id = _event_at(store, args.position)
        note = add_note(store, args.text, author=author, event_id=event_id, account_id=args.account)
    about = (
        f"event {note.event_id} of account {note.account_id}"
        if note.event_id
        else f"account {note.account_id}"
    )
    print(f"Noted {note.note_id} on {about} by {note.author}")
    return 0


def _event_at(store: EventStore, position: int) -> str:
    """The id of the event at `position` (`notes add --position`)."""
    event = next(iter(store.read_all(after=position - 1, limit=1)), None)
    if event is None or event.position != position:
        head = store.head()[0]
        raise RuleViolation(
            f"No event at position {position}: the log holds positions 1..{head}"
            if head
            else f"No event at position {position}: the store is empty"
        )
    return event.event_id


def cmd_notes_list(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        notes = list_notes(
            store,
            account_id=args.account,
            event_id=args.event,
            author=args.author,
            since=optional_time(args.since),
            until=optional_time(args.until),
            limit=args.limit,
        )
        out = sys.stdout
        for note in notes:
            if args.json:
                out.write(json_line(note.as_json()))
                continue
            about = f"event {note.event_id}" if note.event_id else "account"
            text = note.text.replace("\n", " ⏎ ")
            out.write(
                f"{note.created_at.isoformat()}  {note.author:<16} "
                f"{note.account_id:<14} {about:<42} {text}\n"
            )
    return 0
