"""`--output` (issue 10 item 11): atomic replace only for regular files and new paths;
write through to character devices, FIFOs and `-`; symbolic links refused. One helper
(esgui.audit.output) behind every writer: export (JSON Lines, CSV and its notes
sidecar) and the PDF report. Also: CSV cells are spreadsheet-safe and still import."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import esgui
from esgui.audit.csv_cells import neutralise, restore
from esgui.audit.export import export_events
from esgui.audit.notes import add_note, list_notes
from esgui.audit.output import check_output, output_text
from esgui.cli import main
from esgui.errors import InvalidInput


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def filled(store):
    accounts = esgui.Accounts(store, user='=HYPERLINK("http://x","click")')
    accounts.open("A1", owner="Alice", initial="10.00")
    accounts.deposit("A1", "1.00")
    add_note(store, "=1+1 looks odd", author="+auditor", account_id="A1")
    add_note(store, "'already quoted", author="@bob", account_id="A1")
    return store


def _cli(store_url: str, *args: str) -> int:
    return main(["--db", store_url, "--user", "alice", *args])


def test_a_new_path_and_a_regular_file_are_replaced_atomically(filled, out_dir) -> None:
    target = out_dir / "out.jsonl"
    assert check_output(target) == "replace"
    export_events(filled, "jsonl", target)
    first = target.read_text()
    target.chmod(0o640)
    inode = target.stat().st_ino
    export_events(filled, "jsonl", target)
    assert target.stat().st_ino != inode, "a new file moved in place, not rewritten"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640, "permissions kept"
    assert target.read_text().count("\n") == first.count("\n")
    assert [p.name for p in out_dir.iterdir()] == ["out.jsonl"], "no temporary file left"


def test_a_failed_write_leaves_the_old_file(filled, out_dir) -> None:
    target = out_dir / "out.jsonl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), output_text(target) as out:
        out.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert [p.name for p in out_dir.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_dev_null_is_written_through_and_stays_a_device(filled, fmt, out_dir) -> None:
    before = os.stat("/dev/null")
    assert check_output("/dev/null") == "through"
    summary = export_events(filled, fmt, "/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert summary.events == 2 and summary.notes_output is None
    assert not Path("/dev/null.notes.csv").exists()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_fifo_is_written_through(filled, fmt, out_dir) -> None:
    fifo = out_dir / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    export_events(filled, fmt, fifo)
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.stat().st_mode), "still a FIFO"
    assert b"A1" in received[0]
    assert sorted(p.name for p in out_dir.iterdir()) == ["pipe"]


def test_a_symlink_is_refused_and_left_alone(filled, out_dir) -> None:
    target = out_dir / "real.jsonl"
    target.write_text("keep me\n")
    link = out_dir / "link.jsonl"
    link.symlink_to(target)
    with pytest.raises(InvalidInput, match="symbolic link"):
        export_events(filled, "jsonl", link)
    assert link.is_symlink() and target.read_text() == "keep me\n"
    dangling = out_dir / "dangling.jsonl"
    dangling.symlink_to(out_dir / "nowhere")
    with pytest.raises(InvalidInput, match="symbolic link"):
        export_events(filled, "jsonl", dangling)
    assert not (out_dir / "nowhere").exists()


def test_folders_and_missing_folders_are_refused(filled, out_dir) -> None:
    with pytest.raises(InvalidInput, match="folder"):
        export_events(filled, "jsonl", out_dir)
    with pytest.raises(InvalidInput, match="does not exist"):
        export_events(filled, "jsonl", out_dir / "no" / "x.jsonl")


def test_dash_is_standard_output(filled, capsys) -> None:
    summary = export_events(filled, "jsonl", "-")
    assert summary.output is None
    assert '"kind":"header"' in capsys.readouterr().out


def test_cli_every_writer_follows_the_rules(filled, store_url, tmp_path, capsys) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    for args in (["export", "--format", "csv", "--output", str(link)],
                 ["export", "--format", "jsonl", "--output", str(link)],
                 ["report", "A1", "--output", str(link)]):  # fmt: skip
        assert _cli(store_url, *args) == 2
        assert "symbolic link" in capsys.readouterr().err
    assert real.read_bytes() == b"old" and link.is_symlink()
    before = os.stat("/dev/null")
    assert _cli(store_url, "report", "A1", "--output", "/dev/null") == 0
    assert _cli(store_url, "export", "--format", "csv", "--output", "/dev/null") == 0
    assert os.stat("/dev/null").st_ino == before.st_ino
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert _cli(store_url, "report", "A1", "--output", str(fifo)) == 0
    reader.join(timeout=30)
    assert received[0].startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    assert _cli(store_url, "report", "A1", "--output", str(pdf)) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_into_a_closed_pipe_exits_quietly(filled, store_url) -> None:
    code = (
        "import sys; from esgui.cli import main; "
        f"sys.exit(main(['--db', {store_url!r}, 'export', '--format', 'csv']))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(esgui.__file__).parent.parent)}
    for _ in range(200):  # enough events that the writer outlives `head -1`
        esgui.Accounts(filled, user="alice").deposit("A1", "1.00")
    proc = subprocess.run(
        f"{sys.executable} -c {code!r} | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


# -- formula injection -------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'q", "''"])
def test_formula_cells_are_neutralised_reversibly(cell) -> None:
    assert neutralise(cell).startswith("'")
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["A1", "10.00", '{"a":1}', "", "x=1"])
def test_plain_cells_are_untouched(cell) -> None:
    assert neutralise(cell) == cell and restore(cell) == cell


def test_csv_export_is_spreadsheet_safe_and_still_imports(filled, tmp_path, location) -> None:
    out = tmp_path / "x.csv"
    summary = export_events(filled, "csv", out)
    assert summary.notes_output is not None
    for path in (out, summary.notes_output):
        for row in csv.reader(io.StringIO(path.read_text())):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
    notes = summary.notes_output.read_text()
    assert "'=1+1 looks odd" in notes and "''already quoted" in notes and "'+auditor" in notes
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    assert main(["--db", copy_url, "import", str(out)]) == 0
    with esgui.open_store(copy_url) as copy:
        ops = {e.operator for e in copy.read_all()}
        assert ops == {'=HYPERLINK("http://x","click")'}
        assert {n.text for n in list_notes(copy)} == {"=1+1 looks odd", "'already quoted"}
        assert {n.author for n in list_notes(copy)} == {"+auditor", "@bob"}
        assert copy.head() == filled.head()
