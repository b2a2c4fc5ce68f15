"""The `seed` subcommand: realistic, rule-abiding history over new accounts."""

from __future__ import annotations

import argparse

from esgui.app import Accounts
from esgui.app.seed import check_seed_size, seed
from esgui.app.wording import plural
from esgui.cli.common import Subcommands, open_from_args, positive, run_with_progress
from esgui.projections import AccountProjector


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("seed", help="write realistic history over new accounts")
    p.add_argument("--accounts", type=positive, required=True, metavar="N")
    p.add_argument("--events", type=positive, required=True, metavar="M")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.set_defaults(handler=cmd_seed, mutates=True, creates_store=True)


def cmd_seed(args: argparse.Namespace) -> int:
    check_seed_size(args.accounts, args.events)  # before a store is created or opened
    with open_from_args(args) as store:
        accounts = Accounts(store, user=args.user)
        result = run_with_progress(
            "seeding",
            "events",
            lambda p: seed(
                store,
                accounts=args.accounts,
                events=args.events,
                seed=args.seed,
                user=accounts.user,
                progress=p,
            ),
        )
        AccountProjector(store).catch_up()
    print(
        f"Seeded {plural(result.events, 'event')} over "
        f"{plural(len(result.account_ids), 'account')} "
        f"({result.account_ids[0]} … {result.account_ids[-1]}), positions "
        f"{result.first_position}–{result.last_position}"
    )
    return 0
