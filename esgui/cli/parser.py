"""The argument parser: global options, then one subcommand per task."""

from __future__ import annotations

import argparse
from typing import NoReturn

from esgui._version import __version__


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _non_negative(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def mutates(args: argparse.Namespace) -> bool:
    """Whether the chosen subcommand changes the store (refused when read-only)."""
    value = getattr(args, "mutates", False)
    return bool(value(args) if callable(value) else value)


def build_parser() -> Parser:
    from esgui.cli import commands

    parser = Parser(
        prog="esgui",
        description="Event store and explorer for event-sourced bank accounts.",
    )
    parser.add_argument("--version", action="version", version=f"esgui {__version__}")
    parser.add_argument("--db", metavar="URL",
                        help="store URL: sqlite:///FILE or postgresql://USER@HOST/DB "
                             "(env ESGUI_DB; default: a SQLite file in your data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help="operator name recorded with every event (env ESGUI_USER; "
                             "default: your login)")
    parser.add_argument("--read-only", action="store_true", default=None,
                        help="refuse every command; browse, replay, verify, export only "
                             "(env ESGUI_READ_ONLY=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("open", help="open an account")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("--owner", required=True, metavar="NAME")
    p.add_argument("--initial", default="0.00", metavar="AMOUNT")
    p.set_defaults(handler=commands.cmd_open, mutates=True)

    for name, help_text in (("deposit", "deposit money"), ("withdraw", "withdraw money")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("account_id", metavar="ID")
        p.add_argument("amount", metavar="AMOUNT")
        p.set_defaults(handler=getattr(commands, f"cmd_{name}"), mutates=True)

    p = sub.add_parser("close", help="close an account (balance must be zero)")
    p.add_argument("account_id", metavar="ID")
    p.set_defaults(handler=commands.cmd_close, mutates=True)

    p = sub.add_parser("state", help="an account's state now, at a version or at a time")
    p.add_argument("account_id", metavar="ID")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--at-version", type=_non_negative, metavar="N")
    when.add_argument("--at", metavar="ISO-8601", help="a time; without an offset it is UTC")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.cmd_state)

    p = sub.add_parser("events", help="events in global order, streamed")
    p.add_argument("account_id", nargs="?", metavar="ID")
    p.add_argument("--type", action="append", dest="types", metavar="T",
                   help="only this event type (repeatable)")
    p.add_argument("--operator", metavar="NAME", help="only events recorded by NAME")
    p.add_argument("--since", metavar="ISO-8601", help="recorded at or after")
    p.add_argument("--until", metavar="ISO-8601", help="recorded at or before")
    p.add_argument("--after", type=_non_negative, default=0, metavar="P",
                   help="only positions greater than P")
    p.add_argument("--limit", type=_non_negative, metavar="N", help="at most N events")
    p.add_argument("--json", action="store_true", help="JSON Lines")
    p.set_defaults(handler=commands.cmd_events)

    p = sub.add_parser("accounts", help="the account projection, caught up first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.cmd_accounts)

    p = sub.add_parser("projections",
                       help="catch the projection up, rebuild it, or check it against the log")
    p.add_argument("action", choices=("update", "rebuild", "check"))
    p.add_argument("--json", action="store_true", help="check: the findings as JSON")
    p.set_defaults(handler=commands.cmd_projections,
                   mutates=lambda args: args.action != "check")  # fmt: skip

    p = sub.add_parser("seed", help="write realistic history over new accounts")
    p.add_argument("--accounts", type=_positive, required=True, metavar="N")
    p.add_argument("--events", type=_positive, required=True, metavar="M")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.set_defaults(handler=commands.cmd_seed, mutates=True)

    from esgui.cli import audit

    audit.add_commands(sub)

    p = sub.add_parser("gui", help="the desktop app")
    p.set_defaults(handler=commands.cmd_gui)
    return parser
