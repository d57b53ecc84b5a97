"""A benchmark's results in the sweeps' SQLite store, under the benchmark's name.

Three tables beside the sweeps' own: ``benchmarks`` (a name and its definition), ``benchmark_cells``
(one row per problem x entrant x seed: the evaluations to each target) and
``benchmark_tunings`` (the settings tuning found per problem and entrant). Rows are keyed by the
SHA-256 of what they depend on and written one chunk per transaction, so a killed benchmark
resumes where it stopped and a rerun computes nothing that is done. A name already used for a
different definition is refused, saying what differs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from descentlab.sweeps.store import Store, StoreError

_TABLES = (
    """CREATE TABLE IF NOT EXISTS benchmarks (
        name TEXT PRIMARY KEY, definition TEXT NOT NULL, created TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS benchmark_cells (
        hash TEXT PRIMARY KEY, benchmark TEXT NOT NULL, problem TEXT NOT NULL,
        entrant TEXT NOT NULL, seed INTEGER NOT NULL, settings TEXT NOT NULL,
        evaluations TEXT NOT NULL, final_gap REAL, status TEXT NOT NULL, seconds REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS benchmark_tunings (
        hash TEXT PRIMARY KEY, benchmark TEXT NOT NULL, problem TEXT NOT NULL,
        entrant TEXT NOT NULL, settings TEXT NOT NULL)""",
)
#: Which cells each benchmark uses (a cell is shared by every benchmark whose definition names
#: it, and its own row keeps only the first writer's name); stores made before this table
#: get it filled from that first writer.
_LINKS = """CREATE TABLE benchmark_links (
    benchmark TEXT NOT NULL, cell TEXT NOT NULL, PRIMARY KEY (benchmark, cell))"""


class BenchmarkStore(Store):
    """The store, with the benchmark tables (made on first use)."""

    def __init__(self, path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        if not readonly:
            with self._writing() as db:
                for statement in _TABLES:
                    db.execute(statement)
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
                if "benchmark_links" not in tables:
                    db.execute(_LINKS)
                    db.execute("INSERT OR IGNORE INTO benchmark_links SELECT benchmark, hash "
                               "FROM benchmark_cells")  # fmt: skip

    def open_benchmark(self, name: str, definition: dict[str, Any]) -> None:
        """Record the benchmark ``name``, or check that the stored one has this definition."""
        text = json.dumps(definition, sort_keys=True)
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO benchmarks VALUES (?, ?, ?)",
                       (name, text, time.strftime("%Y-%m-%dT%H:%M:%S%z")))  # fmt: skip
            stored = db.execute("SELECT definition FROM benchmarks WHERE name = ?",
                                (name,)).fetchone()[0]  # fmt: skip
        if stored != text:
            raise StoreError(f"store {self.path!r} holds a different benchmark named {name!r} "
                             f"({_difference(json.loads(stored), definition)}): give another "
                             "name or another store")  # fmt: skip

    def done_cells(self, hashes: Sequence[str]) -> dict[str, tuple]:
        """The stored rows of those ``hashes`` that are finished."""
        found: dict[str, tuple] = {}
        with self._reading() as db:
            for start in range(0, len(hashes), 900):
                part = list(hashes[start : start + 900])
                marks = ",".join("?" * len(part))
                query = (f"SELECT hash, evaluations, final_gap, status, seconds FROM "
                         f"benchmark_cells WHERE hash IN ({marks})")  # fmt: skip
                for row in db.execute(query, part):
                    found[row[0]] = (json.loads(row[1]), row[2], row[3], row[4])
        return found

    def add_cells(self, rows: list[tuple]) -> None:
        """Rows ``(hash, benchmark, problem, entrant, seed, settings, evaluations, final_gap,
        status, seconds)``, in one transaction."""
        with self._writing() as db:
            db.executemany("INSERT OR IGNORE INTO benchmark_cells VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
            db.executemany("INSERT OR IGNORE INTO benchmark_links VALUES (?, ?)",
                           ((row[1], row[0]) for row in rows))  # fmt: skip

    def link_cells(self, benchmark: str, hashes: Sequence[str]) -> None:
        """Count cells another benchmark finished as ``benchmark``'s too."""
        with self._writing() as db:
            db.executemany("INSERT OR IGNORE INTO benchmark_links VALUES (?, ?)",
                           ((benchmark, key) for key in hashes))  # fmt: skip

    def tuned(self, key: str) -> dict[str, Any] | None:
        with self._reading() as db:
            row = db.execute("SELECT settings FROM benchmark_tunings WHERE hash = ?",
                             (key,)).fetchone()  # fmt: skip
        return None if row is None else json.loads(row[0])

    def add_tuning(self, key: str, benchmark: str, problem: str, entrant: str,
                   settings: dict[str, Any]) -> None:  # fmt: skip
        with self._writing() as db:
            text = json.dumps(settings, sort_keys=True)
            db.execute("INSERT OR IGNORE INTO benchmark_tunings VALUES (?, ?, ?, ?, ?)",
                       (key, benchmark, problem, entrant, text))  # fmt: skip

    def benchmarks(self) -> list[dict[str, Any]]:
        with self._reading() as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if "benchmarks" not in tables:
                return []
            # a store read only, made before the links: each cell counts for its first writer
            links = ("benchmark_links" if "benchmark_links" in tables
                     else "(SELECT benchmark, hash AS cell FROM benchmark_cells)")  # fmt: skip
            rows = db.execute(f"SELECT b.name, b.created, COUNT(l.cell) FROM benchmarks b LEFT "
                              f"JOIN {links} l ON l.benchmark = b.name GROUP BY b.name "
                              "ORDER BY b.created").fetchall()  # fmt: skip
        return [{"name": n, "created": c, "cells": k} for n, c, k in rows]


def plain_evaluations(values: np.ndarray) -> list:
    """Evaluations per target as JSON (NaN: not reached, as null)."""
    return [None if v != v else float(v) for v in np.asarray(values, dtype=float)]


def _difference(stored: dict[str, Any], asked: dict[str, Any]) -> str:
    keys = sorted(set(stored) | set(asked))
    for key in keys:
        if stored.get(key) != asked.get(key):
            return f"its {key} is {_short(stored.get(key))}, not {_short(asked.get(key))}"
    return "its definition differs"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
