"""Handlers of the account, query, projection and seed subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from esgui.app import Accounts
from esgui.app.seed import seed
from esgui.app.stores import EventStore, open_store
from esgui.app.timeutil import parse_time
from esgui.config import default_store_url, env_read_only
from esgui.domain.money import format_money
from esgui.errors import NotPermitted
from esgui.projections import AccountProjector


def open_from_args(args: argparse.Namespace) -> EventStore:
    read_only = args.read_only if args.read_only is not None else env_read_only()
    store = open_store(args.db or default_store_url(), read_only=read_only)
    if store.upgraded_from:  # "" for a new store
        print(f"esgui: upgraded the store schema from {store.upgraded_from}",
              file=sys.stderr)  # fmt: skip
    return store


def accounts_from_args(args: argparse.Namespace, store: EventStore) -> Accounts:
    return Accounts(store, user=args.user)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False))


# -- commands ------------------------------------------------------------------------------


def _command(args: argparse.Namespace, run: Any, describe: Any) -> int:
    with open_from_args(args) as store:
        if store.read_only:
            raise NotPermitted(f"{store.description} is open read-only; the command was refused")
        state = run(accounts_from_args(args, store))
        print(describe(state))
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.open(args.account_id, owner=args.owner, initial=args.initial),
        lambda s: f"Opened {s.account_id} for {s.owner} with {format_money(s.balance)} "
        f"(version {s.version})",
    )


def cmd_deposit(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.deposit(args.account_id, args.amount),
        lambda s: f"Deposited {args.amount} into {s.account_id}: balance "
        f"{format_money(s.balance)} (version {s.version})",
    )


def cmd_withdraw(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.withdraw(args.account_id, args.amount),
        lambda s: f"Withdrew {args.amount} from {s.account_id}: balance "
        f"{format_money(s.balance)} (version {s.version})",
    )


def cmd_close(args: argparse.Namespace) -> int:
    return _command(
        args,
        lambda a: a.close(args.account_id),
        lambda s: f"Closed {s.account_id} (version {s.version})",
    )


# -- queries -------------------------------------------------------------------------------


def cmd_state(args: argparse.Namespace) -> int:
    at_time = parse_time(args.at) if args.at is not None else None
    with open_from_args(args) as store:
        state = Accounts(store, user=args.user).state(
            args.account_id, at_version=args.at_version, at_time=at_time
        )
    if args.json:
        _print_json(state.as_dict())
    else:
        print(f"account  {state.account_id}\nowner    {state.owner}\n"
              f"balance  {format_money(state.balance)}\nstatus   {state.status}\n"
              f"version  {state.version}\n"
              f"updated  {state.updated_at.isoformat() if state.updated_at else '-'}")  # fmt: skip
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    since = parse_time(args.since) if args.since else None
    until = parse_time(args.until) if args.until else None
    with open_from_args(args) as store:
        stream = store.read_all(after=args.after, limit=args.limit, event_types=args.types,
                                aggregate_id=args.account_id, operator=args.operator,
                                since=since, until=until)  # fmt: skip
        out = sys.stdout
        for event in stream:
            if args.json:
                out.write(json.dumps(event.as_json(), ensure_ascii=False) + "\n")
            else:
                amount = event.data.get("amount") or event.data.get("initial") or ""
                out.write(f"{event.position:>10}  {event.recorded_at.isoformat()}  "
                          f"{event.aggregate_id:<14} v{event.version:<6} "
                          f"{event.event_type:<15} {amount:>16}  {event.operator}\n")  # fmt: skip
        out.flush()
    return 0


def cmd_accounts(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        projector = AccountProjector(store)
        summaries = projector.current()
    if args.json:
        _print_json([s.as_dict() for s in summaries])
        return 0
    print(f"{'ACCOUNT':<16} {'OWNER':<24} {'BALANCE':>18} {'STATUS':<10} {'VERSION':>8}")
    for s in summaries:
        print(f"{s.account_id:<16} {s.owner[:24]:<24} {format_money(s.balance):>18} "
              f"{s.status:<10} {s.version:>8}")  # fmt: skip
    return 0


def cmd_projections(args: argparse.Namespace) -> int:
    if args.action == "check":
        from esgui.cli.audit import cmd_projections_check

        return cmd_projections_check(args)
    with open_from_args(args) as store:
        projector = AccountProjector(store)
        progress = _progress_bar("projecting", "events")
        try:
            run = projector.rebuild if args.action == "rebuild" else projector.catch_up
            applied = run(progress=progress.update if progress else None)
        finally:
            if progress:
                progress.close()
        checkpoint = projector.checkpoint()
    verb = "Rebuilt" if args.action == "rebuild" else "Caught up"
    print(f"{verb} the account projection: {applied} events applied, checkpoint {checkpoint}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    with open_from_args(args) as store:
        accounts = Accounts(store, user=args.user)
        progress = _progress_bar("seeding", "events")
        try:
            result = seed(store, accounts=args.accounts, events=args.events, seed=args.seed,
                          user=accounts.user,
                          progress=progress.update if progress else None)  # fmt: skip
        finally:
            if progress:
                progress.close()
        AccountProjector(store).catch_up()
    print(f"Seeded {result.events} events over {len(result.account_ids)} accounts "
          f"({result.account_ids[0]} … {result.account_ids[-1]}), positions "
          f"{result.first_position}–{result.last_position}")  # fmt: skip
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from esgui.ui import run_gui

    read_only = args.read_only if args.read_only is not None else env_read_only()
    return run_gui(args.db, user=args.user, read_only=read_only)


class _Progress:
    """A tqdm bar fed with absolute (done, total) values."""

    def __init__(self, desc: str, unit: str) -> None:
        from tqdm import tqdm

        self._bar = tqdm(desc=desc, unit=unit, unit_scale=True, file=sys.stderr,
                         leave=False, dynamic_ncols=True)  # fmt: skip

    def update(self, done: int, total: int) -> None:
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def _progress_bar(desc: str, unit: str) -> _Progress | None:
    return _Progress(desc, unit) if sys.stderr.isatty() else None
