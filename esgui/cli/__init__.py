"""The `esgui` command line (CONTRACTS §3): argparse over esgui.app.

`esgui.cli.parser` builds the parser from the command modules (`accounts`, `events`,
`projections`, `seed`, `audit`, `statement`, `notes`, `gui`), which share `esgui.cli.common`.
Every failure is one line on stderr and an exit code: 1 refused by a rule, 2 invalid
input, 3 unresolved conflict, 4 store error, 5 read-only (or a standby), 6 outcome
unknown (the connection was lost while committing). Never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from esgui.app.stores import mask_text
from esgui.cli.common import UsageError, mutates, read_only_from_args
from esgui.cli.parser import build_parser
from esgui.errors import EsguiError, NotPermitted, OutcomeUnknown

EXIT_INTERNAL = 70


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `esgui` command; the exit code of CONTRACTS §3 (70: a bug of ours)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            _fail("no command given (see `esgui --help`)")
            return 2
        if read_only_from_args(args) and mutates(args):
            # Refused before the store is even opened: nothing can be written.
            name = " ".join(filter(None, (args.command, getattr(args, "action", None))))
            raise NotPermitted(f"read-only mode: `{name}` would change the store; refused, "
                               "nothing was written")  # fmt: skip
        return int(args.handler(args) or 0)
    except UsageError as error:
        _fail(str(error))
        return 2
    except OutcomeUnknown as error:
        # Exit 6 (docs/operations.md): it may or may not be stored; running the same
        # command again could apply it twice, so the user checks first.
        _fail(f"outcome unknown: {error.message}; the command may or may not have been "
              "applied: look at the account (`esgui events ID`) before running it again")
        return error.exit_code
    except EsguiError as error:
        _fail(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        _fail("interrupted; everything committed before stays, nothing half-written")
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback
        logging.getLogger("esgui").debug("internal error", exc_info=True)
        _fail(f"internal error ({type(error).__name__}: {mask_text(str(error))}); "
              "please report it")  # fmt: skip
        return EXIT_INTERNAL


def _fail(message: str) -> None:
    first_line = mask_text(message).strip().splitlines()[0] if message.strip() else "failed"
    print(f"esgui: {first_line}", file=sys.stderr)


def run() -> None:
    """`python -m esgui`."""
    sys.exit(main())
