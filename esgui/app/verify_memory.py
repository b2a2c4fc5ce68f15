"""What this machine remembers about verifications, per store: the last verdict (shown
when the window opens a store, also when the store could not record it) and the record
hashes of the runs this user's esgui made or confirmed (the *witnessed* runs an
incremental verify may start from; see `esgui.audit.verify_records`).

A JSON file beside the window's settings (`verify-memory.json` in the user's config
folder, `ESGUI_CONFIG_DIR` to move it), written by the CLI and the window alike: the
window's QSettings file cannot be written without Qt, which the CLI never loads.
Someone with SQL access to a store cannot write here; someone with the user's login
can, and that is outside what esgui can protect against.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from esgui.config import user_config_dir
from esgui.store import VerifyRun

FILE_NAME = "verify-memory.json"
MAX_WITNESSED = 64  # record hashes kept per store


@dataclass(frozen=True, slots=True)
class LastVerify:
    """The last verification this machine ran (or saw) on a store."""

    verdict: str  # intact | tampered
    kind: str  # full | incremental
    finished_at: datetime
    head_position: int
    problem_count: int
    operator: str
    run_id: int  # 0: not recorded in the store (read-only store, standby)


class VerifyMemory:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else user_config_dir() / FILE_NAME

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _entry(self, store_key: str) -> dict[str, Any]:
        entry = self._load().get(store_key)
        return entry if isinstance(entry, dict) else {}

    def witnessed(self, store_key: str) -> frozenset[str]:
        hashes = self._entry(store_key).get("witnessed")
        return (
            frozenset(h for h in hashes if isinstance(h, str))
            if isinstance(hashes, list)
            else frozenset()
        )

    def last(self, store_key: str) -> LastVerify | None:
        raw = self._entry(store_key).get("last")
        if not isinstance(raw, dict):
            return None
        try:
            return LastVerify(str(raw["verdict"]), str(raw["kind"]),
                              datetime.fromisoformat(str(raw["finished_at"])),
                              int(raw["head_position"]), int(raw["problem_count"]),
                              str(raw.get("operator", "")), int(raw.get("run_id", 0)))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None

    def remember(
        self, store_key: str, run: VerifyRun, *, recorded: bool, witness: bool = True
    ) -> None:
        """Remember `run` as the store's last verification; a recorded run also becomes
        a witnessed starting point (unless not `witness`: it continued from a run this
        machine did not witness). A file that cannot be written is not an error (the
        store's record is what counts); nothing of the store changes either way."""
        data = self._load()
        entry = data.get(store_key)
        entry = entry if isinstance(entry, dict) else {}
        witnessed = [h for h in entry.get("witnessed", []) if isinstance(h, str)]
        if witness and recorded and run.record_hash and run.record_hash not in witnessed:
            witnessed = [*witnessed, run.record_hash][-MAX_WITNESSED:]
        entry["witnessed"] = witnessed
        entry["last"] = {
            "verdict": run.verdict, "kind": run.kind,
            "finished_at": run.finished_at.isoformat(), "head_position": run.head_position,
            "problem_count": run.problem_count, "operator": run.operator,
            "run_id": run.run_id if recorded else 0,
        }  # fmt: skip
        data[store_key] = entry
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".verify-memory-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
            os.replace(temp, self.path)
        except OSError:
            return
