"""Where the store is and who is working: command-line options over environment over
defaults (a SQLite file in the user's data folder; the OS login name)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DB = "ESGUI_DB"
ENV_USER = "ESGUI_USER"
ENV_READ_ONLY = "ESGUI_READ_ONLY"
ENV_LOCK_TIMEOUT = "ESGUI_LOCK_TIMEOUT"  # seconds a writer waits for the append lock


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("esgui", appauthor=False)) / "esgui.db"


def default_store_url() -> str:
    """ESGUI_DB, else the per-user SQLite file (its folder is created on demand)."""
    url = os.environ.get(ENV_DB)
    if url:
        return url
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def env_read_only() -> bool:
    return os.environ.get(ENV_READ_ONLY, "").strip().lower() in {"1", "true", "yes", "on"}
