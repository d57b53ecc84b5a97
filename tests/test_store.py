"""The store under concurrency and damage, and the keys that tell problems apart."""

import multiprocessing
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.sweeps.store import NotAStore, Store, StoreError
from descentlab.sweeps.table import to_frame

GRID = {"step_size": "log:1e-2:0.4:6"}


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def sum_of_squares(x):
    return (x**2).sum(axis=-1)


def steep(x):
    return ((10 * x**2).sum(axis=-1)) ** 3


def test_two_own_functions_with_one_name_do_not_share_cells(tmp_path):
    """The finding: an unnamed p2 after an unnamed p1 got p1's numbers from the store."""
    store = tmp_path / "s.db"
    p1 = dl.Problem(sum_of_squares, bounds=[(-1, 1)] * 2, minimum=0.0)
    p2 = dl.Problem(steep, bounds=[(-1, 1)] * 2, minimum=0.0)
    assert p1.name == p2.name == "problem"
    args = dict(seeds=2, n_iter=50)
    first = dl.sweep(p1, "gd", {"step_size": [0.1, 0.4]}, store=store, **args)
    second = dl.sweep(p2, "gd", {"step_size": [0.1, 0.4]}, store=store, **args)
    alone = dl.sweep(p2, "gd", {"step_size": [0.1, 0.4]}, **args)
    assert (first["status"] == "converged").all()
    assert (second["status"] == "diverged").all()
    assert second["final_gap"].equals(alone["final_gap"])
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 8
    # the same function built again (another object, same numbers) finds its cells
    again = dl.Problem(steep, bounds=[(-1, 1)] * 2, minimum=0.0)
    calls = []
    dl.sweep(again, "gd", {"step_size": [0.1, 0.4]}, store=store,
             progress=lambda done, total, label: calls.append(done), **args)  # fmt: skip
    assert calls == [4]


def test_closures_over_different_numbers_are_told_apart(tmp_path):
    store = tmp_path / "s.db"
    frames = []
    for scale in (1.0, 1.5):
        p = dl.Problem(lambda x, s=scale: s * (x**2).sum(axis=-1), bounds=[(-1, 1)], minimum=0.0)
        frames.append(dl.sweep(p, "gd", {"step_size": [0.5]}, seeds=1, n_iter=3, store=store))
    assert frames[0]["cell"][0] != frames[1]["cell"][0]
    assert frames[0]["final_gap"][0] != frames[1]["final_gap"][0]


def test_a_function_that_cannot_be_fingerprinted_is_refused_with_the_way_out(tmp_path):
    def broken(x):
        raise ZeroDivisionError("no")

    p = dl.Problem(broken, grad=lambda x: x, bounds=[(-1, 1)], minimum=0.0)
    with pytest.raises(ValueError, match=r"raised ZeroDivisionError.*store=None"):
        dl.sweep(p, "gd", {"step_size": [0.5]}, seeds=1, n_iter=3, store=tmp_path / "s.db")


def test_cells_keep_a_short_problem_key_not_the_bounds(tmp_path):
    store = tmp_path / "s.db"
    dl.sweep(("sphere", {"dim": 2000}), "gd", {"step_size": [0.1, 0.2]}, seeds=2, n_iter=2,
             store=store)  # fmt: skip
    with sqlite3.connect(store) as db:
        widths = [len(row[0]) for row in db.execute("SELECT problem FROM cells")]
    assert len(widths) == 4 and max(widths) < 200


def _sweep_in_another_process(path, barrier, grid, queue):
    try:
        barrier.wait(timeout=60)
        frame = dl.sweep("sphere", "gd", grid, seeds=3, n_iter=30, store=path)
        queue.put(("ok", frame["cell"].tolist(), frame["final_gap"].tolist()))
    except BaseException as error:  # the parent asserts on what came back
        import traceback

        queue.put(("error", f"{type(error).__name__}: {error} {traceback.format_exc()}", None))


@pytest.mark.parametrize("writers", [2, 4])
def test_writers_at_once_on_a_fresh_store(tmp_path, writers):
    """The finding: IntegrityError (sweeps.hash, meta.key) in 4 of 6 trials of two writers.
    Half the writers run one sweep, half another that shares half its cells, all released at
    the same moment on a store that does not exist yet."""
    path = str(tmp_path / "shared.db")
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(writers), context.Queue()
    grids = [GRID, {"step_size": "log:1e-2:0.4:11"}]
    processes = [
        context.Process(target=_sweep_in_another_process, args=(path, barrier, grid, queue))
        for grid in grids * (writers // 2)
    ]
    for process in processes:
        process.start()
    answers = [queue.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [a[0] for a in answers] == ["ok"] * writers, answers
    by_cell = {}
    for _, cells, gaps in answers:
        for cell, gap in zip(cells, gaps, strict=True):
            assert by_cell.setdefault(cell, gap) == gap
    with Store(path, readonly=True) as store:
        assert len(store.sweeps()) == 2
        rows = store.cell_rows()
    assert len(rows) == len(by_cell) == 11 * 3  # the 6 shared settings stored once


def test_runs_on_an_empty_or_foreign_file_leave_it_as_it_was(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    text = tmp_path / "notes.db"
    text.write_text("not SQLite\n" * 100)
    for path, message in ((empty, "empty file"), (text, "not a descentlab store")):
        before = path.read_bytes()
        for command in (["list"], ["show", "1"], ["export", "--out", tmp_path / "o.csv"]):
            code, _, err = run(capsys, "runs", *command, "--store", path)
            assert code == 2 and message in err and err.count("\n") == 1, err
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))
        )
    code, _, err = run(capsys, "runs", "list", "--store", tmp_path / "missing.db")
    assert code == 2 and "no store at" in err
    assert not (tmp_path / "missing.db").exists()


def test_a_foreign_meta_table_is_not_a_store(capsys, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta (id INTEGER, title TEXT)")
    with pytest.raises(NotAStore, match="meta table has other columns"):
        Store(other)
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1",
                       "--store", other)  # fmt: skip
    assert code == 2 and "another program" in err and err.count("\n") == 1


def _damaged_copy(tmp_path, capsys):
    store = tmp_path / "good.db"
    assert run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=log:1e-3:0.5:200",
               "--store", store, "--seeds", "3")[0] == 0  # fmt: skip
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page + 8 : 3 * page + 400] = os.urandom(392)  # garbage in the middle of a page
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    return damaged


def test_a_damaged_store_is_found_when_opened(capsys, tmp_path):
    damaged = _damaged_copy(tmp_path, capsys)
    before = damaged.read_bytes()
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.3",
                       "--store", damaged)  # fmt: skip
    assert code == 2 and "is damaged" in err and err.count("\n") == 1, err
    for command in (["list"], ["show", "1"], ["export", "--out", tmp_path / "o.csv"]):
        code, _, err = run(capsys, "runs", *command, "--store", damaged)
        assert code == 2 and "is damaged" in err and err.count("\n") == 1, err
    assert damaged.read_bytes() == before


def test_stores_in_missing_or_read_only_places(capsys, tmp_path):
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1",
                       "--store", tmp_path / "nowhere" / "s.db")  # fmt: skip
    assert code == 2 and "the folder" in err and "does not exist" in err
    with pytest.raises(StoreError, match="directory"):
        Store(tmp_path)
    with pytest.raises(TypeError, match="store must be a path"):
        dl.sweep("sphere", "gd", {"step_size": [0.1]}, store=5)
    assert not (tmp_path / "5").exists() and not os.path.exists("5")


def _on_read_only_folder(folder, args):
    """Run the CLI with ``folder`` mounted read-only in a mount namespace of its own (chmod
    would not do: root writes read-only files regardless), or None where that is not allowed."""
    cli = shlex.join([sys.executable, "-c", "import sys; from descentlab.cli import main; "
                      "sys.exit(main(sys.argv[1:]))", *map(str, args)])  # fmt: skip
    where = shlex.quote(str(folder))
    script = (f"mount --bind {where} {where} && mount -o remount,bind,ro {where} || exit 99; "
              f"exec {cli}")  # fmt: skip
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-rm"]
    done = subprocess.run([*namespace, "sh", "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    return None if done.returncode == 99 or "unshare:" in done.stderr else done


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare (util-linux)")
def test_a_read_only_store_and_folder_say_so(capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    store = folder / "s.db"
    assert run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1",
               "--store", store, "--seeds", "2")[0] == 0  # fmt: skip
    done = _on_read_only_folder(folder, ["sweep", "gd", "-f", "sphere", "--grid",
                                         "step_size=0.2", "--store", store])  # fmt: skip
    if done is None:
        pytest.skip("this machine does not allow a private read-only mount")
    assert done.returncode == 2 and "read-only" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    listed = _on_read_only_folder(folder, ["runs", "list", "--store", store])
    assert listed.returncode == 0 and "1 sweeps" in listed.stdout, listed.stderr
    made = _on_read_only_folder(folder, ["sweep", "gd", "-f", "sphere", "--grid", "step_size=0.2",
                                         "--store", folder / "new.db"])  # fmt: skip
    assert made.returncode == 2 and "not writable" in made.stderr, made.stderr


def test_store_and_no_store_together_are_refused(capsys, tmp_path):
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1",
                       "--store", tmp_path / "s.db", "--no-store")  # fmt: skip
    assert code == 2 and "either --store FILE or --no-store" in err
    assert not (tmp_path / "s.db").exists()


def test_a_store_written_before_keeps_its_cells_readable(tmp_path):
    """Cells of an older format stay listed and exported; they are simply not reused."""
    store = tmp_path / "s.db"
    dl.sweep("sphere", "gd", GRID, seeds=2, n_iter=20, store=store)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE cells SET problem = "
                   "json_set(problem, '$.bounds', json('[[-1,1],[-1,1]]'))")  # fmt: skip
    with Store(store, readonly=True) as opened:
        frame = to_frame(opened.cell_rows())
    assert len(frame) == 12 and set(frame["problem"]) == {"sphere (d=2)"}
    assert np.isfinite(frame["final_gap"]).all()


@pytest.mark.parametrize("uri", ["file::memory:?cache=shared", "file:x.db?mode=memory",
                                 "file:elsewhere.db"])  # fmt: skip
def test_sqlite_uris_are_refused_as_stores(capsys, tmp_path, monkeypatch, uri):
    """The findings: a memory URI spun at 100% CPU forever in the WAL loop, and file:NAME
    opened another path than the one checked."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="must be a file path, not the SQLite URI"):
        Store(uri)
    assert main(["sweep", "gd", "-f", "sphere", "--dim", "2", "--grid", "step_size=0.1,0.2",
                 "--n-iter", "5", "--store", uri]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "SQLite URI" in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_a_database_without_a_write_ahead_log_is_refused_not_waited_for():
    from descentlab.sweeps.store_file import _use_wal

    with pytest.raises(StoreError, match=r"cannot keep a write-ahead log .*'memory'"):
        _use_wal(sqlite3.connect(":memory:"), "in-memory")
