"""Multi-host PostgreSQL URLs in every form people write them: parsed for SQLAlchemy,
shown with the password masked, recognised as failover URLs (no server needed)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from esgui.errors import InvalidInput
from esgui.store.multihost import hosts, normalise, parse_hosts
from esgui.store.replication import (
    FAILOVER_WINDOW_S,
    SINGLE_SERVER_WINDOW_S,
    is_failover_url,
    reconnect_window,
)
from esgui.store.urls import describe_url, parse_store_url

SHOWN = "postgresql://app:***@a.example:5440,b.example:5441/ledger?target_session_attrs=read-write"


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://app:pw@/ledger?host=a.example:5440&host=b.example:5441"
    "&target_session_attrs=read-write",
    "postgresql://app:pw@a.example:5440,b.example:5441/ledger?target_session_attrs=read-write",
    "postgres://app:pw@a.example:5440,b.example:5441/ledger?target_session_attrs=read-write",
    "host=a.example,b.example port=5440,5441 dbname=ledger user=app password=pw "
    "target_session_attrs=read-write",
])  # fmt: skip
def test_every_multi_host_form_parses_the_same(url: str) -> None:
    parsed = parse_store_url(url)
    assert parsed.drivername == "postgresql+psycopg"
    assert hosts(parsed) == ["a.example:5440", "b.example:5441"]
    assert parsed.database == "ledger" and parsed.username == "app" and parsed.password == "pw"
    assert parsed.query["target_session_attrs"] == "read-write"
    assert describe_url(url) == SHOWN
    assert "pw" not in describe_url(url)
    assert is_failover_url(parsed)


def test_single_server_urls_are_left_alone() -> None:
    for url in ("postgresql://u@h:5432/db", "sqlite:////tmp/x.db"):
        assert normalise(url) == url
        assert not is_failover_url(parse_store_url(url))
        assert reconnect_window(parse_store_url(url)) == SINGLE_SERVER_WINDOW_S
    assert describe_url("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"


def test_failover_window(monkeypatch: pytest.MonkeyPatch) -> None:
    url = make_url("postgresql+psycopg://u@/db?host=a:1&host=b:2")
    assert reconnect_window(url) == FAILOVER_WINDOW_S
    monkeypatch.setenv("ESGUI_FAILOVER_TIMEOUT", "5")
    assert reconnect_window(url) == 5.0
    # one server, but asking for a read-write one: a failover URL too (DNS may move)
    assert is_failover_url(make_url("postgresql+psycopg://u@h/db?target_session_attrs=read-write"))


def test_host_lists() -> None:
    assert parse_hosts("a:1, b ,c:3", 5432) == ["a:1", "b:5432", "c:3"]
    for bad in ("a:x", "a:0", "a:70000", "two words:5"):
        with pytest.raises(InvalidInput):
            parse_hosts(bad)


def test_replication_status_in_words() -> None:
    from esgui.store.replication import ReplicationStatus

    assert ReplicationStatus(False, "db1:5432").describe() == "primary db1:5432"
    caught_up = ReplicationStatus(True, "db2:5432", lag_s=42.0, caught_up=True, receiving=True)
    assert caught_up.describe() == "standby db2:5432 (read-only): caught up"  # idle, not 42 s
    behind = ReplicationStatus(True, "db2:5432", lag_s=0.4, caught_up=False, receiving=True)
    assert behind.describe() == "standby db2:5432 (read-only): replication lag 0.4 s"
    alone = ReplicationStatus(True, "db2:5432", lag_s=3.0, receiving=False)
    assert "not receiving from the primary, 3.0 s behind" in alone.describe()


def test_multi_host_urls_are_remembered_without_the_password_and_named_in_words() -> None:
    from esgui.app.store_names import describe
    from esgui.store.urls import without_password

    url = "postgresql://app:pw@a:5440,b:5441/bank?target_session_attrs=read-write&options=-csearch_path%3Dteam"
    bare, had = without_password(url)
    assert had and "pw" not in bare
    assert hosts(parse_store_url(bare)) == ["a:5440", "b:5441"]
    assert describe(url) == (
        "postgresql://app:***@a:5440,b:5441/bank?target_session_attrs=read-write (schema team)"
    )
