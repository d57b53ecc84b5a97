"""The JAX engine on more than one device: big batches spread over the CPU's cores (two here,
fixed by conftest.py), in tiles on the quick road, padded by copies of their last start. The
layout changes where the work runs, not what it computes: the runs equal the NumPy engine's to
the rules of tests/test_engines.py, and the statuses, counts and shapes are the unspread ones."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import descentlab as dl  # noqa: E402
from descentlab.engines.jax_engine import layout, loop  # noqa: E402
from tests.test_engines import RUN_RTOL, close, relative_gap  # noqa: E402

ROSENBROCK = dl.get_function("rosenbrock", dim=2)
N = 2 * layout.MIN_STARTS_PER_DEVICE + 37  # not a multiple of anything: padded
BIG = 16 * 1024 + 37  # enough for tiles of the quick road on each device


@pytest.fixture
def plans(monkeypatch):
    """The plans the compiled runs were given."""
    seen = []
    original = loop.compiled_run

    def spy(plan, inputs):
        seen.append(plan)
        return original(plan, inputs)

    monkeypatch.setattr(loop, "compiled_run", spy)
    return seen


@pytest.fixture
def unspread(monkeypatch):
    """A function running the same call on one device, whole (no spreading, no tiles)."""

    def run(*args, **kwargs):
        with monkeypatch.context() as patch:
            patch.setattr(layout, "layout", lambda n, size, quick: layout.Layout(1, None, 0, n))
            return dl.minimize(*args, **kwargs)

    return run


def agree(ours, compiled, whole):
    """``compiled`` (spread) equals ``whole`` (the same compiled run unspread) bit for bit, and
    the NumPy engine's run ``ours`` in statuses, iterations, messages and calls."""
    for name in ("x", "fun", "grad_norm", "nit", "status", "message"):
        assert np.array_equal(getattr(compiled, name), getattr(whole, name)), name
    assert (compiled.nfev, compiled.njev) == (whole.nfev, whole.njev) == (ours.nfev, ours.njev)
    assert np.array_equal(compiled.status, ours.status)
    assert np.array_equal(compiled.nit, ours.nit)
    assert np.array_equal(compiled.message, ours.message)
    state, whole_state = jax.tree_util.tree_leaves(compiled.state), jax.tree_util.tree_leaves(
        whole.state)  # fmt: skip
    assert all(np.array_equal(a, b) for a, b in zip(state, whole_state, strict=True))


def test_two_devices_are_there():
    assert len(jax.devices()) == 2


def test_a_quick_run_is_spread_and_tiled_and_computes_the_same(plans, unspread):
    x0 = dl.uniform_starts(ROSENBROCK.bounds, BIG, 3)
    kwargs = dict(n_iter=300, x0=x0, record="none")
    compiled = dl.minimize(ROSENBROCK, dl.AMSGrad(alpha=0.01), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile > 0
    whole = unspread(ROSENBROCK, dl.AMSGrad(alpha=0.01), engine="jax", **kwargs)
    assert plans[-1].shards == 1
    agree(dl.minimize(ROSENBROCK, dl.AMSGrad(alpha=0.01), **kwargs), compiled, whole)


@pytest.mark.slow  # 2.2 s; CI runs it
def test_starts_that_diverge_in_a_spread_chunk_end_as_on_numpy(plans, unspread):
    x0 = np.tile([0.5, -0.3, 0.8], (BIG, 1))
    steps = np.where(np.arange(BIG) % 7 == 0, 0.05, 0.001)  # 2/L = 0.02: every 7th diverges
    problem = dl.get_function("quadratic", dim=3, kappa=100)
    kwargs = dict(n_iter=500, x0=x0, record="none")
    compiled = dl.minimize(problem, dl.GradientDescent(steps), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile > 0
    ours = dl.minimize(problem, dl.GradientDescent(steps), **kwargs)
    assert (ours.status == "diverged").sum() == len(range(0, BIG, 7))
    agree(ours, compiled, unspread(problem, dl.GradientDescent(steps), engine="jax", **kwargs))


def test_noise_tolerances_and_records_spread_too(plans, unspread):
    x0 = dl.uniform_starts(ROSENBROCK.bounds, N, 5)
    kwargs = dict(n_iter=150, x0=x0, seed=2, noise=dl.GradientNoise(0.3, "student-t"),
                  tol=dl.Tolerance(fun=1e-2), record=25)  # fmt: skip
    compiled = dl.minimize(ROSENBROCK, dl.Adam(alpha=0.02), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile == 0  # tested: no quick road, no tiles
    ours = dl.minimize(ROSENBROCK, dl.Adam(alpha=0.02), **kwargs)
    assert (ours.status == "converged").any()
    whole = unspread(ROSENBROCK, dl.Adam(alpha=0.02), engine="jax", **kwargs)
    agree(ours, compiled, whole)
    assert compiled.path.shape == ours.path.shape
    assert np.array_equal(compiled.path, whole.path)


@pytest.mark.parametrize("case", [
    "some stop", "all stop early",
    pytest.param("gradient test", marks=pytest.mark.slow),  # 2.4 s each; CI runs them
    pytest.param("noise and a box", marks=pytest.mark.slow),
])  # fmt: skip
def test_tested_runs_go_tile_by_tile_and_compute_the_same(plans, unspread, case):
    x0 = dl.uniform_starts(ROSENBROCK.bounds, BIG, 7)
    kwargs = {
        "some stop": dict(n_iter=400, tol=dl.Tolerance(fun=1e-3)),
        # every start stops inside a chunk: the chunk is taken back and run step by step
        "all stop early": dict(n_iter=5000, tol=dl.Tolerance(fun=50.0)),
        "gradient test": dict(n_iter=300, tol=dl.Tolerance(grad=1.0)),
        "noise and a box": dict(n_iter=300, seed=2, noise=dl.GradientNoise(0.3),
                                tol=dl.Tolerance(fun=1e-2), project=True),
    }[case] | dict(x0=x0, record="none")  # fmt: skip
    compiled = dl.minimize(ROSENBROCK, dl.Adam(alpha=0.02), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile > 0 and not plans[-1].quick
    ours = dl.minimize(ROSENBROCK, dl.Adam(alpha=0.02), **kwargs)
    stopped = ours.status == "converged"
    assert stopped.any() and (stopped.all() if case == "all stop early" else not stopped.all())
    if case == "all stop early":
        assert 0 < ours.nit.max() < kwargs["n_iter"] and ours.nit.max() != ours.nit.min()
    agree(ours, compiled, unspread(ROSENBROCK, dl.Adam(alpha=0.02), engine="jax", **kwargs))
    assert close(compiled.x, ours.x, RUN_RTOL, x0), relative_gap(compiled.x, ours.x)


@pytest.mark.parametrize(("name", "starts", "extra"), [
    ("reddi-online", BIG, {}),  # online rounds: each start's losses and sums in the tiles
    pytest.param("least-squares-diabetes", 4 * layout.MIN_STARTS_PER_DEVICE + 5,
                 {"batch_size": 32, "n_iter": 40}, marks=pytest.mark.slow),  # 5 s: compiling
])  # fmt: skip
def test_online_and_minibatch_runs_with_a_box_go_tile_by_tile(plans, unspread, name, starts,
                                                               extra):  # fmt: skip
    problem = dl.get_function(name)
    x0 = dl.uniform_starts(problem.bounds, starts, 4) * (0.1 if "batch_size" in extra else 1.0)
    optimizer = dl.AMSGrad(alpha=dl.InverseSqrtDecay(0.1), beta1=0.9, beta2=0.99)
    kwargs = dict(n_iter=150, x0=x0, seed=8, project=True, record="none") | extra
    compiled = dl.minimize(problem, optimizer, engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile > 0 and not plans[-1].quick
    ours = dl.minimize(problem, optimizer, **kwargs)
    agree(ours, compiled, unspread(problem, optimizer, engine="jax", **kwargs))
    assert close(compiled.x, ours.x, RUN_RTOL, 1.0), relative_gap(compiled.x, ours.x)
    if ours.regret is not None:
        assert close(compiled.regret, ours.regret, 1e-12, np.max(np.abs(ours.regret)))


@pytest.mark.slow  # 3.5 s; CI runs it
def test_a_box_of_as_many_coordinates_as_a_device_has_starts_is_not_cut(plans, unspread):
    # the box's bounds (d,) must not be taken for per-start rows when d equals a device's starts
    problem = dl.get_function("sphere", dim=layout.MIN_STARTS_PER_DEVICE)
    x0 = dl.uniform_starts(problem.bounds, 2 * layout.MIN_STARTS_PER_DEVICE, 4)
    kwargs = dict(n_iter=60, x0=x0, record="none", tol=dl.Tolerance(fun=1e-3), project=True)
    compiled = dl.minimize(problem, dl.Adam(alpha=0.1), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and 0 < plans[-1].tile < layout.MIN_STARTS_PER_DEVICE
    ours = dl.minimize(problem, dl.Adam(alpha=0.1), **kwargs)
    agree(ours, compiled, unspread(problem, dl.Adam(alpha=0.1), engine="jax", **kwargs))


@pytest.mark.slow  # 3.3 s; CI runs it
def test_noisy_quick_runs_and_the_padding_keep_every_start(plans, unspread):
    x0 = dl.uniform_starts(ROSENBROCK.bounds, BIG, 6)
    kwargs = dict(n_iter=200, x0=x0, seed=3, noise=dl.GradientNoise(0.2), record="none")
    compiled = dl.minimize(ROSENBROCK, dl.Momentum(1e-4, 0.9), engine="jax", **kwargs)
    assert plans[-1].shards == 2 and plans[-1].tile > 0
    ours = dl.minimize(ROSENBROCK, dl.Momentum(1e-4, 0.9), **kwargs)
    agree(ours, compiled, unspread(ROSENBROCK, dl.Momentum(1e-4, 0.9), engine="jax", **kwargs))
    assert close(compiled.x, ours.x, RUN_RTOL, x0), relative_gap(compiled.x, ours.x)
    assert compiled.state.change.shape == x0.shape  # the padding's copies are dropped


def test_small_batches_stay_on_one_device(plans):
    dl.minimize(ROSENBROCK, "adam", n_iter=10, seed=0, starts=100, engine="jax")
    assert plans[-1].shards == 1 and plans[-1].mesh is None


def engine_devices(value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != layout.ENVIRONMENT}
    if value is not None:
        env[layout.ENVIRONMENT] = value
    code = ("import descentlab as dl, jax; dl.engines.load_jax_engine(); "
            "print(len(jax.devices()))")  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(("value", "devices"), [(None, len(os.sched_getaffinity(0))), ("1", 1),
                                                ("3", 3)])  # fmt: skip
def test_the_engine_asks_for_one_device_per_core_unless_told(value, devices):
    done = engine_devices(value)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == devices


def test_a_bad_device_count_is_one_clear_error():
    done = engine_devices("many")
    assert done.returncode != 0
    assert "DESCENTLAB_CPU_DEVICES must be a whole number of devices from 1 to 256, not " \
        "'many'" in done.stderr  # fmt: skip


@pytest.mark.parametrize("text", ["many", "0", "100000", "4294967297", "²", "-1", "1.5"])
def test_device_counts_are_checked_before_jax_sees_them(text):
    """The findings: 100000 ran unbounded, 4294967297 gave a jaxlib traceback, and '²' (a
    digit to str.isdigit) an error that did not name the variable."""
    with pytest.raises(ValueError, match=f"DESCENTLAB_CPU_DEVICES must be a whole number of "
                       f"devices from 1 to 256, not {re.escape(repr(text))}"):  # fmt: skip
        layout.wanted_devices(text)
    assert layout.wanted_devices(" 3 ") == 3 and layout.wanted_devices("256") == 256
