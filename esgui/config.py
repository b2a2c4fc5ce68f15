"""Where the store is and who is working: command-line options over environment over
defaults (a SQLite file in the user's data folder; the OS login name)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DB = "ESGUI_DB"
ENV_USER = "ESGUI_USER"
ENV_READ_ONLY = "ESGUI_READ_ONLY"
ENV_CONFIG_DIR = "ESGUI_CONFIG_DIR"
ENV_MAX_CLOCK_SKEW = "ESGUI_MAX_CLOCK_SKEW"
#: How far (seconds) an event's recorded time may lie ahead of this machine's clock.
DEFAULT_MAX_CLOCK_SKEW_S = 300.0
ENV_LOCK_TIMEOUT = "ESGUI_LOCK_TIMEOUT"  # seconds a writer waits for the append lock


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("esgui", appauthor=False)) / "esgui.db"


def user_config_dir() -> Path:
    """Where esgui keeps what it remembers for the user (ESGUI_CONFIG_DIR, else the
    platform's config folder: the same one as the window's esgui.ini)."""
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("esgui", appauthor=False))


def default_store_url() -> str:
    """ESGUI_DB, else the per-user SQLite file (its folder is created on demand)."""
    url = os.environ.get(ENV_DB)
    if url:
        return url
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


#: ESGUI_READ_ONLY values that mean read-only, and those that mean read-write. Anything
#: else is refused (fail closed: a typo must never silently mean "writes allowed").
READ_ONLY_TRUE = frozenset({"1", "true", "yes", "y", "on", "read-only", "readonly", "ro",
                            "enabled", "enable"})  # fmt: skip
READ_ONLY_FALSE = frozenset({"", "0", "false", "no", "n", "off", "read-write", "readwrite",
                             "rw", "disabled", "disable"})  # fmt: skip


def parse_read_only(value: str) -> bool:
    """An ESGUI_READ_ONLY value as a flag; ValueError for anything not recognised."""
    word = value.strip().lower()
    if word in READ_ONLY_TRUE:
        return True
    if word in READ_ONLY_FALSE:
        return False
    raise ValueError(
        f"{ENV_READ_ONLY}={value!r} is not understood: use 1/true/yes/on for read-only "
        "or 0/false/no/off (or unset it) for read-write"
    )


def env_read_only() -> bool:
    """ESGUI_READ_ONLY as a flag (ValueError when it holds an unrecognised value)."""
    return parse_read_only(os.environ.get(ENV_READ_ONLY, ""))


def env_max_clock_skew() -> float:
    """ESGUI_MAX_CLOCK_SKEW in seconds (default 300); ValueError for anything but a
    number from 0 to 86400."""
    text = os.environ.get(ENV_MAX_CLOCK_SKEW, "").strip()
    if not text:
        return DEFAULT_MAX_CLOCK_SKEW_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:  # also refuses NaN
        raise ValueError(
            f"{ENV_MAX_CLOCK_SKEW}={text!r} is not understood: give seconds from 0 to 86400"
        )
    return value
