"""Writing an output file (`--output`, File ▸ Export…, reports): the one helper every
command that writes a file uses.

What happens depends on what the path is (docs/reliability.md, "Trust: inputs, files
and URLs"):

- a new path or a regular file: written to a temporary file beside it, moved in place
  with `os.replace` only on success (a failed or cancelled write leaves the old file,
  or nothing); an existing file keeps its permission bits;
- ``-`` (or no path): standard output;
- a character device (``/dev/null``, a terminal) or a FIFO: written through, never
  replaced (replacing ``/dev/null`` with a regular file breaks the whole machine);
- a symbolic link: refused. Following it would write wherever the link points (a
  link planted in a shared folder could aim at any file the user can write); replacing
  it would silently turn the link into a file. Name the target itself;
- a folder, socket or block device: refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

from esgui.errors import InvalidInput, StoreError

STDOUT = "-"


def is_stdout(output: Path | str | None) -> bool:
    return output is None or str(output) == STDOUT


def check_output(output: Path | str) -> Literal["replace", "through"]:
    """How `output` will be written ("replace" or "through"); InvalidInput when it
    cannot or must not be written at all. Nothing is touched."""
    path = Path(output)
    if path.is_symlink():
        raise InvalidInput(
            f"Cannot write {path}: it is a symbolic link (to {os.readlink(path)}); esgui "
            "neither follows nor replaces links: name the file itself"
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise InvalidInput(
                f"Cannot write {path}: the folder {path.parent} does not exist"
            ) from None
        return "replace"
    except OSError as error:
        raise InvalidInput(f"Cannot write {path}: {error.strerror or error}") from None
    if stat.S_ISREG(mode):
        return "replace"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "through"
    if stat.S_ISDIR(mode):
        raise InvalidInput(f"Cannot write {path}: it is a folder")
    raise InvalidInput(f"Cannot write {path}: it is not a regular file, a FIFO or a device")


@contextlib.contextmanager
def output_text(output: Path | str | None) -> Iterator[IO[str]]:
    """A text stream (UTF-8, newlines as written) for `output`; see the module docs."""
    if is_stdout(output):
        yield sys.stdout
        sys.stdout.flush()
        return
    with _output(Path(str(output)), binary=False) as handle:
        yield handle  # type: ignore[misc]


@contextlib.contextmanager
def output_binary(output: Path | str | None) -> Iterator[IO[bytes]]:
    """A binary stream for `output` (a PDF report); see the module docs."""
    if is_stdout(output):
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with _output(Path(str(output)), binary=True) as handle:
        yield handle  # type: ignore[misc]


def _open(path: Path, flags: str, binary: bool) -> IO[str] | IO[bytes]:
    if binary:
        return open(path, flags + "b")  # noqa: SIM115
    return open(path, flags, encoding="utf-8", newline="")  # noqa: SIM115


@contextlib.contextmanager
def _output(path: Path, *, binary: bool) -> Iterator[IO[str] | IO[bytes]]:
    how = check_output(path)
    if how == "through":
        try:
            handle = _open(path, "w", binary)
        except OSError as error:
            raise InvalidInput(f"Cannot write {path}: {error.strerror or error}") from None
        try:
            with handle:
                yield handle
        except BrokenPipeError:
            raise  # the reader went away (`| head`): the CLI ends quietly
        except OSError as error:
            raise StoreError(f"Cannot write {path}: {error.strerror or error}") from None
        return
    existing = path.stat().st_mode if path.exists() else None
    part = path.with_name(f".{path.name}.part-{os.getpid()}")
    try:
        handle = _open(part, "x", binary)  # "x": never through a planted file or link
    except FileExistsError:
        part.unlink(missing_ok=True)  # a leftover of an earlier crash of this pid
        try:
            handle = _open(part, "x", binary)
        except OSError as error:
            raise InvalidInput(f"Cannot write {path}: {error.strerror or error}") from None
    except OSError as error:
        raise InvalidInput(f"Cannot write {path}: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
        if existing is not None:
            os.chmod(part, stat.S_IMODE(existing))
        os.replace(part, path)
    except BaseException as error:
        part.unlink(missing_ok=True)
        if isinstance(error, OSError):  # e.g. the disk filled up while writing
            raise StoreError(
                f"Cannot write {path}: {error.strerror or error}; nothing was written"
            ) from None
        raise
