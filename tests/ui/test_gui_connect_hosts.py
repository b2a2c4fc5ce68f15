"""File ▸ Connect takes several hosts (a primary and its standbys) for failover."""

from __future__ import annotations

from esgui.app.stores import describe_url
from esgui.ui.window.store_dialog import ConnectDialog


def _dialog(qtbot, url=None) -> ConnectDialog:
    dialog = ConnectDialog(None, url)
    qtbot.addWidget(dialog)
    return dialog


def test_more_hosts_make_a_multi_host_url(qtbot) -> None:
    dialog = _dialog(qtbot)
    dialog.host.setText("db1.example.com")
    dialog.port.setValue(5440)
    dialog.database.setText("ledger")
    dialog.user.setText("auditor")
    dialog.password.setText("s3cret")
    dialog.more_hosts.setText("db2.example.com:5441, db3.example.com")
    dialog.primary_only.setChecked(True)
    url = dialog.url()
    assert "host=db1.example.com%3A5440&host=db2.example.com%3A5441" in url
    assert "host=db3.example.com%3A5440" in url  # a left-out port is the first host's
    assert "target_session_attrs=read-write" in url
    shown = describe_url(url)
    assert shown == ("postgresql://auditor:***@db1.example.com:5440,db2.example.com:5441,"
                     "db3.example.com:5440/ledger?target_session_attrs=read-write")  # fmt: skip

    again = _dialog(qtbot, url)  # a remembered multi-host URL fills the fields back
    assert again.host.text() == "db1.example.com" and again.port.value() == 5440
    assert again.more_hosts.text() == "db2.example.com:5441, db3.example.com:5440"
    assert again.primary_only.isChecked() and again.database.text() == "ledger"


def test_without_more_hosts_the_url_is_the_single_server_one(qtbot) -> None:
    dialog = _dialog(qtbot)
    dialog.host.setText("127.0.0.1")
    assert "host=" not in dialog.url() and "@127.0.0.1:5432/" in dialog.url()


def test_a_bad_host_list_is_said_and_the_dialog_stays_open(qtbot) -> None:
    dialog = _dialog(qtbot)
    dialog.more_hosts.setText("db2:notaport")
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != ConnectDialog.DialogCode.Accepted
    assert "Not a host:port" in dialog.problem.text() and dialog.problem.isVisibleTo(dialog)
