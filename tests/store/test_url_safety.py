"""Store URLs: no form of URL a driver accepts ever shows its password (messages, store
descriptions, saved URLs, export headers, report lines), and malformed, unsupported or
in-memory URLs are refused as invalid input (exit 2) while unreachable ones are store
errors (exit 4). Issue 10 items 7 and 10, issue 11 "CLI consistency"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import esgui
from esgui.audit.export import export_events
from esgui.audit.report import build_report
from esgui.cli import main
from esgui.errors import InvalidInput, StoreError
from esgui.store.urls import describe_url, mask_text, parse_store_url, without_password

SECRET = "s3cr3t"

#: Every way a password can be written into a URL or connection string.
SECRET_FORMS = [
    f"postgresql://alice:{SECRET}@db.example/bank",
    f"postgresql+psycopg://alice:{SECRET}@db.example:5433/bank?options=-csearch_path%3Dteam",
    f"postgresql://alice:p@{SECRET}@db.example/bank",  # unencoded "@" in the password
    f"postgresql://alice:{SECRET}@@db.example/bank",
    f"postgresql://alice:p%40{SECRET}@db.example/bank",  # encoded "@"
    f"postgresql://alice@db.example/bank?password={SECRET}",
    f"postgresql://alice@db.example/bank?sslmode=require&password={SECRET}&x=1",
    f"postgresql://alice@db.example/bank?sslpassword={SECRET}",
    f"postgresql:///bank?host=/run/postgresql&user=alice&password={SECRET}",
    f"host=db.example dbname=bank user=alice password={SECRET}",
    f"host=db.example password='{SECRET} x' user=alice",
    f"host=db.example password = {SECRET}",
]


@pytest.mark.parametrize("url", SECRET_FORMS)
def test_no_form_shows_its_password(url: str) -> None:
    assert SECRET not in mask_text(url)
    assert SECRET not in mask_text(f"could not connect to {url}: refused")
    assert SECRET not in describe_url(url)
    safe, had_password = without_password(url)
    assert SECRET not in safe
    if safe:
        assert had_password
    try:
        parse_store_url(url)
    except InvalidInput as error:  # key=value strings are not store URLs: refused, masked
        assert SECRET not in str(error)


def test_an_unencoded_at_sign_belongs_to_the_password() -> None:
    parsed = parse_store_url(f"postgresql://alice:p@{SECRET}@db.example/bank")
    assert parsed.host == "db.example"
    assert parsed.password == f"p@{SECRET}"
    assert describe_url(parsed) == "postgresql://alice:***@db.example/bank"


def test_without_password_keeps_the_rest() -> None:
    safe, had = without_password(f"postgresql://alice@db/bank?sslmode=require&password={SECRET}")
    assert had and safe == "postgresql://alice@db/bank?sslmode=require"


@pytest.mark.parametrize(
    "url, words",
    [
        ("sqlite://", "In-memory"),
        ("sqlite:///:memory:", "In-memory"),
        ("sqlite:///file:x?mode=memory&uri=true", "not supported"),
        ("sqlite://bank.db", "three slashes"),
        ("nonsense://whatever", "Unsupported store URL"),
        ("not a url", "Not a store URL"),
        ("", "No store URL"),
    ],
)
def test_unusable_urls_are_invalid_input(url: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        esgui.open_store(url)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite://bank.db", "x://y"])
def test_cli_refuses_unusable_urls_with_exit_2(url, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--db", url, "open", "M1", "--owner", "Alice"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("esgui: ") and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing was created"


def test_cli_unreachable_url_is_exit_4_and_masked(capsys) -> None:
    url = f"postgresql://alice:p@{SECRET}@127.0.0.1:1/bank?password={SECRET}"
    assert main(["--db", url, "accounts"]) == 4
    err = capsys.readouterr().err
    assert "Cannot use" in err and SECRET not in err


# -- surfaces of a store opened with a password in its URL (both engines) --------------


def _with_password(location) -> str:
    """The test store's URL carrying a password (trust auth ignores it on PostgreSQL;
    SQLite has no password, so its description must simply be the file)."""
    if location.backend == "sqlite":
        return location.url
    return location.url.replace("postgres@", f"postgres:p@{SECRET}@", 1) + f"&password={SECRET}"


def test_store_surfaces_never_show_the_password(location, tmp_path: Path) -> None:
    url = _with_password(location)
    with esgui.open_store(url) as store:
        assert SECRET not in store.description and SECRET not in repr(store)
        esgui.Accounts(store, user="alice").open("A1", owner="Alice", initial="10.00")
        out = tmp_path / "export.jsonl"
        export_events(store, "jsonl", out)
        header = json.loads(out.read_text().splitlines()[0])
        assert header["kind"] == "header" and SECRET not in header["source"]
        assert SECRET not in out.read_text()
        report = build_report(store, "A1", user="alice")
        assert SECRET not in report.store
    safe, _ = without_password(url)
    assert SECRET not in safe


def test_cli_messages_and_report_never_show_the_password(location, tmp_path, capsys) -> None:
    url = _with_password(location)
    assert main(["--db", url, "--user", "alice", "open", "A1", "--owner", "Alice"]) == 0
    assert main(["--db", url, "state", "NOPE"]) == 1
    assert main(["--db", url, "export", "--format", "jsonl"]) == 0
    pdf = tmp_path / "r.pdf"
    assert main(["--db", url, "--user", "alice", "report", "A1", "--output", str(pdf)]) == 0
    captured = capsys.readouterr()
    assert SECRET not in captured.out and SECRET not in captured.err
    assert SECRET.encode() not in pdf.read_bytes()


# -- stores are created only by the commands that make one ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("verify",),
        ("accounts",),
        ("events",),
        ("state", "A1"),
        ("deposit", "A1", "1.00"),
        ("export", "--format", "jsonl"),
        ("projections", "rebuild"),
        ("notes", "list"),
    ],
)
def test_a_missing_sqlite_file_is_never_created(args, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    typo = tmp_path / "typo.db"
    assert main(["--db", f"sqlite:///{typo}", *args]) == 4
    assert f"No store at {typo}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_open_seed_and_import_create_a_store(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("ESGUI_READ_ONLY", raising=False)
    assert main(["--db", f"sqlite:///{tmp_path / 'a.db'}", "open", "A1", "--owner", "A"]) == 0
    assert main(["--db", f"sqlite:///{tmp_path / 'b.db'}", "seed", "--accounts", "1",
                 "--events", "3"]) == 0  # fmt: skip
    export = tmp_path / "a.jsonl"
    assert main(["--db", f"sqlite:///{tmp_path / 'a.db'}", "export", "--format", "jsonl",
                 "--output", str(export)]) == 0  # fmt: skip
    assert main(["--db", f"sqlite:///{tmp_path / 'c.db'}", "import", str(export)]) == 0
    assert {p.name for p in tmp_path.glob("*.db")} == {"a.db", "b.db", "c.db"}


def test_store_error_types() -> None:
    assert issubclass(InvalidInput, esgui.InvalidInput) and not issubclass(InvalidInput, StoreError)


def test_logs_are_masked() -> None:
    import io
    import logging

    from esgui.store.urls import MaskingFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("esgui.test_masking")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"cannot reach postgresql://u:{SECRET}@h/db?password={SECRET}")
        except RuntimeError:
            logger.error("opening %s failed", f"host=h password={SECRET}", exc_info=True)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "opening host=h password=*** failed" in text and "RuntimeError" in text
    assert SECRET not in text
