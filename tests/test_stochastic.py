"""Noisy gradients and projection: per-start streams, the noise models, clipping to the box."""

import numpy as np
import pytest
from scipy import stats

import descentlab as dl
from descentlab.problems.stochastic import GradientNoise, StartStreams

SPHERE2 = dl.get_function("sphere", dim=2)


def test_a_start_draws_the_same_alone_as_in_a_batch_and_reruns_are_identical():
    batch = StartStreams(11, 1000)
    alone = StartStreams(11, 1, first=637)
    for position in (0, 5, 10**9):
        np.testing.assert_array_equal(alone.normal(position, 3)[0], batch.normal(position, 3)[637])
        np.testing.assert_array_equal(
            alone.uniform(position, 2)[0], batch.uniform(position, 2)[637]
        )
    np.testing.assert_array_equal(StartStreams(11, 1000).normal(7, 2), batch.normal(7, 2))
    assert not np.array_equal(StartStreams(12, 1000).normal(7, 2), batch.normal(7, 2))
    noise, minibatch = (
        StartStreams(11, 5, purpose="noise"),
        StartStreams(11, 5, purpose="minibatch"),
    )
    assert not np.array_equal(noise.words(0, 4), minibatch.words(0, 4))


def test_the_streams_are_normal_uniform_and_independent():
    streams = StartStreams(2026, 20_000)
    z = streams.normal(0, 4)
    assert stats.kstest(z.ravel(), "norm").pvalue > 1e-3
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    u = streams.uniform(100, 2)
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3 and u.min() > 0 and u.max() < 1
    across_starts = np.corrcoef(z[:-1, 0], z[1:, 0])[0, 1]
    across_time = np.corrcoef(z[:, 0], streams.normal(1, 4)[:, 0])[0, 1]
    assert abs(across_starts) < 0.03 and abs(across_time) < 0.03


@pytest.mark.parametrize(
    ("kind", "expected_std"), [("gaussian", 0.3), ("student-t", 0.3 * np.sqrt(5 / 3))]
)
def test_additive_noise_has_its_scale(kind, expected_std):
    noise = GradientNoise(0.3, kind, df=5)
    g = np.ones((50_000, 2))
    seen = noise.perturb(g, StartStreams(1, 50_000), iteration=3)
    error = seen - g
    assert abs(error.mean()) < 0.01 and error.std() == pytest.approx(expected_std, rel=0.03)
    if kind == "student-t":
        assert stats.kurtosis(error.ravel()) > 3  # heavy tails (6 for df = 5), 0 for a normal


def test_relative_noise_scales_with_the_gradient():
    g = np.array([[0.0, 2.0]] * 20_000)
    seen = GradientNoise(0.1, "relative").perturb(g, StartStreams(4, 20_000), 0)
    assert (seen[:, 0] == 0).all()
    assert seen[:, 1].std() == pytest.approx(0.2, rel=0.05)


@pytest.mark.parametrize("name", sorted(dl.OPTIMIZERS))
def test_noisy_start_i_alone_equals_start_i_in_a_batch(name):
    noise = GradientNoise(0.2, "student-t")
    batch = dl.minimize(SPHERE2, name, n_iter=25, seed=9, starts=40, noise=noise)
    i = 31
    alone = dl.minimize(SPHERE2, name, n_iter=25, seed=9, noise=noise, x0=batch.path[0][i],
                        first_stream=i)  # fmt: skip
    np.testing.assert_array_equal(alone.path, batch.path[:, i])
    again = dl.minimize(SPHERE2, name, n_iter=25, seed=9, starts=40, noise=noise)
    np.testing.assert_array_equal(again.path, batch.path)


def test_noise_changes_the_path_and_sigma_zero_does_not():
    exact = dl.minimize(SPHERE2, "gd", n_iter=10, seed=2)
    zero = dl.minimize(SPHERE2, "gd", n_iter=10, seed=2, noise=GradientNoise(0.0))
    noisy = dl.minimize(SPHERE2, "gd", n_iter=10, seed=2, noise=GradientNoise(0.1))
    np.testing.assert_array_equal(zero.path, exact.path)
    assert not np.array_equal(noisy.path, exact.path)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"noise": GradientNoise(0.1), "tol": 1e-6},
            ValueError,
            "tol.grad cannot be used with noise",
        ),
        ({"noise": GradientNoise(0.1), "seed": None}, ValueError, "needs seed= "),
        ({"noise": 0.1}, TypeError, r"noise must be a dl.GradientNoise\(sigma, kind\)"),
        ({"noise": GradientNoise(0.1), "first_stream": -1}, ValueError, "first_stream must be"),
        ({"project": "yes"}, TypeError, "project must be True or False"),
    ],
)
def test_bad_stochastic_arguments(kwargs, error, message):
    arguments = {"n_iter": 3, "seed": 0, **kwargs}
    with pytest.raises(error, match=message):
        dl.minimize(SPHERE2, "gd", **arguments)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sigma": -1.0}, "noise sigma must be finite and >= 0, not -1.0"),
        ({"sigma": float("nan")}, "noise sigma must be finite"),
        ({"sigma": 0.1, "kind": "cauchy"}, "noise kind must be one of gaussian, relative"),
        ({"sigma": 0.1, "df": 0}, r"noise df must be a whole number in \[1, 100\]"),
    ],
)
def test_noise_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GradientNoise(**kwargs)


@pytest.mark.parametrize("name", sorted(dl.OPTIMIZERS))
def test_projection_keeps_every_iterate_in_the_bounds(name):
    problem = dl.Problem(lambda x: np.sum(x, axis=-1), grad=lambda x: np.ones_like(x),
                         bounds=[(-1, 2), (0.5, 1)], vectorized=True)  # fmt: skip
    optimizer = dl.get_optimizer(name)
    if type(optimizer).evaluation_point is not dl.Optimizer.evaluation_point:
        # it evaluates another point than it steps (SAM, Lookahead, schedule-free): refused
        with pytest.raises(ValueError, match=r"evaluates another point.*project=True"):
            dl.minimize(problem, name, n_iter=2, seed=1, project=True)
        return
    result = dl.minimize(problem, name, n_iter=200, seed=1, starts=5, project=True,
                         noise=GradientNoise(3.0))  # fmt: skip
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    assert ((result.path >= lo) & (result.path <= hi)).all()
    free = dl.minimize(problem, name, n_iter=200, seed=1, starts=5, noise=GradientNoise(3.0))
    assert ((free.path < lo) | (free.path > hi)).any()  # without it they leave the box


def test_projected_descent_ends_at_the_corner_of_a_linear_objective():
    problem = dl.Problem(lambda x: np.sum(x, axis=-1), grad=lambda x: np.ones_like(x),
                         bounds=[(-1, 1)] * 2, vectorized=True)  # fmt: skip
    result = dl.minimize(problem, dl.GradientDescent(0.3), n_iter=20, x0=[0.5, 0.9], project=True)
    np.testing.assert_array_equal(result.x, [-1.0, -1.0])
    with pytest.raises(ValueError, match="project=True needs a problem with bounds"):
        dl.minimize(dl.Problem(lambda x: np.sum(x, -1)), "gd", n_iter=2, x0=[1.0], project=True)


# --- online problems -------------------------------------------------------------------------

from descentlab.problems.stochastic.online import (  # noqa: E402
    reddi_online,
    reddi_stochastic,
    reddi_theorem1,
)


def test_regret_of_a_known_sequence_by_hand():
    problem = reddi_theorem1(C=3.0)  # c_t = 3, -1, -1, 3, -1, ...
    result = dl.minimize(problem, dl.GradientDescent(0.1), n_iter=4, x0=[0.5])
    # x_0 = 0.5; x_1 = 0.5 - 0.1 * 3 = 0.2; x_2 = 0.3; x_3 = 0.4; x_4 = 0.1
    np.testing.assert_allclose(result.path[:, 0], [0.5, 0.2, 0.3, 0.4, 0.1])
    c = np.array([3.0, -1.0, -1.0, 3.0, -1.0])  # rounds 1..5 play x_0..x_4
    x = result.path[:, 0]
    expected = np.cumsum(c * x) + np.abs(np.cumsum(c))  # min over [-1, 1] of S x is -|S|
    np.testing.assert_allclose(result.path_regret, expected)
    assert float(result.regret) == pytest.approx(expected[-1])


def test_the_online_problems_are_what_the_paper_says():
    online = reddi_online()
    n, d = 1, 1
    coefficients = [float(online.coefficients(t, None, n, d, np)[0, 0]) for t in range(1, 204)]
    assert coefficients[0] == coefficients[101] == coefficients[202] == 1010.0
    assert set(coefficients) == {1010.0, -10.0} and coefficients.count(1010.0) == 3
    assert online.minimum == pytest.approx(-10 / 101) and online.minimizers.tolist() == [[-1.0]]
    stochastic = reddi_stochastic()
    streams = StartStreams(3, 200_000, purpose="online")
    draws = stochastic.coefficients(5, streams.uniform, 200_000, 1, np)
    assert (draws == 1010.0).mean() == pytest.approx(0.01, abs=0.001)
    with pytest.raises(ValueError, match=r"C must be a number in \(2, 1e6\)"):
        reddi_theorem1(C=1.5)


def test_random_online_runs_are_per_start_and_refuse_extra_noise():
    problem = reddi_stochastic()
    optimizer = dl.Adam(alpha=dl.InverseSqrtDecay(0.05), beta2=0.99)
    batch = dl.minimize(problem, optimizer, n_iter=300, seed=4, starts=8, project=True)
    alone = dl.minimize(problem, optimizer, n_iter=300, seed=4, x0=batch.path[0][5],
                        first_stream=5, project=True)  # fmt: skip
    np.testing.assert_array_equal(alone.path, batch.path[:, 5])
    np.testing.assert_array_equal(alone.path_regret, batch.path_regret[:, 5])
    with pytest.raises(ValueError, match="draws its own random losses: noise cannot be added"):
        dl.minimize(problem, optimizer, n_iter=3, seed=4, noise=GradientNoise(0.1))
    with pytest.raises(ValueError, match="needs seed="):
        dl.minimize(problem, optimizer, n_iter=3, x0=[0.0])
    with pytest.raises(ValueError, match=r"tol\.grad does not apply to an online problem"):
        dl.minimize(problem, optimizer, n_iter=3, seed=1, tol=1e-3)


def test_adam_goes_to_the_worst_point_of_theorem_1():
    C = 3.0
    problem = reddi_theorem1(C)
    adam = dl.Adam(alpha=dl.InverseSqrtDecay(0.5), beta1=0.0, beta2=1 / (1 + C**2), eps=0.0)
    result = dl.minimize(problem, adam, n_iter=3000, x0=[0.0], project=True, record=100)
    assert float(result.x[0]) == pytest.approx(1.0, abs=1e-3)  # the worst point
    assert float(result.regret) / 3001 > 0.5  # the average regret stays away from 0
