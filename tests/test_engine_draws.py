"""The JAX engine's random runs against the NumPy engine's: gradient noise, minibatches and
online problems draw the same numbers, so the runs agree to the rules of tests/test_engines.py
(same statuses, iterations and calls; values to 1e-10, here relative to the starts' size)."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402

import descentlab as dl  # noqa: E402
from descentlab.problems.stochastic.gaussian import (  # noqa: E402
    CELLS,
    standard_normal,
    standard_normal_numpy,
    table,
)
from descentlab.problems.stochastic.streams import StartStreams, stream_normals  # noqa: E402
from tests.test_engines import RUN_RTOL, close, relative_gap  # noqa: E402

pytest.importorskip("sklearn")


def same_run(ours, compiled, scale=1.0):
    assert np.array_equal(compiled.status, ours.status)
    assert np.array_equal(compiled.nit, ours.nit)
    assert np.array_equal(compiled.message, ours.message)
    assert (compiled.nfev, compiled.njev) == (ours.nfev, ours.njev)
    assert np.array_equal(compiled.path_iter, ours.path_iter)
    assert close(compiled.x, ours.x, RUN_RTOL, scale), relative_gap(compiled.x, ours.x)
    if ours.path is not None:
        gap = relative_gap(compiled.path, ours.path)
        assert close(compiled.path, ours.path, RUN_RTOL, scale), gap
        assert close(compiled.path_fun, ours.path_fun, RUN_RTOL)


def both(problem, optimizer, **kwargs):
    return (dl.minimize(problem, optimizer, **kwargs),
            dl.minimize(problem, optimizer, engine="jax", **kwargs))  # fmt: skip


# --- the draws themselves -------------------------------------------------------------------


@pytest.mark.parametrize(("position", "count"), [(0, 2), (5, 3), (7, 10), (10**9 + 1, 4), (6, 1)])
def test_compiled_normal_numbers_are_the_numpy_numbers_bit_for_bit(position, count):
    streams = StartStreams(11, 500, 3, "noise")
    compiled = jax.jit(lambda keys, at, rows: stream_normals(keys, at, count, rows, jnp))
    got = np.asarray(compiled(streams.keys, position, table()))
    assert np.array_equal(got, streams.normal(position, count))


def test_the_table_inverts_the_normal_distribution_in_integer_steps():
    rows = table()
    every = np.arange(0, 2**32, 65_537 * 3, dtype=np.uint64)
    edges = np.concatenate([every, np.arange(70_000, dtype=np.uint64),
                            2**32 - 1 - np.arange(70_000, dtype=np.uint64)])  # fmt: skip
    z = standard_normal(edges, rows)
    assert np.array_equal(standard_normal_numpy(edges), z)  # the quick NumPy road
    assert np.array_equal(np.asarray(standard_normal(jnp.asarray(edges), rows, jnp)), z)
    assert np.all(np.diff(standard_normal(every, rows)) > 0)  # increasing in u
    ends = standard_normal(np.array([0, 2**32 - 1], dtype=np.uint64), rows)
    assert ends[0] == -ends[1] == pytest.approx(-6.338, abs=1e-3)
    from statistics import NormalDist

    cells = np.arange(1, CELLS - 1)
    middles = (cells * CELLS + CELLS // 2).astype(np.uint64)  # where a straight line errs most
    error = np.abs(standard_normal(middles, rows)
                   - [NormalDist().inv_cdf((float(u) + 0.5) / 2**32) for u in middles])  # fmt: skip
    outer = (cells < 100) | (cells > CELLS - 101)  # 1 draw in 330: the quantile bends faster
    assert error[~outer].max() < 5e-6 and error[outer].max() < 0.015


# --- noise ----------------------------------------------------------------------------------


NOISY_OPTIMIZERS = [dl.GradientDescent(2e-4), dl.Momentum(2e-4, 0.9), dl.Adam(alpha=0.02),
                    dl.AMSGrad(alpha=0.02)]  # fmt: skip
NOISE_KINDS = ["gaussian", "relative", "student-t"]


@pytest.mark.parametrize("optimizer, kind", [
    # each optimizer with one kind of noise, and each kind at least once, in the default run
    # (2 s a case); every pair under -m slow, which CI runs
    pytest.param(o, k, id=f"{o.name}-{k}",
                 marks=() if i % len(NOISE_KINDS) == j else pytest.mark.slow)
    for i, o in enumerate(NOISY_OPTIMIZERS) for j, k in enumerate(NOISE_KINDS)
])  # fmt: skip
def test_noisy_runs_agree(optimizer, kind):
    problem = dl.get_function("rosenbrock", dim=3)
    noise = dl.GradientNoise(0.5, kind, df=4)
    x0 = dl.uniform_starts(problem.bounds, 6, 1)
    ours, compiled = both(problem, optimizer, n_iter=150, x0=x0, seed=5, noise=noise, record=7)
    same_run(ours, compiled, x0)
    quick_ours, quick = both(problem, optimizer, n_iter=150, x0=x0, seed=5, noise=noise,
                             record="none")  # fmt: skip
    same_run(quick_ours, quick, x0)
    assert close(quick.x, compiled.x, RUN_RTOL, x0)


def test_a_noisy_start_alone_equals_the_start_in_the_batch_on_jax():
    problem = dl.get_function("rosenbrock", dim=2)
    noise = dl.GradientNoise(0.2, "student-t")
    batch = dl.minimize(problem, "adam", n_iter=40, seed=9, starts=50, noise=noise, engine="jax")
    alone = dl.minimize(problem, "adam", n_iter=40, seed=9, noise=noise, x0=batch.path[0][37],
                        first_stream=37, engine="jax")  # fmt: skip
    np.testing.assert_array_equal(alone.path, batch.path[:, 37])


def test_noise_with_a_value_target_stops_at_the_same_iteration():
    problem = dl.get_function("quadratic", dim=4, kappa=10.0, rotation_seed=2)
    x0 = dl.uniform_starts(problem.bounds, 8, 2)
    ours, compiled = both(problem, dl.Adam(alpha=0.05), n_iter=2000, x0=x0, seed=3,
                          noise=dl.GradientNoise(0.01), tol=dl.Tolerance(fun=1e-3))  # fmt: skip
    assert (ours.status == "converged").any()
    same_run(ours, compiled, x0)


def test_sigma_is_traced_not_compiled():
    from descentlab.engines import jax_engine

    problem = dl.get_function("sphere", dim=2)
    kwargs = dict(n_iter=20, seed=1, starts=4, record="none", engine="jax")
    dl.minimize(problem, "adam", noise=dl.GradientNoise(0.1), **kwargs)
    before = jax_engine.trace_count()
    for sigma, seed in ((0.5, 2), (2.0, 3)):
        dl.minimize(problem, "adam", noise=dl.GradientNoise(sigma), **{**kwargs, "seed": seed})
    assert jax_engine.trace_count() == before


# --- minibatches ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "batch_size", "n_iter"), [
    ("least-squares-diabetes", 100, 23),  # 442 = 4 x 100 + 42: a short last batch, 4 epochs
    ("logistic-breast-cancer", 64, 30),
    ("logistic-digits", 1797, 3),  # the full batch
])  # fmt: skip
def test_minibatch_runs_agree(name, batch_size, n_iter):
    problem = dl.get_function(name)
    x0 = dl.uniform_starts(problem.bounds, 4, 0) * 0.1
    ours, compiled = both(problem, dl.Adam(alpha=0.01), n_iter=n_iter, x0=x0, seed=2,
                          batch_size=batch_size, record=5)  # fmt: skip
    same_run(ours, compiled, x0)
    assert compiled.nfev == len(compiled.path_iter)  # the full objective only when recorded


@pytest.mark.slow  # 5 s on both engines; CI runs it
def test_minibatch_network_replicates_agree_and_each_equals_its_run_alone():
    network = dl.get_function("mlp-digits", hidden=8)
    x0 = dl.uniform_starts(network.bounds, 5, 3)
    ours, compiled = both(network, dl.Adam(alpha=0.01), n_iter=60, x0=x0, seed=4, batch_size=256,
                          record=20)  # fmt: skip
    same_run(ours, compiled, x0)
    alone = dl.minimize(network, dl.Adam(alpha=0.01), n_iter=60, x0=x0[2], seed=4, batch_size=256,
                        record=20, first_stream=2, engine="jax")  # fmt: skip
    # the same minibatches; XLA blocks a matrix product by its batch, so not bit for bit
    assert close(alone.path, compiled.path[:, 2], RUN_RTOL, x0[2])


# --- online problems ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    pytest.param("reddi-theorem1", marks=pytest.mark.slow),  # 2.3 s each; CI runs them
    "reddi-online",
    pytest.param("reddi-stochastic", marks=pytest.mark.slow),
])  # fmt: skip
def test_online_runs_agree_with_their_regret(name):
    problem = dl.get_function(name)
    optimizer = dl.AMSGrad(alpha=dl.InverseSqrtDecay(0.1), beta1=0.9, beta2=0.99)
    x0 = dl.uniform_starts(problem.bounds, 6, 4)
    ours, compiled = both(problem, optimizer, n_iter=700, x0=x0, seed=8, project=True, record=25)
    same_run(ours, compiled, 1.0)
    scale = np.max(np.abs(ours.path_regret))
    assert np.max(np.abs(compiled.path_regret - ours.path_regret)) <= 1e-12 * scale
    assert np.max(np.abs(compiled.regret - ours.regret)) <= 1e-12 * scale
    none_ours, none = both(problem, optimizer, n_iter=700, x0=x0, seed=8, project=True,
                           record="none")  # fmt: skip
    assert close(none.regret, none_ours.regret, 1e-12, scale)


def test_a_compiled_online_trace_prints_what_the_numpy_engine_prints(capsys):
    problem = dl.get_function("reddi-theorem1")
    kwargs = dict(n_iter=12, seed=0, starts=2, verbose=True, record=3, project=True)
    ours = dl.minimize(problem, dl.Adam(alpha=0.1), **kwargs)
    printed = capsys.readouterr().out
    compiled = dl.minimize(problem, dl.Adam(alpha=0.1), **kwargs, engine="jax")
    assert capsys.readouterr().out == printed
    assert compiled.path_regret.shape == ours.path_regret.shape
    assert close(compiled.path_regret, ours.path_regret, 1e-12, 1.0)


def test_the_same_refusals_on_both_engines():
    problem = dl.get_function("reddi-stochastic")
    sphere = dl.get_function("sphere", dim=2)
    for engine in ("numpy", "jax"):
        with pytest.raises(ValueError, match="draws its own random losses"):
            dl.minimize(problem, "adam", n_iter=5, seed=0, noise=dl.GradientNoise(0.1),
                        engine=engine)  # fmt: skip
        with pytest.raises(ValueError, match="needs seed="):
            dl.minimize(sphere, "adam", n_iter=5, x0=[0.5, 0.5], noise=dl.GradientNoise(0.1),
                        engine=engine)  # fmt: skip
        with pytest.raises(ValueError, match="batch_size applies to finite sums"):
            dl.minimize(sphere, "adam", n_iter=5, seed=0, batch_size=4, engine=engine)
