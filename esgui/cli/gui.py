"""The `gui` subcommand: the desktop app, as `python main.py` starts it."""

from __future__ import annotations

import argparse

from esgui.cli.common import Subcommands, read_only_from_args


def register(sub: Subcommands) -> None:
    """Add this module's subcommands to the main parser."""
    p = sub.add_parser("gui", help="the desktop app")
    p.set_defaults(handler=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    # Imported here, not at the top: every other command runs without loading Qt.
    from esgui.ui import run_gui

    return run_gui(args.db, user=args.user, read_only=read_only_from_args(args))
