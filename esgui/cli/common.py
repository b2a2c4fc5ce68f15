"""What every command module shares: the parser class, argument types, the store opened
from the global options, progress bars and JSON output.

Command modules import this module and nothing else of `esgui.cli`; `esgui.cli.parser`
asks each of them to register its subcommands.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn, Protocol, TypeVar

from esgui.app.stores import EventStore, open_store
from esgui.app.timeutil import parse_time
from esgui.config import default_store_url, env_read_only
from esgui.domain.events import EVENT_TYPES

T = TypeVar("T")

#: A subcommand's handler: the parsed arguments in, the exit code out.
Handler = Callable[[argparse.Namespace], int]
#: What long-running work receives to report (done, total).
ProgressCallback = Callable[[int, int], None]

#: How many problems (tampered events, drifting fields…) a text report lists.
SHOWN_PROBLEMS = 20


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class Subcommands(Protocol):
    """The main parser's subparsers, as a command module's `register` receives them."""

    def add_parser(self, name: str, **kwargs: Any) -> Parser: ...


# -- argument types ------------------------------------------------------------------------


def non_negative(text: str) -> int:
    """A whole number ≥ 0 (versions, positions, limits)."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def positive(text: str) -> int:
    """A whole number ≥ 1 (counts)."""
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def event_type(text: str) -> str:
    """A known event type (`--type`): a typo is invalid input, never an empty result."""
    if text not in EVENT_TYPES:
        raise argparse.ArgumentTypeError(
            f"unknown event type {text!r}; the known types are {', '.join(EVENT_TYPES)}"
        )
    return text


def optional_time(text: str | None) -> datetime | None:
    """An optional ISO-8601 filter (`--since`, `--from`…); empty or absent is no filter."""
    return parse_time(text) if text else None


# -- global options ------------------------------------------------------------------------


def read_only_from_args(args: argparse.Namespace) -> bool:
    """`--read-only`, else ESGUI_READ_ONLY (an unrecognised value is a usage error even
    with `--read-only`: a misconfigured environment is never ignored)."""
    try:
        from_env = env_read_only()
    except ValueError as error:
        raise UsageError(str(error)) from None
    return bool(args.read_only) if args.read_only is not None else from_env


def mutates(args: argparse.Namespace) -> bool:
    """Whether the chosen subcommand changes the store (refused when read-only).

    A subcommand declares it with `set_defaults(mutates=True)`, or a predicate over its
    arguments when only some of its actions write."""
    value = getattr(args, "mutates", False)
    return bool(value(args) if callable(value) else value)


def open_from_args(args: argparse.Namespace) -> EventStore:
    """The store named by `--db` (or ESGUI_DB, or the default), read-only if asked.

    Only subcommands that declare `set_defaults(creates_store=True)` (`open`, `seed`,
    `import`) create a missing SQLite file; every other one exits 4 "No store at …"."""
    create = bool(getattr(args, "creates_store", False))
    store = open_store(
        args.db or default_store_url(), read_only=read_only_from_args(args), create=create
    )
    if store.standby and mutates(args):
        # A hot standby (docs/operations.md): every write command is refused up front,
        # "this server is a read-only standby; write to the primary" (exit 5).
        with store:
            store.writer()
    if store.upgraded_from:  # "" for a new store
        print(f"esgui: upgraded the store schema from {store.upgraded_from}", file=sys.stderr)
    return store


# -- output --------------------------------------------------------------------------------


def print_json(value: Any) -> None:
    """One JSON document on standard output (non-ASCII kept as is)."""
    print(json.dumps(value, ensure_ascii=False))


def json_line(value: Any) -> str:
    """One line of JSON Lines, newline included."""
    return json.dumps(value, ensure_ascii=False) + "\n"


class Progress:
    """A tqdm bar on stderr fed with absolute (done, total) values."""

    def __init__(self, desc: str, unit: str) -> None:
        from tqdm import tqdm  # only when a bar is shown: keeps `esgui --help` quick

        self._bar = tqdm(
            desc=desc, unit=unit, unit_scale=True, file=sys.stderr, leave=False, dynamic_ncols=True
        )

    def update(self, done: int, total: int) -> None:
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def progress_bar(desc: str, unit: str, *, force: bool = False) -> Progress | None:
    """A bar when stderr is a terminal (or `force`: `--progress`); None (no output at
    all) otherwise."""
    return Progress(desc, unit) if force or sys.stderr.isatty() else None


def run_with_progress(
    desc: str, unit: str, work: Callable[[ProgressCallback | None], T], *, force: bool = False
) -> T:
    """Run `work(progress)` with a bar on a terminal (or when `force`d), closing the bar
    whatever happens."""
    bar = progress_bar(desc, unit, force=force)
    try:
        return work(bar.update if bar else None)
    finally:
        if bar:
            bar.close()
