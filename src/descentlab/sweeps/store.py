"""The results store: an SQLite file that a killed sweep leaves whole.

One row per finished cell, keyed by the cell's hash; a chunk's rows are written in one
transaction, so a kill at any moment leaves every chunk either wholly in or wholly out, and the
hash key means a rerun never writes a cell twice. A sweep is a row of its own (its definition as
JSON) with links to its cells, so ``descentlab runs`` can list, show and export it.

Several processes may write one store at once: every write is one ``BEGIN IMMEDIATE``
transaction of ``INSERT OR IGNORE`` statements, and a writer waits (up to ``BUSY_SECONDS``) for
another to finish. A store is checked when it is opened (``PRAGMA quick_check``): a damaged,
foreign, read-only or missing one is one :class:`StoreError` saying which, never a traceback
from the middle of a sweep. ``Store(path, readonly=True)`` (what ``descentlab runs`` uses) never
creates, converts or writes a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

import numpy as np

from descentlab.sweeps.cells import ChunkResult
from descentlab.sweeps.collector import collector_paused
from descentlab.sweeps.store_file import (  # noqa: F401  (re-exported)
    BUSY_SECONDS,
    DEFAULT_PATH,
    FORMAT,
    VERSION,
    NotAStore,
    StoreError,
    connect_checked,
    translated,
)


class Store:
    """A descentlab store at ``path`` (``":memory:"`` for one that lives as long as the object).

    ``readonly=True`` opens an existing store for reading only: a missing, empty or foreign file
    is refused as it is, never turned into a store.
    """

    keeps = True  # its cells outlive the sweep (a sweep without a store keeps none)

    def __init__(self, path: str | os.PathLike = DEFAULT_PATH, *, readonly: bool = False) -> None:
        self.path, self._db = connect_checked(path, readonly)
        self.readonly = readonly

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @collector_paused()
    def open_sweep(self, definition: dict[str, Any], hashes: Sequence[str]) -> int:
        """The id of the sweep with this definition, made (with its cell links) if new."""
        text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
        key = _digest(text)
        with self._writing() as db:
            made = db.execute(
                "INSERT OR IGNORE INTO sweeps (hash, created, problem, optimizer, n_cells, "
                "definition) VALUES (?, ?, ?, ?, ?, ?)",
                (key, _now(), definition["problem_label"], definition["optimizer"],
                 len(hashes), text),
            ).rowcount  # fmt: skip
            sweep = int(db.execute("SELECT id FROM sweeps WHERE hash = ?", (key,)).fetchone()[0])
            if made:
                db.executemany(
                    "INSERT OR IGNORE INTO sweep_cells (sweep, cell, position) VALUES (?, ?, ?)",
                    ((sweep, h, i) for i, h in enumerate(hashes)),
                )
        return sweep

    @collector_paused()
    def finished(self, sweep: int) -> dict[int, tuple]:
        """The sweep's finished cells by position, as tuples of :data:`COLUMNS` (one query
        through the sweep's links, whichever sweep finished them)."""
        columns = ", ".join(f"c.{name}" for name in COLUMNS)
        with self._reading() as db:
            rows = db.execute(
                f"SELECT l.position, {columns} FROM sweep_cells l JOIN cells c "
                "ON c.hash = l.cell WHERE l.sweep = ?",
                (sweep,),
            ).fetchall()
        return {row[0]: row[1:] for row in rows}

    @collector_paused()
    def add(self, rows: Sequence[tuple]) -> None:
        """Write a chunk's cells (tuples of :data:`COLUMNS`) in one transaction."""
        finished = _now()
        with self._writing() as db:
            db.executemany(
                "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((*row, finished) for row in rows),
            )

    def tables(self) -> set[str]:
        """The names of the tables the file holds (benchmarks and findings add their own)."""
        with self._reading() as db:
            return {row[0] for row in db.execute("SELECT name FROM sqlite_master")}

    def sweeps(self) -> list[dict[str, Any]]:
        """Every sweep with how many of its cells are finished."""
        with self._reading() as db:
            rows = db.execute(
                "SELECT s.id, s.created, s.problem, s.optimizer, s.n_cells, COUNT(c.hash) "
                "FROM sweeps s LEFT JOIN sweep_cells l ON l.sweep = s.id "
                "LEFT JOIN cells c ON c.hash = l.cell GROUP BY s.id ORDER BY s.id"
            ).fetchall()
        keys = ("id", "created", "problem", "optimizer", "cells", "finished")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def definition(self, sweep: int) -> dict[str, Any]:
        with self._reading() as db:
            row = db.execute("SELECT definition FROM sweeps WHERE id = ?", (sweep,)).fetchone()
        if row is None:
            known = ", ".join(str(s["id"]) for s in self.sweeps()) or "none"
            raise ValueError(f"sweep must be the id of a stored sweep ({known}), not {sweep!r}")
        return json.loads(row[0])

    @collector_paused()
    def cell_rows(self, sweep: int | None = None) -> list[tuple]:
        """Finished cells (of one sweep, in its order, or all) as tuples of :data:`COLUMNS`."""
        columns = ", ".join(f"c.{name}" for name in COLUMNS)
        if sweep is not None:
            self.definition(sweep)  # a clear error for an unknown id
        with self._reading() as db:
            if sweep is None:
                return db.execute(f"SELECT {columns} FROM cells c ORDER BY c.rowid").fetchall()
            return db.execute(
                f"SELECT {columns} FROM sweep_cells l JOIN cells c ON c.hash = l.cell "
                "WHERE l.sweep = ? ORDER BY l.position",
                (sweep,),
            ).fetchall()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``IMMEDIATE``) so that two writers queue
        instead of failing half-way; SQLite's errors become a :class:`StoreError`."""
        if self.readonly:
            raise StoreError(f"store {self.path!r} was opened read-only")
        with translated(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with translated(self.path):
            yield self._db


COLUMNS = ("hash", "problem", "optimizer", "settings", "seed", "n_iter", "target", "final_gap",
           "start_gap", "iterations", "gradients", "status", "seconds")  # fmt: skip


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def cell_tuples(result: ChunkResult, hashes: Sequence[str], problem: str, optimizer: str,
                settings: Sequence[str], seeds: Sequence[int], n_iter: int,
                target: float | None) -> list[tuple]:  # fmt: skip
    """A chunk's cells as the store keeps them (tuples of :data:`COLUMNS`): NaN as NULL, a
    target not reached (-1) as NULL."""
    real = [[None if v != v else v for v in np.asarray(values, dtype=float).tolist()]
            for values in (result.final_gap, result.start_gap)]  # fmt: skip
    whole = [[None if v < 0 else v for v in np.asarray(values, dtype=np.int64).tolist()]
             for values in (result.iterations, result.gradients)]  # fmt: skip
    status = [str(s) for s in np.asarray(result.status).tolist()]
    seconds = np.asarray(result.seconds, dtype=float).tolist()
    count = len(hashes)
    return list(zip(hashes, repeat(problem, count), repeat(optimizer, count), settings, seeds,
                    repeat(n_iter, count), repeat(target, count), *real, *whole, status,
                    seconds, strict=True))  # fmt: skip
