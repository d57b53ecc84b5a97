"""Training-benchmark cells in the store: one row per workload x entrant x ruleset, keyed by
the SHA-256 of everything it depends on (workload, budget, entrant, settings, seeds, target,
engine, version), written in one transaction when the cell is done. A killed suite resumes
where it stopped and a rerun computes nothing that is done; a cell's row holds its numbers as
JSON, so a report is written from the store alone."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from descentlab.sweeps.store import Store

_TABLE = """CREATE TABLE IF NOT EXISTS training_cells (
    hash TEXT PRIMARY KEY, suite TEXT NOT NULL, workload TEXT NOT NULL, entrant TEXT NOT NULL,
    ruleset TEXT NOT NULL, created TEXT NOT NULL, cell TEXT NOT NULL)"""


def cell_hash(definition: dict[str, Any]) -> str:
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class TrainingStore(Store):
    """The store, with the training cells' table (made on first use)."""

    def __init__(self, path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        if not readonly:
            with self._writing() as db:
                db.execute(_TABLE)

    def done(self, key: str) -> dict[str, Any] | None:
        """The stored cell of hash ``key``, or None."""
        if "training_cells" not in self.tables():
            return None
        with self._reading() as db:
            row = db.execute("SELECT cell FROM training_cells WHERE hash = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def keep(self, key: str, suite: str, cell: dict[str, Any]) -> None:
        """Write one finished cell (a rerun of the same cell writes nothing)."""
        row = (key, suite, cell["workload"], cell["entrant"], cell["ruleset"],
               time.strftime("%Y-%m-%dT%H:%M:%S%z"), json.dumps(cell, allow_nan=True))  # fmt: skip
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO training_cells VALUES (?, ?, ?, ?, ?, ?, ?)", row)

    def suites(self) -> set[str]:
        if "training_cells" not in self.tables():
            return set()
        with self._reading() as db:
            return {r[0] for r in db.execute("SELECT DISTINCT suite FROM training_cells")}
