"""Read models that follow the event log, and the projector that keeps them current."""

from esgui.projections.account_summary import UNREADABLE, AccountSummary
from esgui.projections.projector import AccountProjector, Cancelled

__all__ = ["UNREADABLE", "AccountProjector", "AccountSummary", "Cancelled"]
