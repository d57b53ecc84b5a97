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
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.sweeps.cells import ChunkResult
from descentlab.sweeps.collector import collector_paused

FORMAT = "descentlab.store"
VERSION = 1
DEFAULT_PATH = "descentlab.db"
#: How long a writer waits for another process's transaction to end.
BUSY_SECONDS = 60.0
#: SQLite's page cache per connection, in KiB.
CACHE_KIB = 64 * 1024

_TABLES = """
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


class StoreError(ValueError):
    """The store cannot be used: the message says what is wrong with the file and what to do."""


class NotAStore(StoreError):
    """The file exists but is not a descentlab store."""


class Store:
    """A descentlab store at ``path`` (``":memory:"`` for one that lives as long as the object).

    ``readonly=True`` opens an existing store for reading only: a missing, empty or foreign file
    is refused as it is, never turned into a store.
    """

    keeps = True  # its cells outlive the sweep (a sweep without a store keeps none)

    def __init__(self, path: str | os.PathLike = DEFAULT_PATH, *, readonly: bool = False) -> None:
        self.path = _checked_path(path)
        self.readonly = readonly
        self._db = _connect(self.path, readonly)
        try:
            _prepare(self._db, self.path, readonly)
        except BaseException:
            self._db.close()
            raise

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
        with _translated(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with _translated(self.path):
            yield self._db


COLUMNS = ("hash", "problem", "optimizer", "settings", "seed", "n_iter", "target", "final_gap",
           "start_gap", "iterations", "gradients", "status", "seconds")  # fmt: skip


def _checked_path(path: object) -> str:
    if not isinstance(path, str | os.PathLike) or isinstance(path, bytes):
        raise TypeError(f"store must be a path (str or pathlib.Path), a dl.Store or None, "
                        f"not {path!r}")  # fmt: skip
    text = os.fspath(path)
    if text == ":memory:":
        return text
    if not text.strip():
        raise StoreError("store must be a file name, not an empty string")
    if text.startswith("file:"):  # SQLite would read it as a URI: another file, or memory
        raise StoreError(
            f"store must be a file path, not the SQLite URI {text!r} (for results "
            "kept in memory only, give no store: --no-store on the command line)"
        )
    file = Path(text)
    if file.is_dir():
        raise StoreError(f"store must be a file, not the directory {text!r}")
    folder = file.parent
    if not folder.is_dir():
        raise StoreError(f"store {text!r}: the folder {str(folder)!r} does not exist")
    return text


def _connect(path: str, readonly: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with a busy timeout."""
    if readonly:
        if not Path(path).is_file():
            raise StoreError(f"no store at {path!r} (descentlab sweep makes one)")
        if Path(path).stat().st_size == 0:
            raise NotAStore(f"{path!r} is an empty file, not a descentlab store")
        # In a folder nobody may write, SQLite cannot make the WAL index a reader needs:
        # read the file as it is (immutable), which is what a read-only folder means.
        frozen = "" if _writable_folder(path) else "&immutable=1"
        target, uri = f"{Path(path).resolve().as_uri()}?mode=ro{frozen}", True
    else:
        if Path(path).exists() and not _writable(path):
            what = "file" if not os.access(path, os.W_OK) else "folder it is in"
            raise StoreError(
                f"store {path!r} is read-only (the {what} cannot be written): "
                "give a writable --store, or read it with 'descentlab runs'"
            )
        if path != ":memory:" and not Path(path).exists() and not _writable_folder(path):
            raise StoreError(f"store {path!r} cannot be made: the folder is not writable")
        target, uri = path, False
    try:
        db = sqlite3.connect(target, timeout=BUSY_SECONDS, isolation_level=None, uri=uri,
                             check_same_thread=False)  # fmt: skip
    except sqlite3.Error as error:
        raise StoreError(f"store {path!r} cannot be opened ({error})") from None
    return db


def _prepare(db: sqlite3.Connection, path: str, readonly: bool) -> None:
    """Check an existing store (format, version, integrity) or make a new one."""
    with _translated(path):
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if tables:
            _check_format(db, path, tables)
            _check_integrity(db, path)
        elif readonly:
            raise NotAStore(f"{path!r} is an SQLite file with no tables, not a descentlab store")
        else:
            _create(db, path)
        if path != ":memory:" and not readonly:
            _use_wal(db, path)
        # the cells are keyed by random hashes: a chunk's inserts touch pages all over the
        # index, which SQLite's default 2 MB page cache keeps reading again
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def _create(db: sqlite3.Connection, path: str) -> None:
    """The tables and the meta rows, in one transaction that two first writers may race for."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)",
                       [("format", FORMAT), ("version", str(VERSION))])  # fmt: skip
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    _check_format(db, path, {row[0] for row in db.execute("SELECT name FROM sqlite_master")})


def _use_wal(db: sqlite3.Connection, path: str) -> None:
    """WAL journaling: readers (``runs list``) do not block the writer, and committed chunks
    survive a kill.

    The mode is kept in the file, so only the first opening switches it; the switch needs the
    file to itself and SQLite answers "locked" at once (without waiting) while another process
    reads it, so it is tried again until the others let go."""
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.001
    while db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(2 * pause, 0.05)
            continue
        if mode != "wal":  # a database that cannot have a WAL (in memory) answers its own mode
            raise StoreError(f"store {path!r} cannot keep a write-ahead log (SQLite answered "
                             f"journal mode {mode!r}): give a file on a local disk")  # fmt: skip
    db.execute("PRAGMA synchronous=NORMAL")


def _writable(path: str) -> bool:
    """The file and its folder (where SQLite keeps the WAL and its index) can be written."""
    return os.access(path, os.W_OK) and _writable_folder(path)


def _writable_folder(path: str) -> bool:
    return os.access(Path(path).parent, os.W_OK)


def _check_format(db: sqlite3.Connection, path: str, tables: set[str]) -> None:
    if "meta" not in tables:
        raise NotAStore(f"{path!r} is an SQLite file of another program, not a descentlab store")
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError:
        raise NotAStore(f"{path!r} is an SQLite file of another program (its meta table has "
                        "other columns), not a descentlab store") from None  # fmt: skip
    if meta.get("format") != FORMAT:
        raise NotAStore(f"{path!r} is not a descentlab store (its meta table says otherwise)")
    if meta.get("version") != str(VERSION):
        raise NotAStore(
            f"{path!r} is a descentlab store of version {meta.get('version')}, and this "
            f"descentlab reads version {VERSION}"
        )
    missing = {"sweeps", "cells", "sweep_cells"} - tables
    if missing:
        raise StoreError(f"store {path!r} is incomplete: it lacks the tables "
                         f"{', '.join(sorted(missing))}")  # fmt: skip


def _check_integrity(db: sqlite3.Connection, path: str) -> None:
    problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise StoreError(f"store {path!r} is damaged ({'; '.join(problems)}): keep it aside "
                         "and sweep into a new store")  # fmt: skip


@contextmanager
def _translated(path: str) -> Iterator[None]:
    """SQLite's errors as one :class:`StoreError` that names the store and what happened."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        text = str(error)
        if "readonly" in text or "read-only" in text:
            raise StoreError(f"store {path!r} is read-only ({text})") from None
        if "malformed" in text or "corrupt" in text:
            raise StoreError(f"store {path!r} is damaged ({text}): keep it aside and sweep "
                             "into a new store") from None  # fmt: skip
        if "not a database" in text or "file is encrypted" in text:
            raise NotAStore(f"{path!r} is not a descentlab store ({text})") from None
        if "unable to open" in text:
            raise StoreError(f"store {path!r} cannot be opened ({text})") from None
        if "locked" in text or "busy" in text:
            raise StoreError(f"store {path!r} stayed locked by another process for more than "
                             f"{BUSY_SECONDS:g} s ({text})") from None  # fmt: skip
        raise StoreError(f"store {path!r}: {text}") from None


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
