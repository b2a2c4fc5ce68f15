"""The `esgui` argument parser: the global options, then each command module's subcommands.

A command module has a `register(sub)` that adds its subcommands, each with a `handler`
(and `mutates` when it writes); the order of COMMAND_MODULES is the order of `--help`.
"""

from __future__ import annotations

from collections.abc import Callable

from esgui._version import __version__
from esgui.cli import accounts, audit, events, gui, notes, projections, query, seed, statement
from esgui.cli.common import Parser, Subcommands

#: Each command module's registration, in the order `esgui --help` lists the commands.
COMMAND_MODULES: tuple[Callable[[Subcommands], None], ...] = (
    accounts.register,  # open, deposit, withdraw, transfer, close, state
    events.register,  # events
    projections.register,  # accounts, projections
    seed.register,  # seed
    audit.register,  # verify, diff, export, import, report
    statement.register,  # statement
    notes.register,  # notes add, notes list
    query.register,  # query, queries save|list|run, stats
    gui.register,  # gui
)


def build_parser() -> Parser:
    """The parser of `esgui …`: global options, then every subcommand."""
    parser = Parser(
        prog="esgui",
        description="Event store and explorer for event-sourced bank accounts.",
    )
    parser.add_argument("--version", action="version", version=f"esgui {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="store URL: sqlite:///FILE or postgresql://USER@HOST/DB "
        "(env ESGUI_DB; default: a SQLite file in your data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="operator name recorded with every event (env ESGUI_USER; default: your login)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="refuse every command; browse, replay, verify, export only (env ESGUI_READ_ONLY=1)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for register in COMMAND_MODULES:
        register(sub)
    return parser
