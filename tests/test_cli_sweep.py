"""``descentlab sweep`` and ``descentlab runs``: tables, files, the store, a real SIGKILL."""

import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from descentlab.cli import main
from descentlab.sweeps import sweep

SPHERE_SWEEP = ["sweep", "momentum", "-f", "sphere", "--dim", "2", "--seeds", "3",
                "--grid", "step_size=log:1e-2:1:9", "--grid", "momentum=0,0.3,0.9"]  # fmt: skip


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_prints_the_best_settings_and_writes_files(capsys, tmp_path):
    store, csv, parquet, png = (tmp_path / name for name in
                                ("s.db", "cells.csv", "cells.parquet", "heat.png"))  # fmt: skip
    code, out, err = run(capsys, *SPHERE_SWEEP, "--store", store, "--out", csv, "--plot", png)
    assert code == 0, err
    assert "81 cells (81 run now, 0 found in" in out
    assert "best settings: sphere (d=2)" in out and "step_size" in out and "momentum" in out
    table = pd.read_csv(csv)
    assert len(table) == 81 and set(table["seed"]) == {0, 1, 2}
    assert {"step_size", "momentum", "final_gap", "iterations", "status", "cell"} <= set(table)
    assert png.stat().st_size > 10_000
    code, out, _ = run(capsys, *SPHERE_SWEEP, "--store", store, "--out", parquet)
    assert code == 0 and "81 cells (0 run now, 81 found in" in out
    again = pd.read_parquet(parquet)
    assert again["cell"].tolist() == table["cell"].tolist()
    assert again["final_gap"].tolist() == table["final_gap"].tolist()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grid", "stepsize=0.1"], "no hyperparameter 'stepsize'"),
        (["--grid", "step_size=log:1e-3:1"], "expected log:LO:HI:N"),
        (["--grid", "step_size="], "expected NAME=SPEC"),
        (["--grid", "step_size=lin:0:1:0"], "the count N must be >= 1"),
        (["--grid", "step_size=0.1", "--out", "cells.xlsx"], "must be .csv or .parquet"),
        (["--grid", "step_size=0.1", "--plot", "heat.gif"], "must end in .png"),
        (["--grid", "step_size=0.1", "--scheduler", "tcp://127.0.0.1:9"], "cannot be reached"),
    ],
)
def test_bad_sweeps_are_one_line_and_exit_2(capsys, monkeypatch, tmp_path, extra, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--no-store", *extra)
    assert code == 2, err
    assert err.startswith("descentlab: error:") and err.count("\n") == 1
    assert message in err


def test_a_switch_cannot_be_swept(capsys):
    code, _, err = run(capsys, "sweep", "rmsprop", "-f", "sphere", "--grid", "centered=0,1",
                       "--no-store")  # fmt: skip
    assert code == 2 and "centered of rmsprop is not a number" in err


def test_a_store_of_another_program_is_refused(capsys, tmp_path):
    other = tmp_path / "music.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE songs (title TEXT)")
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1",
                       "--store", other)  # fmt: skip
    assert code == 2 and "not a descentlab store" in err and err.count("\n") == 1
    code, _, err = run(capsys, "runs", "list", "--store", other)
    assert code == 2 and "not a descentlab store" in err


def test_runs_list_show_and_export(capsys, tmp_path):
    store = tmp_path / "s.db"
    assert run(capsys, *SPHERE_SWEEP, "--store", store)[0] == 0
    assert run(capsys, "sweep", "gd", "-f", "rosenbrock", "--grid", "step_size=log:1e-4:1e-3:4",
               "--store", store, "--seeds", "2")[0] == 0  # fmt: skip
    code, out, _ = run(capsys, "runs", "list", "--store", store)
    assert code == 0 and "momentum" in out and "rosenbrock" in out and "81/81" in out
    code, out, _ = run(capsys, "runs", "show", "2", "--store", store)
    assert code == 0 and "gd" in out and "step_size" in out and "8 cells" in out
    code, _, err = run(capsys, "runs", "export", "1", "--store", store, "--out",
                       tmp_path / "one.csv")  # fmt: skip
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "one.csv")) == 81
    code, _, _ = run(capsys, "runs", "export", "--store", store, "--out", tmp_path / "all.parquet")
    assert code == 0 and len(pd.read_parquet(tmp_path / "all.parquet")) == 81 + 8
    code, _, err = run(capsys, "runs", "show", "7", "--store", store)
    assert code == 2 and "sweep must be the id of a stored sweep (1, 2), not 7" in err
    code, _, err = run(capsys, "runs", "list", "--store", tmp_path / "missing.db")
    assert code == 2 and "no store" in err


KILL_SWEEP = ["sweep", "gd", "-f", "rosenbrock", "--grid", "step_size=log:1e-5:1e-3:60",
              "--seeds", "4", "--n-iter", "4000", "--target", "1e-10",
              "--chunk-size", "2"]  # fmt: skip


@pytest.mark.slow
def test_a_sweep_killed_at_any_moment_resumes_without_loss_or_duplicates(tmp_path):
    """SIGKILL the sweep twice while chunks are being run and written; the reruns finish it,
    and the store then holds every cell once, with the numbers of an uninterrupted sweep."""
    store = tmp_path / "killed.db"
    command = [sys.executable, "-c", "import sys; from descentlab.cli import main; "
               "sys.exit(main())", *KILL_SWEEP, "--store", str(store)]  # fmt: skip
    for least_rows in (8, 40):
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _rows(store) < least_rows:
            time.sleep(0.02)
        time.sleep(0.037)  # somewhere inside the next chunk or its write
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        assert 0 < _rows(store) < 240
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert "240 cells (" in finished.stdout and "found in" in finished.stdout
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT hash) FROM cells").fetchone() == (
            240,
            240,
        )
    stored = sweep("rosenbrock", "gd", {"step_size": "log:1e-5:1e-3:60"}, seeds=4, n_iter=4000,
                   target=1e-10, store=store)  # fmt: skip
    clean = sweep("rosenbrock", "gd", {"step_size": "log:1e-5:1e-3:60"}, seeds=4, n_iter=4000,
                  target=1e-10)  # fmt: skip
    numbers = ["step_size", "seed", "final_gap", "start_gap", "iterations", "status", "cell"]
    assert stored[numbers].equals(clean[numbers])


def _rows(store) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(store, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
    except sqlite3.OperationalError:  # the tables are being made
        return 0


def test_diverged_settings_rank_last_and_say_so(capsys, tmp_path):
    """The finding: a setting that diverged at step 1 showed its start gap as its final gap
    and ranked above settings that ended finite."""
    code, out, _ = run(capsys, "sweep", "gd", "-f", "sphere", "--grid",
                       "step_size=1e200,0.01,0.3", "--seeds", "3", "--n-iter", "20",
                       "--store", tmp_path / "s.db")  # fmt: skip
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["0.3", "0.01", "1e+200"]
    assert "diverged" in rows[-1].split("│")[4] and rows[-1].split("│")[5].strip() == "diverged"
    assert rows[0].split("│")[5].strip() == "converged"
    # runs show prints the same table: "not reached", never "inf"
    code, shown, _ = run(capsys, "runs", "show", "1", "--store", tmp_path / "s.db")
    assert code == 0 and "not reached" in shown and "inf" not in shown
    assert [line for line in shown.splitlines() if line.startswith("│")] == rows


def test_best_settings_rank_by_diverged_share_before_gap():
    from descentlab.sweeps.summary import best_settings

    frame = pd.DataFrame({
        "problem": "p", "optimizer": "gd", "step_size": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0],
        "seed": [0, 1] * 3, "final_gap": [1e-3, 1e-3, 1e-9, np.nan, 5.0, 6.0],
        "start_gap": 1.0, "iterations": pd.array([None] * 6, dtype="Int64"),
        "status": ["max_iter", "max_iter", "max_iter", "diverged", "max_iter", "max_iter"],
    })  # fmt: skip
    best = best_settings(frame, 3)
    assert best["step_size"].tolist() == [1.0, 3.0, 2.0]
    assert best["status"].tolist() == ["max_iter", "max_iter", "max_iter 1, diverged 1"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--plot", "h.png", "--axes", "stepsize"], "'stepsize' is not a hyperparameter the"),
        (["--plot", "h.png", "--axes", "step_size,step_size"], "two different names"),
        (["--axes", "step_size"], "--axes applies only with --plot"),
        (["--plot", "h.png", "--grid", "momentum=0.5"], "needs a --grid axis with more than one"),
    ],
)
def test_heatmap_mistakes_are_found_before_the_sweep(capsys, monkeypatch, tmp_path, extra,
                                                     message):  # fmt: skip
    """The finding: --axes typos and a heatmap of one setting were found after the sweep."""
    import descentlab.cli.sweep as command

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(command, "sweep", lambda *a, **k: pytest.fail("the sweep ran"))
    grid = [] if "--grid" in extra else ["--grid", "step_size=log:1e-3:1e-1:3"]
    code, _, err = run(capsys, "sweep", "momentum", "-f", "sphere", "--no-store", *grid, *extra)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_parquet_without_pyarrow_is_refused_before_the_sweep(capsys, monkeypatch, tmp_path):
    import importlib.util

    import descentlab.cli.sweep as command

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pyarrow" else real(name, *a))  # fmt: skip
    monkeypatch.setattr(command, "sweep", lambda *a, **k: pytest.fail("the sweep ran"))
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--no-store", "--grid",
                       "step_size=0.1", "--out", tmp_path / "cells.parquet")  # fmt: skip
    assert code == 2 and "writing Parquet needs pyarrow" in err


def test_sweeps_and_tuning_of_an_expression(capsys):
    """The finding: CLI sweeps and tuning of an expression or module:f always failed (their
    target needs f*). --minimum gives it; without it a sweep ranks by the final value."""
    expr = ["--expr", "x**2 + 10*y**2 + 3", "--bounds", "-2,2"]
    code, out, err = run(capsys, "sweep", "gd", *expr, "--grid", "step_size=log:1e-3:0.09:3",
                         "--no-store", "--seeds", "2", "--n-iter", "100")  # fmt: skip
    assert code == 0 and "no known minimum" in err and "ranked by final f" in out
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    assert rows[-1] == "0.001"  # the smallest step ends highest
    code, out, _ = run(capsys, "sweep", "gd", *expr, "--minimum", "3", "--grid",
                       "step_size=log:1e-3:0.09:3", "--no-store", "--seeds", "2", "--n-iter",
                       "200")  # fmt: skip
    assert code == 0 and "2/2" in out and "converged" in out
    code, _, err = run(capsys, "sweep", "gd", *expr, "--target", "1e-6", "--grid",
                       "step_size=0.1", "--no-store")  # fmt: skip
    assert code == 2 and "--target needs the problem's known minimum: give --minimum" in err
    code, _, err = run(capsys, "tune", "gd", *expr, "--budget", "4")
    assert code == 2 and "--minimum" in err
    code, out, _ = run(capsys, "tune", "gd", *expr, "--budget", "8", "--minimum", "3")
    assert code == 0 and "tuned" in out
    code, _, err = run(capsys, "sweep", "gd", "-f", "sphere", "--minimum", "0", "--grid",
                       "step_size=0.1", "--no-store")  # fmt: skip
    assert code == 2 and "knows its own minimum" in err


def test_tuning_refuses_a_target_of_zero():
    from descentlab.sweeps.tune import tune

    with pytest.raises(ValueError, match="target must be a finite number > 0"):
        tune("sphere", "gd", target=0)


def test_compare_tune_with_the_last_seed_wraps_its_tuning_seeds(capsys):
    """The finding: --seed 2**32-1 with --tune gave a confusing message about seeds."""
    code, out, err = run(capsys, "compare", "gd", "momentum", "-f", "sphere", "--tune", "4",
                         "--seed", str(2**32 - 1), "--n-iter", "30")  # fmt: skip
    assert code == 0, err
    assert "on seeds 0-4" in " ".join(out.split())
