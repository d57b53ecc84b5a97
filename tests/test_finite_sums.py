"""Finite sums: minibatches per start, epochs without replacement, the bundled data sets."""

import numpy as np
import pytest
from scipy.optimize import check_grad

import descentlab as dl
from descentlab.problems.stochastic import StartStreams
from descentlab.problems.stochastic.finite_sum import (
    MinibatchSampler,
    finite_sum,
    least_squares_diabetes,
    logistic_breast_cancer,
    logistic_digits,
)

pytest.importorskip("sklearn")


def test_each_example_is_used_once_per_epoch_in_each_starts_own_order():
    sampler = MinibatchSampler(
        n_examples=10, batch_size=4, streams=StartStreams(5, 3, 0, "minibatch")
    )
    assert sampler.batches_per_epoch == 3
    for epoch in range(3):
        batches = [sampler.indices(epoch * 3 + b) for b in range(3)]
        assert [b.shape[1] for b in batches] == [4, 4, 2]  # the last batch is smaller
        seen = np.concatenate(batches, axis=1)
        assert (np.sort(seen, axis=1) == np.arange(10)).all()  # each example once, per start
    assert not np.array_equal(sampler.order(0)[0], sampler.order(0)[1])  # starts differ
    assert not np.array_equal(sampler.order(0)[0], sampler.order(1)[0])  # epochs differ


def test_minibatch_gradients_average_the_per_example_gradients():
    rng = np.random.RandomState(0)
    a, y = rng.normal(size=(40, 3)), np.sign(rng.normal(size=40))
    problem = finite_sum("toy", a, y, "logistic", l2=0.1)
    x = rng.normal(size=(2, 3))
    everything = np.tile(np.arange(40), (2, 1))
    np.testing.assert_allclose(problem.batch_gradient(x, everything), problem.grad(x), rtol=1e-12)
    assert check_grad(lambda v: problem.f(v), lambda v: problem.grad(v), x[0]) < 1e-6
    one = problem.batch_gradient(x[:1], np.array([[7]]))
    margin = y[7] * a[7] @ x[0]
    expected = -y[7] * a[7] / (1 + np.exp(margin)) + 0.1 * x[0]
    np.testing.assert_allclose(one[0], expected, rtol=1e-12)


@pytest.mark.parametrize("make", [least_squares_diabetes, logistic_breast_cancer, logistic_digits])
def test_bundled_problems_have_their_minimum(make):
    problem = make()
    x_star = problem.minimizers[0]
    assert np.linalg.norm(problem.grad(x_star)) < 1e-8
    assert problem.f(x_star) == pytest.approx(problem.minimum, abs=1e-14)
    assert (
        np.allclose(problem.features[:, :-1].mean(axis=0), 0, atol=1e-12)
        or make is least_squares_diabetes
    )


def test_least_squares_minimum_equals_the_normal_equations():
    problem = least_squares_diabetes()
    x, *_ = np.linalg.lstsq(problem.features, problem.targets, rcond=None)
    np.testing.assert_allclose(problem.minimizers[0], x, atol=1e-8)


def test_a_minibatch_run_is_per_start_and_evaluates_f_only_where_recorded():
    problem = logistic_breast_cancer()
    batch = dl.minimize(problem, dl.Adam(0.01), n_iter=300, seed=2, starts=6, batch_size=16,
                        record=50)  # fmt: skip
    assert batch.nfev == 7 and batch.path_iter.tolist() == [0, 50, 100, 150, 200, 250, 300]
    alone = dl.minimize(problem, dl.Adam(0.01), n_iter=300, seed=2, x0=batch.path[0][4],
                        batch_size=16, record=50, first_stream=4)  # fmt: skip
    np.testing.assert_array_equal(alone.path, batch.path[:, 4])
    assert np.median(batch.fun - problem.minimum) < np.median(batch.path_fun[0] - problem.minimum)
    full = dl.minimize(problem, dl.Adam(0.01), n_iter=300, seed=2, starts=6, record=50)
    assert not np.array_equal(full.x, batch.x)  # minibatches are not the full gradient


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, r"batch_size must be a whole number in \[1, 569\]"),
        ({"batch_size": 570}, r"batch_size must be a whole number in \[1, 569\]"),
        ({"batch_size": 8, "seed": None, "x0": np.zeros(31)}, "minibatches needs seed="),
        ({"batch_size": 8, "tol": 1e-3}, "tol.grad cannot be used with minibatches"),
    ],
)
def test_bad_minibatch_arguments(kwargs, message):
    arguments = {"n_iter": 3, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        dl.minimize(logistic_breast_cancer(), "gd", **arguments)
    with pytest.raises(ValueError, match="batch_size applies to finite sums"):
        dl.minimize(dl.get_function("sphere"), "gd", n_iter=3, seed=0, batch_size=4)
