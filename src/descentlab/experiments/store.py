"""Findings in the store: every run of an experiment, its verdict and its numbers, kept.

One table beside the sweeps' and benchmarks' own, ``experiment_findings``: a row per run
(never overwritten, so a verdict's history is there to compare), with when and on which machine
it ran, the package version and the finding's JSON (claim, design, checks, verdict, numbers).
"""

from __future__ import annotations

import json
import time
from typing import Any

from descentlab import _machine
from descentlab._version import __version__
from descentlab.experiments._base import Finding
from descentlab.sweeps.store import Store

_TABLE = """CREATE TABLE IF NOT EXISTS experiment_findings (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, quick INTEGER NOT NULL, verdict TEXT NOT NULL,
    created TEXT NOT NULL, machine TEXT NOT NULL, version TEXT NOT NULL, finding TEXT NOT NULL)"""


class FindingStore(Store):
    """The store, with the findings table (made on first write)."""

    def __init__(self, path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        if not readonly:
            with self._writing() as db:
                db.execute(_TABLE)

    def save(self, finding: Finding) -> int:
        """Keep ``finding`` as a new row; its id."""
        row = (finding.name, int(finding.quick), finding.verdict.outcome,
               time.strftime("%Y-%m-%dT%H:%M:%S%z"), _machine.describe(), __version__,
               json.dumps(finding.to_dict(), allow_nan=False))  # fmt: skip
        with self._writing() as db:
            cursor = db.execute(
                "INSERT INTO experiment_findings (name, quick, verdict, created, machine, "
                "version, finding) VALUES (?, ?, ?, ?, ?, ?, ?)", row)  # fmt: skip
            return int(cursor.lastrowid)

    def findings(self, name: str | None = None) -> list[dict[str, Any]]:
        """The kept findings (of experiment ``name``, or all), oldest first: each the row's
        fields and the finding itself under ``finding``."""
        if "experiment_findings" not in self.tables():
            return []
        with self._reading() as db:
            query = ("SELECT id, name, quick, verdict, created, machine, version, finding "
                     "FROM experiment_findings")  # fmt: skip
            rows = (db.execute(query + " WHERE name = ? ORDER BY id", (name,)) if name
                    else db.execute(query + " ORDER BY id")).fetchall()  # fmt: skip
        keys = ("id", "name", "quick", "verdict", "created", "machine", "version")
        return [{**dict(zip(keys, row[:7], strict=True)), "quick": bool(row[2]),
                 "finding": json.loads(row[7])} for row in rows]  # fmt: skip
