"""Application layer: commands, queries, replay. The UI and the CLI talk to this only."""

from esgui.app.accounts import Accounts, default_user
from esgui.app.replay import BalancePoint, Replayer

__all__ = ["Accounts", "BalancePoint", "Replayer", "default_user"]
