"""The runner: starts, stopping, divergence, recording, callbacks, batches."""

import warnings

import numpy as np
import pytest
from array_api_compat import array_namespace

from descentlab import (
    AMSGrad,
    GradientDescent,
    Momentum,
    Problem,
    Result,
    Tolerance,
    get_function,
    minimize,
)

SPHERE2 = get_function("sphere", dim=2)


def test_start_reproduces_seed_then_rand():
    result = minimize(SPHERE2, GradientDescent(0.1), n_iter=1, seed=7, record="all")
    rs = np.random.RandomState(7)
    assert np.array_equal(result.path[0], -1.0 + rs.rand(2) * 2.0)
    many = minimize(SPHERE2, GradientDescent(0.1), n_iter=1, seed=7, starts=5)
    assert np.array_equal(many.path[0][0], result.path[0])
    assert many.x.shape == (5, 2) and many.fun.shape == (5,) and many.status.shape == (5,)


@pytest.mark.parametrize("seed", [0, 1, 4, 7, 2**31 - 1, 2**31, 2**32 - 1])
def test_small_draws_without_numpy_random_are_numpys_draws_bit_for_bit(seed):
    from descentlab.problems.starts import SMALL_DRAW, legacy_rand, uniform_starts

    for count in (1, 2, 3, SMALL_DRAW):
        assert legacy_rand(seed, count) == np.random.RandomState(seed).rand(count).tolist()
    bounds = np.array([[-5.0, 5.0]] * 4)
    for starts in (None, SMALL_DRAW // 4, SMALL_DRAW // 4 + 1):  # both sides of the switch
        shape = (4,) if starts is None else (starts, 4)
        expected = -5.0 + np.random.RandomState(seed).rand(*shape) * 10.0
        assert np.array_equal(uniform_starts(bounds, starts, seed), expected)


def test_global_random_state_is_left_alone():  # the legacy global state on purpose
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    minimize(SPHERE2, GradientDescent(0.1), n_iter=3, seed=1)
    assert np.random.rand() == expected


def test_result_fields_for_one_start():
    result = minimize(SPHERE2, Momentum(0.1, 0.3), n_iter=10, seed=1)
    assert isinstance(result, Result)
    assert result.x.shape == (2,) and result.fun.shape == ()
    assert int(result.nit) == 10 and str(result.status) == "max_iter"
    assert "n_iter = 10" in str(result.message)
    assert result.path.shape == (11, 2) and result.path_fun.shape == (11,)
    assert result.path_iter.tolist() == list(range(11))
    assert np.array_equal(result.path[-1], result.x)
    assert result.path_fun[-1] == result.fun
    assert result.path_grad_norm[-1] == pytest.approx(np.linalg.norm(2 * result.x))
    assert result.nfev == 11 and result.njev == 11
    assert result.time > 0


@pytest.mark.parametrize("optimizer", [GradientDescent(0.1), Momentum(0.05, 0.8), AMSGrad(0.05)])
def test_batch_equals_starts_run_one_at_a_time(optimizer):
    problem = get_function("sphere", dim=3)
    batch = minimize(problem, optimizer, n_iter=40, seed=5, starts=6)
    for j in range(6):
        alone = minimize(problem, optimizer, n_iter=40, x0=batch.path[0][j])
        assert np.array_equal(batch.x[j], alone.x)
        assert np.array_equal(batch.path[:, j], alone.path)


def test_batch_with_tolerance_equals_one_at_a_time():
    tol = Tolerance(grad=1e-3)
    batch = minimize(SPHERE2, AMSGrad(0.05), n_iter=500, seed=2, starts=5, tol=tol)
    assert len(set(batch.nit.tolist())) > 1  # the starts stop at different iterations
    for j in range(5):
        alone = minimize(SPHERE2, AMSGrad(0.05), n_iter=500, x0=batch.path[0][j], tol=tol)
        assert np.array_equal(batch.x[j], alone.x)
        assert batch.nit[j] == alone.nit and batch.status[j] == alone.status == "converged"


def test_gradient_tolerance_stops_a_start_where_it_is():
    result = minimize(SPHERE2, GradientDescent(0.1), n_iter=1000, seed=3, tol=Tolerance(grad=1e-6))
    assert str(result.status) == "converged"
    assert result.grad_norm <= 1e-6
    assert result.path_grad_norm[-2] > 1e-6  # it stopped at the first point below
    assert int(result.nit) == len(result.path) - 1 < 1000


def test_value_tolerance_uses_the_known_minimum():
    result = minimize(SPHERE2, GradientDescent(0.1), n_iter=1000, seed=3, tol=Tolerance(fun=1e-8))
    assert str(result.status) == "converged" and result.fun <= 1e-8
    assert result.path_fun[-2] > 1e-8
    unknown = Problem(lambda x: (x**2).sum(-1), bounds=[[-1, 1]])
    with pytest.raises(ValueError, match=r"tol\.fun needs the problem's known minimum"):
        minimize(unknown, GradientDescent(0.1), n_iter=5, tol=Tolerance(fun=1e-3))


def test_converged_starts_stop_moving_while_others_go_on():
    x0 = np.array([[1e-9, 0.0], [0.9, -0.8]])
    result = minimize(SPHERE2, GradientDescent(0.01), n_iter=50, x0=x0, tol=Tolerance(grad=1e-6))
    assert result.status.tolist() == ["converged", "max_iter"]
    assert result.nit.tolist() == [0, 50]
    assert np.array_equal(result.x[0], x0[0])
    assert (result.path[:, 0] == x0[0]).all()


def test_divergence_is_a_status_with_its_iteration_and_no_warnings():
    problem = get_function("sphere", dim=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = minimize(problem, GradientDescent(step_size=1e6), n_iter=200, x0=[0.5])
    assert str(result.status) == "diverged"
    assert "non-finite" in str(result.message)
    nit = int(result.nit)
    assert 0 < nit < 200
    assert np.isfinite(result.x).all()
    assert np.isfinite(result.path).all()
    # its path up to the divergence is kept: each step multiplies x by (1 - 2e6)
    assert result.path[1, 0] == pytest.approx(0.5 * (1 - 2e6))
    assert np.array_equal(result.path[nit], result.x)


def test_divergence_of_one_start_leaves_the_others_running():
    problem = Problem(lambda x: (x**2).sum(-1), grad=lambda x: 2 * x, bounds=[[-10, 10]])
    x0 = np.array([[-1.0], [-6.5]])  # the second's step makes x -> (1 - 2e5) x: it overflows
    result = minimize(problem, GradientDescent(step_size=np.array([0.1, 1e5])), n_iter=100, x0=x0)
    assert result.status.tolist() == ["max_iter", "diverged"]
    assert "non-finite point at iteration" in result.message[1]
    assert result.nit[1] < 100 and result.nit[0] == 100
    assert np.isfinite(result.x).all() and result.fun[0] < 1e-12


@pytest.mark.parametrize("engine", ["numpy", "jax"])
@pytest.mark.parametrize("tol", [None, 1e-8])
def test_status_is_the_same_whatever_is_recorded(engine, tol):
    """An objective that is NaN near its minimum (the gradient finite): recording its values
    must not change how the run ends, and a start never converges at a non-finite value."""

    def f(x):
        xp = array_namespace(x)
        r = xp.sum(x**2, axis=-1)
        return xp.where(r < 1e-6, xp.nan, r)

    problem = Problem(f, grad=lambda x: 2 * x, bounds=[[-1, 1]])
    runs = [minimize(problem, GradientDescent(0.1), n_iter=100, x0=[[0.5], [-0.3]], tol=tol,
                     record=record, engine=engine) for record in ("all", "none", 5)]  # fmt: skip
    for run in runs:
        assert run.status.tolist() == ["diverged", "diverged"]
        assert np.array_equal(run.nit, runs[0].nit) and np.array_equal(run.x, runs[0].x)
        assert np.array_equal(run.message, runs[0].message)
        assert np.isnan(run.fun).all()
    # the record shows the values the run passed through, NaNs included
    assert np.isnan(runs[0].path_fun[-1]).all() and np.isfinite(runs[0].path_fun[0]).all()


def test_a_value_only_recorded_decides_nothing():
    """A start passing through a region where f is NaN (finite points and gradients) goes on,
    recorded or not, and ends as where it ends."""
    f = lambda x: np.where(np.abs(x[..., 0] - 0.3) < 0.05, np.nan, (x**2).sum(-1))  # noqa: E731
    problem = Problem(f, grad=lambda x: 2 * x, bounds=[[-1, 1]])
    runs = [minimize(problem, GradientDescent(0.1), n_iter=50, x0=[0.5], record=record)
            for record in ("all", "none")]  # fmt: skip
    assert np.isnan(runs[0].path_fun).any()
    for run in runs:
        assert str(run.status) == "max_iter" and np.isfinite(run.fun)
    assert np.array_equal(runs[0].x, runs[1].x)


def test_non_finite_gradient_is_named():
    problem = Problem(lambda x: (x**2).sum(-1), grad=lambda x: x * np.inf, bounds=[[-1, 1]])
    result = minimize(problem, GradientDescent(0.1), n_iter=5, x0=[0.5])
    assert str(result.status) == "diverged"
    assert "non-finite gradient at iteration 1" in str(result.message)
    assert int(result.nit) == 0 and result.x.tolist() == [0.5]


def test_callback_sees_every_iteration_and_can_stop_the_run():
    seen = []

    def callback(info):
        seen.append((info.iteration, float(info.fun)))
        return info.iteration == 7

    result = minimize(SPHERE2, GradientDescent(0.1), n_iter=100, seed=1, callback=callback)
    assert [i for i, _ in seen] == list(range(1, 8))
    assert str(result.status) == "stopped" and int(result.nit) == 7
    assert seen[-1][1] == result.fun


def test_record_every_kth_and_none():
    every3 = minimize(SPHERE2, GradientDescent(0.1), n_iter=10, seed=1, record=3)
    assert every3.path_iter.tolist() == [0, 3, 6, 9, 10]
    full = minimize(SPHERE2, GradientDescent(0.1), n_iter=10, seed=1)
    assert np.array_equal(every3.path, full.path[[0, 3, 6, 9, 10]])
    off = minimize(SPHERE2, GradientDescent(0.1), n_iter=10, seed=1, record="none")
    assert off.path is None and off.path_fun is None
    assert np.array_equal(off.x, full.x)


def test_record_some_starts_only():
    full = minimize(SPHERE2, AMSGrad(0.05), n_iter=10, seed=1, starts=8)
    some = minimize(SPHERE2, AMSGrad(0.05), n_iter=10, seed=1, starts=8, record_starts=[1, 6])
    assert some.path.shape == (11, 2, 2)
    assert np.array_equal(some.path, full.path[:, [1, 6]])
    assert some.record_starts.tolist() == [1, 6]
    with pytest.raises(ValueError, match=r"record_starts must be indices in \[0, 8\)"):
        minimize(SPHERE2, AMSGrad(0.05), n_iter=10, seed=1, starts=8, record_starts=[8])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_iter": 0}, "n_iter must be a whole number >= 1, not 0"),
        ({"n_iter": 2.5}, "n_iter must be a whole number >= 1"),
        ({"n_iter": 5, "starts": -3}, "starts must be a whole number >= 1, not -3"),
        ({"n_iter": 5, "record": "some"}, "record must be 'all', 'none'"),
        ({"n_iter": 5, "x0": [1.0, 2.0, 3.0]}, "x0 must have 2 coordinates"),
        ({"n_iter": 5, "x0": [1.0, np.nan]}, "x0 must be finite"),
        ({"n_iter": 5, "x0": [1.0, 2.0], "starts": 3}, "give either x0 or starts"),
        ({"n_iter": 5, "seed": -1}, "seed must be an int in"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        minimize(SPHERE2, GradientDescent(0.1), **kwargs)


def test_tolerance_validation():
    with pytest.raises(ValueError, match=r"tol\.grad must be a finite number >= 0, not -1"):
        Tolerance(grad=-1)


def test_wrong_shapes_from_user_functions_are_named():
    bad_f = Problem(lambda x: x**2, grad=lambda x: 2 * x, bounds=[[-1, 1], [-1, 1]])
    with pytest.raises(ValueError, match=r"the objective must map .* returned shape \(2,\)"):
        minimize(bad_f, GradientDescent(0.1), n_iter=3, seed=0)
    bad_g = Problem(lambda x: (x**2).sum(-1), grad=lambda x: x[..., :1], bounds=[[-1, 1]] * 2)
    with pytest.raises(ValueError, match=r"the gradient must return the shape of its input"):
        minimize(bad_g, GradientDescent(0.1), n_iter=3, seed=0)


def test_problem_without_bounds_needs_x0():
    problem = Problem(lambda x: (x**2).sum(-1))
    with pytest.raises(ValueError, match="x0 is required"):
        minimize(problem, GradientDescent(0.1), n_iter=3)
    result = minimize(problem, GradientDescent(0.1), n_iter=300, x0=[1.0, 2.0, 3.0])
    assert np.allclose(result.x, 0, atol=1e-8)  # finite-difference gradient


def test_hyperparameter_grid_runs_in_one_pass():
    steps = np.array([0.01, 0.1, 0.4])
    x0 = np.tile([0.8, -0.6], (3, 1))
    grid = minimize(SPHERE2, GradientDescent(step_size=steps), n_iter=20, x0=x0)
    for k, step in enumerate(steps):
        alone = minimize(SPHERE2, GradientDescent(step_size=step), n_iter=20, x0=x0[k])
        assert np.array_equal(grid.x[k], alone.x)


def test_verbose_prints_the_trace_for_a_batch(capsys):
    minimize(SPHERE2, GradientDescent(0.1), n_iter=2, seed=1, starts=2, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(">0 [0] f(") and lines[1].startswith(">0 [1] f(")
    assert lines[4] == "Done!" and lines[5].startswith("[0] f(")


def test_without_recording_f_is_evaluated_at_the_start_and_the_end_only():
    problem = get_function("sphere", dim=2)
    result = minimize(problem, GradientDescent(0.1), n_iter=50, seed=0, starts=3, record="none")
    assert result.nfev == 2 and result.njev == 51
    np.testing.assert_array_equal(result.fun, problem.f(result.x))


def test_divergence_is_found_without_recording():
    problem = get_function("sphere", dim=2)
    steps = np.array([0.1, 50.0])  # the second setting blows up
    result = minimize(problem, GradientDescent(steps), n_iter=400, x0=[[0.5, 0.5]] * 2,
                      record="none")  # fmt: skip
    assert result.status.tolist() == ["max_iter", "diverged"]
    assert np.isfinite(result.x[1]).all()  # held at its last finite point


def test_a_value_that_overflows_at_a_finite_point_is_diverged_at_the_end():
    # A (deliberately wrong) gradient of -1 walks x from 0 to 1, where exp(1000 x) overflows.
    problem = Problem(lambda x: np.exp(1000.0 * x[..., 0]), grad=lambda x: np.full_like(x, -1.0),
                      bounds=[[-1, 1]])  # fmt: skip
    for record in ("none", "all"):
        result = minimize(problem, GradientDescent(1.0), n_iter=1, x0=[0.0], record=record)
        assert result.status == "diverged", record
        assert str(result.message) == "non-finite value at iteration 1"


@pytest.mark.parametrize("engine", ["numpy", "jax"])
def test_projected_runs_converge_on_the_projected_gradient(engine):
    """With project=True the gradient tolerance is on x - clip(x - g, lo, hi): a minimum on
    the box's edge is found (the plain gradient there never vanishes); the engines agree."""
    problem = Problem(lambda x: ((x - 2) ** 2).sum(-1), grad=lambda x: 2 * (x - 2),
                      bounds=[[-1, 1], [-1, 3]])  # fmt: skip
    result = minimize(problem, GradientDescent(0.1), n_iter=1000, x0=[[0.0, 0.0], [0.5, 2.5]],
                      tol=1e-8, project=True, engine=engine)  # fmt: skip
    assert result.status.tolist() == ["converged", "converged"]
    assert all(m.startswith("projected ||g|| <= 1e-08 at iteration") for m in result.message)
    np.testing.assert_allclose(result.x, [[1.0, 2.0], [1.0, 2.0]], atol=1e-8)
    assert result.nit.max() < 200


def test_a_result_shows_itself_in_a_few_lines():
    """The finding: repr(result) printed 17,000 to 104,000 characters (every path)."""
    one = minimize(SPHERE2, GradientDescent(0.1), n_iter=200, seed=1)
    many = minimize(SPHERE2, GradientDescent(0.1), n_iter=200, seed=1, starts=2000)
    for result in (one, many):
        text = repr(result)
        assert len(text) < 600 and text.count("\n") < 12
        assert "optimizer: gd" in text and "nfev, njev" in text and "recorded:" in text
    assert "max_iter: reached n_iter = 200 iterations" in repr(one)
    assert "starts: 2000 of shape (2000, 2)" in repr(many) and f"start {many.best()}" in repr(many)
