"""The results store: an SQLite file that a killed sweep leaves whole.

One row per finished cell, keyed by the cell's hash; a chunk's rows are written in one
transaction, so a kill at any moment leaves every chunk either wholly in or wholly out, and the
hash key means a rerun never writes a cell twice. A sweep is a row of its own (its definition as
JSON) with links to its cells, so ``descentlab runs`` can list, show and export it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from descentlab.sweeps.cells import ChunkResult

FORMAT = "descentlab.store"
VERSION = 1
DEFAULT_PATH = "descentlab.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
    id INTEGER PRIMARY KEY,
    hash TEXT UNIQUE NOT NULL,
    created TEXT NOT NULL,
    problem TEXT NOT NULL,
    optimizer TEXT NOT NULL,
    n_cells INTEGER NOT NULL,
    definition TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cells (
    hash TEXT PRIMARY KEY,
    problem TEXT NOT NULL,
    optimizer TEXT NOT NULL,
    settings TEXT NOT NULL,
    seed INTEGER NOT NULL,
    n_iter INTEGER NOT NULL,
    target REAL,
    final_gap REAL,
    start_gap REAL,
    iterations INTEGER,
    gradients INTEGER,
    status TEXT NOT NULL,
    seconds REAL NOT NULL,
    finished TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sweep_cells (
    sweep INTEGER NOT NULL REFERENCES sweeps(id),
    cell TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (sweep, cell)
);
"""


class NotAStore(ValueError):
    """The file exists but is not a descentlab store."""


class Store:
    """A descentlab store at ``path`` (``":memory:"`` for one that lives as long as the object)."""

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        self.path = str(path)
        self._db = _open(self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_sweep(self, definition: dict[str, Any], hashes: Sequence[str]) -> int:
        """The id of the sweep with this definition, made (with its cell links) if new."""
        text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
        key = _digest(text)
        row = self._db.execute("SELECT id FROM sweeps WHERE hash = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO sweeps (hash, created, problem, optimizer, n_cells, definition) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, _now(), definition["problem_label"], definition["optimizer"],
                 len(hashes), text),
            )  # fmt: skip
            sweep = int(cursor.lastrowid)
            self._db.executemany(
                "INSERT INTO sweep_cells (sweep, cell, position) VALUES (?, ?, ?)",
                ((sweep, h, i) for i, h in enumerate(hashes)),
            )
        return sweep

    def done(self, hashes: Sequence[str]) -> set[str]:
        """Those of ``hashes`` that have a finished row."""
        found: set[str] = set()
        for start in range(0, len(hashes), 900):  # SQLite's limit on parameters per query
            part = hashes[start : start + 900]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(f"SELECT hash FROM cells WHERE hash IN ({marks})", part)
            found.update(row[0] for row in rows)
        return found

    def add(self, result: ChunkResult, cells: Sequence[dict[str, Any]]) -> None:
        """Write a chunk's rows in one transaction (``cells``: each cell's identity)."""
        finished = _now()
        rows = [
            (c["hash"], c["problem"], c["optimizer"], c["settings"], c["seed"], c["n_iter"],
             c["target"], _real(result.final_gap[k]), _real(result.start_gap[k]),
             _whole(result.iterations[k]), _whole(result.gradients[k]), str(result.status[k]),
             float(result.seconds[k]), finished)
            for k, c in enumerate(cells)
        ]  # fmt: skip
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def sweeps(self) -> list[dict[str, Any]]:
        """Every sweep with how many of its cells are finished."""
        rows = self._db.execute(
            "SELECT s.id, s.created, s.problem, s.optimizer, s.n_cells, COUNT(c.hash) "
            "FROM sweeps s LEFT JOIN sweep_cells l ON l.sweep = s.id "
            "LEFT JOIN cells c ON c.hash = l.cell GROUP BY s.id ORDER BY s.id"
        ).fetchall()
        keys = ("id", "created", "problem", "optimizer", "cells", "finished")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def definition(self, sweep: int) -> dict[str, Any]:
        row = self._db.execute("SELECT definition FROM sweeps WHERE id = ?", (sweep,)).fetchone()
        if row is None:
            known = ", ".join(str(s["id"]) for s in self.sweeps()) or "none"
            raise ValueError(f"sweep must be the id of a stored sweep ({known}), not {sweep!r}")
        return json.loads(row[0])

    def cell_rows(self, sweep: int | None = None) -> list[tuple]:
        """Finished cells (of one sweep, in its order, or all) as tuples of :data:`COLUMNS`."""
        columns = ", ".join(f"c.{name}" for name in COLUMNS)
        if sweep is None:
            return self._db.execute(f"SELECT {columns} FROM cells c ORDER BY c.rowid").fetchall()
        self.definition(sweep)  # a clear error for an unknown id
        return self._db.execute(
            f"SELECT {columns} FROM sweep_cells l JOIN cells c ON c.hash = l.cell "
            "WHERE l.sweep = ? ORDER BY l.position",
            (sweep,),
        ).fetchall()


COLUMNS = ("hash", "problem", "optimizer", "settings", "seed", "n_iter", "target", "final_gap",
           "start_gap", "iterations", "gradients", "status", "seconds")  # fmt: skip


def _open(path: str) -> sqlite3.Connection:
    if path != ":memory:" and Path(path).is_dir():
        raise NotAStore(f"store must be a file, not the directory {path!r}")
    try:
        db = sqlite3.connect(path, timeout=30.0)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise NotAStore(f"{path!r} is not a descentlab store ({error})") from None
    if tables and "meta" not in tables:
        db.close()
        raise NotAStore(f"{path!r} is an SQLite file of another program, not a descentlab store")
    if tables:
        _check_format(db, path)
    else:
        with db:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO meta VALUES (?, ?)",
                           [("format", FORMAT), ("version", str(VERSION))])  # fmt: skip
    if path != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")  # readers (runs list) do not block the writer
        db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps committed chunks across a kill
    return db


def _check_format(db: sqlite3.Connection, path: str) -> None:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT:
        db.close()
        raise NotAStore(f"{path!r} is not a descentlab store (its meta table says otherwise)")
    if meta.get("version") != str(VERSION):
        db.close()
        raise NotAStore(
            f"{path!r} is a descentlab store of version {meta.get('version')}, and this "
            f"descentlab reads version {VERSION}"
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _real(value: Any) -> float | None:
    value = float(value)
    return value if value == value else None  # NaN is stored as NULL


def _whole(value: Any) -> int | None:
    value = int(value)
    return None if value < 0 else value
