"""Sweeps: grids, one batch per chunk, equality with single runs, the store, and theory.

The heavy-ball checks run the issue's sweep: 10,000 (step size, momentum) settings x 5 seeds on a
kappa = 100 quadratic (d = 5, eigenvalues from 1 to 100), 500 iterations, target 1e-8.
"""

import json
import sqlite3

import matplotlib
import numpy as np
import pandas as pd
import pytest

import descentlab as dl
from descentlab.optimizers.theory import Quadratic
from descentlab.sweeps import CatalogProblem, Store, make_grid, parse_axis, sweep
from descentlab.sweeps.summary import best_settings, per_setting, unstable

matplotlib.use("Agg")

QUADRATIC = CatalogProblem("quadratic", 5, (("kappa", 100.0),))
HEAVY_BALL_GRID = {"step_size": "log:1e-3:1:100", "momentum": "lin:0:0.99:100"}


def test_grid_syntax():
    log = parse_axis("step_size", "log:1e-4:1:5")
    assert log.values == pytest.approx((1e-4, 1e-3, 1e-2, 1e-1, 1.0), rel=1e-12)
    assert (log.values[0], log.values[-1]) == (1e-4, 1.0) and log.scale == "log"
    lin = parse_axis("momentum", "lin:0:0.99:34")
    assert len(lin.values) == 34 and lin.values[0] == 0.0 and lin.values[-1] == 0.99
    assert parse_axis("beta1", "0.8,0.9,0.95").values == (0.8, 0.9, 0.95)
    grid = make_grid({"a": [1, 2, 3], "b": "lin:0:1:2"})
    assert len(grid) == 6
    columns = grid.columns()
    assert columns["a"].tolist() == [1, 1, 2, 2, 3, 3]  # the first axis slowest
    assert columns["b"].tolist() == [0, 1, 0, 1, 0, 1]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("log:0:1:5", "LO and HI > 0"),
        ("log:1e-4:1", "three numbers"),
        ("lin:0:1:0", "must be >= 1"),
        ("lin:0:1:two", "whole number"),
        ("cubic:0:1:3", "log: or lin:"),
        ("0.1,zero", "'zero' is not a number"),
        ("0.1,0.1", "repeated values"),
        ("", "not a number"),
        ("nan", "not a finite number"),
    ],
)
def test_malformed_grids_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_axis("step_size", spec)


def test_grid_axes_must_be_numeric_hyperparameters():
    with pytest.raises(ValueError, match=r"no hyperparameter 'stepsize'.*numeric ones are"):
        sweep("sphere", "gd", {"stepsize": [0.1]})
    with pytest.raises(ValueError, match="beta1_decay of amsgrad is not a number"):
        sweep("sphere", "amsgrad", {"beta1_decay": [1, 2]})
    with pytest.raises(ValueError, match="centered of rmsprop is not a number"):
        sweep("sphere", "rmsprop", {"centered": [0, 1]})
    with pytest.raises(ValueError, match="target needs the known minimum"):
        sweep(dl.Problem(lambda x: (x**2).sum(-1), bounds=[[-1, 1]]), "gd", {"step_size": [0.1]})


def test_a_cell_equals_its_single_run_bit_for_bit():
    grid = {"step_size": "log:1e-4:1e-3:3", "momentum": [0.5, 0.9]}
    frame = sweep("rosenbrock", "momentum", grid, seeds=[3, 7], n_iter=300, target=1e-6)
    assert len(frame) == 3 * 2 * 2
    problem = dl.get_function("rosenbrock")
    for row in frame.iloc[[0, 5, 11]].itertuples():
        alone = dl.minimize(problem, dl.Momentum(step_size=row.step_size, momentum=row.momentum),
                            n_iter=300, seed=row.seed, tol=dl.Tolerance(fun=1e-6))  # fmt: skip
        assert row.final_gap == float(alone.fun) - problem.minimum
        assert row.status == str(alone.status)
        reached = alone.status == "converged"
        assert (row.iterations if reached else None) == (int(alone.nit) if reached else None)


def test_chunks_do_not_change_any_number():
    grid = {"alpha": "log:1e-3:1:25", "beta1": [0.5, 0.9, 0.99]}
    whole = sweep("rosenbrock", "adam", grid, seeds=4, n_iter=400, target=1e-6)
    chunked = sweep("rosenbrock", "adam", grid, seeds=4, n_iter=400, target=1e-6, chunk_size=7)
    numbers = ["alpha", "beta1", "seed", "final_gap", "start_gap", "iterations", "status", "cell"]
    assert whole[numbers].equals(chunked[numbers])


def test_the_store_skips_what_is_done(tmp_path):
    path = tmp_path / "runs.db"
    calls = []
    grid = {"step_size": "log:1e-3:1e-1:6"}
    first = sweep("sphere", ["gd", "momentum"], grid, seeds=3, store=path,
                  progress=lambda done, total, label: calls.append((done, total)))  # fmt: skip
    assert calls[0] == (0, 36) and calls[-1] == (36, 36)
    calls.clear()
    again = sweep("sphere", ["gd", "momentum"], grid, seeds=3, store=path,
                  progress=lambda done, total, label: calls.append((done, total)))  # fmt: skip
    assert calls == [(36, 36)]  # everything found, nothing run
    # the first table is made from the chunks as they ran, the second read from the store
    pd.testing.assert_frame_equal(first, again)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 36
    # a wider grid reuses the cells it shares with the first
    calls.clear()
    wider = sweep("sphere", "gd", {"step_size": "log:1e-3:1e-1:11"}, seeds=3, store=path,
                  progress=lambda done, total, label: calls.append((done, total)))  # fmt: skip
    assert calls[0] == (18, 33)
    shared = wider[wider["cell"].isin(first["cell"])].reset_index(drop=True)
    gd = (
        first[first["optimizer"] == "gd"]
        .drop(columns=["momentum", "buffer"])
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(shared, gd)
    alone = sweep("sphere", "gd", {"step_size": "log:1e-3:1e-1:11"}, seeds=3)  # all run now
    pd.testing.assert_frame_equal(wider.drop(columns="seconds"), alone.drop(columns="seconds"))


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello, this is not SQLite at all, not even a little bit\n" * 20)
    with pytest.raises(ValueError, match="is not a descentlab store"):
        Store(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(ValueError, match="SQLite file of another program"):
        Store(other)
    with pytest.raises(ValueError, match="must be a file"):
        Store(tmp_path)


@pytest.fixture(scope="module")
def heavy_ball():
    return sweep(QUADRATIC, "momentum", HEAVY_BALL_GRID, seeds=5, n_iter=500, target=1e-8)


def test_the_unstable_cells_are_the_ones_theory_says(heavy_ball):
    """Beyond 5% of the boundary alpha = 2 (1 + beta) / L on either side, every cell is where
    theory puts it: growing or diverging above, shrinking below."""
    q = Quadratic(*QUADRATIC.curvature())
    assert (q.mu, q.L) == (1.0, 100.0)
    ratio = heavy_ball["step_size"] / q.heavy_ball_limit(heavy_ball["momentum"])
    shaky = unstable(heavy_ball)
    above, below = ratio > 1.05, ratio < 0.95
    assert above.sum() > 10_000 and below.sum() > 10_000
    assert shaky[above].all()
    assert not shaky[below].any()


def test_the_best_cells_surround_polyaks_setting(heavy_ball):
    q = Quadratic(*QUADRATIC.curvature())
    alpha, beta = q.polyak
    steps = np.unique(heavy_ball["step_size"])
    momenta = np.unique(heavy_ball["momentum"])
    near_alpha = np.argmin(np.abs(np.log(steps / alpha)))
    near_beta = np.argmin(np.abs(momenta - beta))
    best = best_settings(heavy_ball, 5)
    for rank, row in enumerate(best.itertuples()):
        cells_away = max(abs(np.searchsorted(steps, row.step_size) - near_alpha),
                         abs(np.searchsorted(momenta, row.momentum) - near_beta))  # fmt: skip
        assert cells_away <= (2 if rank == 0 else 3)
    # The best count is what Polyak's rate r = (sqrt(kappa)-1)/(sqrt(kappa)+1) predicts from
    # each start: ||x_k|| ~ r^k, so f - f* ~ r^(2k) reaches the target after
    # log(target / start gap) / (2 log r) iterations.
    starts = heavy_ball.groupby("seed")["start_gap"].first()
    predicted = np.median(np.log(1e-8 / starts) / (2 * np.log(q.heavy_ball_rate)))
    assert abs(best["iterations"].iloc[0] - predicted) <= 0.1 * predicted
    # Polyak's exact setting gives both extreme eigenvalues a double root, whose k r^k
    # transient costs iterations: a cell or two away does better in finite time.
    exact = sweep(QUADRATIC, "momentum", {"step_size": [alpha], "momentum": [beta]}, seeds=5)
    at_polyak = per_setting(exact)["iterations"].iloc[0]
    assert best["iterations"].iloc[0] < at_polyak < 1.6 * predicted


def test_the_heatmap_draws_theory_and_the_tutorial(heavy_ball):
    from descentlab.plot.sweep import plot_sweep

    ax = plot_sweep(heavy_ball, curvature=QUADRATIC.curvature())
    gids = {artist.get_gid() for artist in ax.get_children()}
    assert {"heatmap", "unstable", "stability-boundary", "polyak", "tutorial", "best"} <= gids
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert ax.get_xlabel() == "step_size" and ax.get_ylabel() == "momentum"
    boundary = next(line for line in ax.get_lines() if line.get_gid() == "stability-boundary")
    xs, ys = boundary.get_data()
    assert np.allclose(xs, 2 * (1 + ys) / 100)
    matplotlib.pyplot.close(ax.figure)


def test_one_axis_draws_a_line_with_the_step_size_limit():
    from descentlab.plot.sweep import plot_sweep

    frame = sweep(QUADRATIC, "gd", {"step_size": "log:1e-3:1:40"}, seeds=3, n_iter=3000)
    ax = plot_sweep(frame, curvature=QUADRATIC.curvature())
    limit = next(line for line in ax.get_lines() if line.get_gid() == "stability-boundary")
    assert limit.get_xdata()[0] == pytest.approx(2 / 100)
    shaky = per_setting(frame).query("unstable > 0.5")["step_size"]
    assert shaky.min() > 2 / 100 * 0.95  # nothing below the limit diverged
    matplotlib.pyplot.close(ax.figure)


def test_fixed_hyperparameters_are_checked_and_recorded(tmp_path):
    with pytest.raises(ValueError, match="no swept optimizer"):
        sweep("sphere", "gd", {"step_size": [0.1]}, hyper={"momentum": 0.5})
    with pytest.raises(ValueError, match="also on the grid"):
        sweep("sphere", "gd", {"step_size": [0.1]}, hyper={"step_size": 0.5})
    decay = dl.ExponentialDecay(0.1, rate=0.99)
    frame = sweep("sphere", "momentum", {"momentum": [0.0, 0.5]}, seeds=2,
                  hyper={"step_size": decay}, store=tmp_path / "s.db")  # fmt: skip
    assert (frame["status"] == "converged").all()
    assert len(best_settings(frame)) == 2 and "ExponentialDecay" in frame["step_size"].iloc[0]
    with Store(tmp_path / "s.db") as store:
        assert store.definition(1)["fixed"]["step_size"]["schedule"] == "ExponentialDecay"


def test_grid_and_cell_counts_are_checked_before_anything_is_built(monkeypatch):
    """The findings: log:1e-4:1:100000000 built the axis (100 s, 11 GB) before the limit was
    checked, and settings x seeds had no limit at all."""
    from descentlab.sweeps import grid as grid_module

    def refuse(*args, **kwargs):
        raise AssertionError("an axis was built")

    monkeypatch.setattr(grid_module.np, "logspace", refuse)
    monkeypatch.setattr(grid_module.np, "linspace", refuse)
    with pytest.raises(ValueError, match="100,000,000 settings, more than 10,000,000"):
        sweep("sphere", "gd", {"step_size": "log:1e-4:1:100000000"})
    with pytest.raises(ValueError, match="20,000,000 values, more than"):
        grid_module.parse_axis("step_size", "lin:0:1:20000000")
    with pytest.raises(ValueError, match="settings, more than"):
        sweep("sphere", "momentum", {"step_size": "log:1e-4:1:10000", "momentum": "lin:0:1:10000"})
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"100,000,000,000 cells \(settings x seeds"):
        sweep("sphere", "gd", {"step_size": "log:1e-4:1:1000000"}, seeds=100_000)
    with pytest.raises(ValueError, match="seeds must be at most"):
        sweep("sphere", "gd", {"step_size": [0.1]}, seeds=10**11)


def test_one_value_ranges_give_the_low_end_on_both_scales():
    from descentlab.sweeps.grid import parse_axis

    assert parse_axis("a", "log:0.1:1:1").values == (0.1,)
    assert parse_axis("a", "lin:0.1:1:1").values == (0.1,)
    assert parse_axis("a", "log:0.1:1:3").values == (0.1, 10**-0.5, 1.0)


def test_chunks_are_sized_by_memory_with_the_dimension():
    from descentlab.sweeps.sweep import CHUNK_BYTES, DEFAULT_CHUNK_CELLS, chunk_cells, make_plans

    small, big = (make_plans(("sphere", {"dim": d}), "adam", {"alpha": [0.1]}, 5, 10, None,
                             None)[0] for d in (2, 10_000))  # fmt: skip
    assert chunk_cells(small) == DEFAULT_CHUNK_CELLS
    cells = chunk_cells(big)
    assert 1 <= cells < DEFAULT_CHUNK_CELLS
    assert cells * 10_000 * 8 * 9 <= CHUNK_BYTES  # adam: point, gradient, m, v, temporaries


def test_many_settings_as_json_are_json_dumps_texts():
    from descentlab.sweeps.texts import json_texts

    columns = {
        "step_size": np.array([0.1, 1e-300, -0.0, np.nan, np.inf, -np.inf, 3.0, 1 / 3]),
        "momentum": np.arange(8),
    }  # integers are written as the floats they stand for
    base = {"eps": 1e-8, "decay": {"kind": "power", "rate": 0.5}, "name": 'a"b'}

    def build(values):
        return {"settings": {**base, **values}, "n_iter": 5, "target": None}

    rows = [7, 0, 3, 4, 5, 2, 1]
    for options in ({}, {"separators": (",", ":")}):
        expected = [json.dumps(build({n: float(v[i]) for n, v in columns.items()}),
                               sort_keys=True, **options) for i in rows]  # fmt: skip
        assert json_texts(build, columns, rows, **options) == expected


def test_cell_hashes_are_those_of_earlier_stores():
    # made by the code of 2026-12-02 before its hashing was sped up: a store written then must
    # still be found (resume, shared cells); a change here needs a new CELL_FORMAT
    from descentlab.sweeps.sweep import make_plans

    grid = {"step_size": [0.001, 0.01], "momentum": [0.5]}
    plan = make_plans("rosenbrock", "momentum", grid, 2, 100, 1e-6, None)[0]
    hashes = plan.cell_hashes()
    assert hashes[0] == "f5e96840060e5a1d0576f88ec7c17cc8e44bff5b6402e4f1225d057eecde3c2a"
    assert hashes[3] == "d4753f1765154aed18983c5ee2288ab3d0207a84a850bdb98e2716f5be47e24b"


def test_a_sweep_without_a_store_returns_the_stored_sweeps_table(tmp_path):
    # a new sweep's table is made from its runs' arrays; a rerun's is read back from the store's
    # rows: the two roads must give the same table, column types included
    grid = {"step_size": [1e-3, 1e-2, 0.5], "momentum": [0.0, 0.9]}
    kwargs = dict(seeds=3, n_iter=200, target=1e-6, hyper={"rmsprop.centered": True})
    names = ["momentum", "adam", "rmsprop"]
    alone = sweep(["sphere", "rosenbrock"], names, grid, **kwargs)
    stored = sweep(["sphere", "rosenbrock"], names, grid, store=tmp_path / "s.db", **kwargs)
    reread = sweep(["sphere", "rosenbrock"], names, grid, store=tmp_path / "s.db", chunk_size=1,
                   **kwargs)  # fmt: skip
    for other in (stored, reread):
        pd.testing.assert_frame_equal(alone.drop(columns="seconds"),
                                      other.drop(columns="seconds"))  # fmt: skip
    assert (alone["status"] == "diverged").any() and alone["iterations"].notna().any()
    with Store(tmp_path / "s.db") as store:
        assert len(store.cell_rows()) == len(alone)


def test_a_new_sweeps_table_is_its_rows_table_in_chunks_and_without_a_target(tmp_path):
    from descentlab.sweeps.table import to_frame

    grid = {"step_size": "log:1e-3:1:7"}
    for target in (None, 1e-4):
        fresh = sweep("rosenbrock", ["gd", "nesterov"], grid, seeds=[7, 3], n_iter=50,
                      target=target, chunk_size=2, store=tmp_path / f"{target}.db")  # fmt: skip
        with Store(tmp_path / f"{target}.db") as store:
            rows = [row for sweep_id in (1, 2) for row in store.cell_rows(sweep_id)]
        pd.testing.assert_frame_equal(fresh.drop(columns="seconds"),
                                      to_frame(rows).drop(columns="seconds"))  # fmt: skip
        assert fresh["seed"].tolist()[:4] == [7, 3, 7, 3]


def test_each_setting_column_keeps_its_type():
    frame = sweep("sphere", ["rmsprop", "amsgrad"], {"eps": [1e-8, 1e-6]}, seeds=1, n_iter=10,
                  hyper={"rmsprop.centered": True})  # fmt: skip
    assert frame["eps"].dtype == float
    rmsprop = frame[frame["optimizer"] == "rmsprop"]
    assert rmsprop["centered"].tolist() == [True, True]  # NaN for amsgrad, so not a bool dtype
    alone = sweep("sphere", "rmsprop", {"eps": [1e-8, 1e-6]}, seeds=1, n_iter=10)
    assert alone["centered"].dtype == bool and not alone["centered"].any()
    assert frame.loc[frame["optimizer"] == "amsgrad", "beta1_decay"].notna().all()


def test_the_collector_is_paused_inside_and_as_it_was_after():
    import gc

    from descentlab.sweeps.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block must not turn it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a collector the caller had turned off stays off
    finally:
        gc.enable()


def test_a_sweep_leaves_the_collector_on(tmp_path):
    import gc

    sweep("sphere", "momentum", {"step_size": [1e-3, 1e-2]}, seeds=2, n_iter=10,
          store=tmp_path / "s.db")  # fmt: skip
    assert gc.isenabled()
