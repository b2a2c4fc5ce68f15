"""Account subcommands: `open`, `deposit`, `withdraw`, `transfer`, `close` and `state`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from esgui.app import Accounts
from esgui.app.timeutil import parse_time
from esgui.cli.common import Subcommands, non_negative, open_from_args, print_json
from esgui.domain.money import format_money
from esgui.errors import NotPermitted


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("open", help="open an account")
    p.add_argument("account_id", metavar="ID")
    p.add_argument("--owner", required=True, metavar="NAME")
    p.add_argument("--initial", default="0.00", metavar="AMOUNT")
    p.set_defaults(handler=cmd_open, mutates=True, creates_store=True)

    for name, help_text, handler in (
        ("deposit", "deposit money", cmd_deposit),
        ("withdraw", "withdraw money", cmd_withdraw),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("account_id", metavar="ID")
        p.add_argument("amount", metavar="AMOUNT")
        p.set_defaults(handler=handler, mutates=True)

    p = sub.add_parser("transfer", help="move money from one account to another, atomically")
    p.add_argument("from_account", metavar="FROM")
    p.add_argument("to_account", metavar="TO")
    p.add_argument("amount", metavar="AMOUNT")
    p.add_argument("--reference", metavar="TEXT", help="what the transfer is for (both legs)")
    p.set_defaults(handler=cmd_transfer, mutates=True)

    p = sub.add_parser("close", help="close an account (balance must be zero)")
    p.add_argument("account_id", metavar="ID")
    p.set_defaults(handler=cmd_close, mutates=True)

    p = sub.add_parser("state", help="an account's state now, at a version or at a time")
    p.add_argument("account_id", metavar="ID")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--at-version", type=non_negative, metavar="N")
    when.add_argument("--at", metavar="ISO-8601", help="a time; without an offset it is UTC")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_state)


# -- commands ------------------------------------------------------------------------------


def _command(
    args: argparse.Namespace, run: Callable[[Accounts], Any], describe: Callable[[Any], str]
) -> int:
    """Run one command on a writable store and print what it did."""
    with open_from_args(args) as store:
        if store.read_only:
            raise NotPermitted(f"{store.description} is open read-only; the command was refused")
        state = run(Accounts(store, user=args.user))
        print(describe(state))
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.open(args.account_id, owner=args.owner, initial=args.initial),
        lambda s: (
            f"Opened {s.account_id} for {s.owner} with {format_money(s.balance)} "
            f"(version {s.version})"
        ),
    )


def cmd_deposit(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.deposit(args.account_id, args.amount),
        lambda s: (
            f"Deposited {args.amount} into {s.account_id}: balance "
            f"{format_money(s.balance)} (version {s.version})"
        ),
    )


def cmd_withdraw(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.withdraw(args.account_id, args.amount),
        lambda s: (
            f"Withdrew {args.amount} from {s.account_id}: balance "
            f"{format_money(s.balance)} (version {s.version})"
        ),
    )


def cmd_transfer(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.transfer(args.from_account, args.to_account, args.amount,
                             reference=args.reference),  # fmt: skip
        lambda t: (
            f"Transferred {args.amount} from {t.sender.account_id} (balance "
            f"{format_money(t.sender.balance)}, version {t.sender.version}) to "
            f"{t.receiver.account_id} (balance {format_money(t.receiver.balance)}, "
            f"version {t.receiver.version})"
        ),
    )


def cmd_close(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.close(args.account_id),
        lambda s: f"Closed {s.account_id} (version {s.version})",
    )


# -- state ---------------------------------------------------------------------------------


def cmd_state(args: argparse.Namespace) -> int:
    # Not optional_time: an empty --at is an invalid time, not "now".
    at_time = parse_time(args.at) if args.at is not None else None
    with open_from_args(args) as store:
        state = Accounts(store, user=args.user).state(
            args.account_id, at_version=args.at_version, at_time=at_time
        )
    if args.json:
        print_json(state.as_dict())
    else:
        updated = state.updated_at.isoformat() if state.updated_at else "-"
        print(
            f"account  {state.account_id}\nowner    {state.owner}\n"
            f"balance  {format_money(state.balance)}\nstatus   {state.status}\n"
            f"version  {state.version}\n"
            f"updated  {updated}"
        )
    return 0
