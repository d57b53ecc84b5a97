"""Opening a store's SQLite file: the path checked, the file connected, an existing store's
format, version and integrity checked or a new one made, and write-ahead logging switched on;
every SQLite error as one :class:`StoreError` that names the store."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
    with translated(path):
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
def translated(path: str) -> Iterator[None]:
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


def connect_checked(path: object, readonly: bool) -> tuple[str, sqlite3.Connection]:
    """The checked path and a connection to a store ready to use (see the module)."""
    path = _checked_path(path)
    db = _connect(path, readonly)
    try:
        _prepare(db, path, readonly)
    except BaseException:
        db.close()
        raise
    return path, db
