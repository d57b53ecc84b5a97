"""Functions written for one point are found out and evaluated point by point, never wrong."""

import numpy as np
import pytest

import descentlab as dl
from descentlab.problems.vectorization import (
    NotVectorizedWarning,
    Pointwise,
    is_vectorized,
    probe_points,
)


def rosen_one_point(x):  # written for one point: x[0], not x[..., 0]
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosen_grad_one_point(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


def test_the_issue_example_gradient_is_right():
    problem = dl.Problem(rosen_one_point, bounds=[(-2, 2), (-1, 3)], minimum=0)
    with pytest.warns(NotVectorizedWarning, match=r"x\[\.\.\., 0\]"):
        g = problem.gradient(np.array([-1.0, 1.0]))
    np.testing.assert_allclose(g, [-4.0, 0.0], atol=1e-6)


def test_the_issue_example_run_converges_with_a_note():
    problem = dl.Problem(rosen_one_point, bounds=[(-2, 2), (-1, 3)], minimum=0)
    with pytest.warns(NotVectorizedWarning, match="one point at a time"):
        result = dl.minimize(problem, dl.Momentum(1e-3, 0.9), n_iter=3000, x0=[-1, 1])
    vectorized = dl.get_function("rosenbrock", dim=2)
    expected = dl.minimize(vectorized, dl.Momentum(1e-3, 0.9), n_iter=3000, x0=[-1, 1])
    np.testing.assert_allclose(result.x, expected.x, rtol=1e-6)
    assert float(result.fun) < 1e-6


def test_a_batch_of_starts_with_a_one_point_function_equals_each_alone():
    problem = dl.Problem(rosen_one_point, grad=rosen_grad_one_point, bounds=[(-2, 2), (-1, 3)])
    with pytest.warns(NotVectorizedWarning, match="objective and the gradient"):
        batch = dl.minimize(problem, dl.Adam(0.05), n_iter=50, seed=3, starts=4)
    reference = dl.get_function("rosenbrock", bounds=[(-2, 2), (-1, 3)])
    expected = dl.minimize(reference, dl.Adam(0.05), n_iter=50, seed=3, starts=4)
    np.testing.assert_allclose(batch.x, expected.x, rtol=1e-12)
    np.testing.assert_allclose(batch.path_fun, expected.path_fun, rtol=1e-12)


def test_the_check_happens_once_per_dimension():
    calls = []

    def f(x):
        calls.append(np.shape(x))
        return np.sum(x**2, axis=-1)

    problem = dl.Problem(f, grad=lambda x: 2 * x, bounds=[(-1, 1)] * 2)
    dl.minimize(problem, "gd", n_iter=2, seed=0)
    first = len(calls)
    dl.minimize(problem, "gd", n_iter=2, seed=0)
    assert len(calls) - first == 3  # the run's own three calls, no new check
    assert (3, 2, 2) in calls  # the stacked probe


@pytest.mark.parametrize(
    ("reference", "x", "expected"),
    [("numpy:sum", [0.5, -0.25], 0.25), ("numpy.linalg:norm", [3.0, 4.0], 5.0)],
)
def test_cli_functions_that_reduce_everything(capsys, reference, x, expected):
    from descentlab.cli import main

    code = main(["run", "gd", "-f", reference, "--x0", ",".join(map(str, x)), "--n-iter", "1",
                 "--step-size", "1e-9", "-q", "--json", "-"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 0, out.err
    import json

    record = json.loads(out.out)
    assert record["result"]["fun"] == pytest.approx(expected, rel=1e-6)
    true_norm = np.sqrt(len(x)) if reference == "numpy:sum" else 1.0
    assert record["result"]["grad_norm"] == pytest.approx(true_norm, rel=1e-5)
    assert "note:" in out.err and "one point at a time" in out.err


def test_vectorized_functions_pass_the_check_silently():
    points = probe_points(np.array([0.3, -0.7, 1.2]))
    assert points.shape == (3, 2, 3)
    assert is_vectorized(lambda x: np.sum(x**2, axis=-1), points, "objective")
    assert is_vectorized(lambda x: 2 * x, points, "gradient")
    assert not is_vectorized(lambda x: x[0] ** 2 + x[1] ** 2 + x[2] ** 2, points, "objective")
    assert not is_vectorized(lambda x: float(np.sum(x**2)), points, "objective")  # 0-d only


def test_a_gradient_that_mixes_points_is_caught():
    points = probe_points(np.array([0.3, -0.7]))
    assert not is_vectorized(rosen_grad_one_point, points, "gradient")
    # [2 x[0], 2 x[1]] is right only on stacks whose first axis has length d = 2
    assert not is_vectorized(lambda x: np.array([2 * x[0], 2 * x[1]]), points, "gradient")


def test_pointwise_evaluation_is_right_and_shaped():
    f = Pointwise(lambda p: p[0] * p[1], "objective")
    x = np.arange(12.0).reshape(2, 3, 2)
    np.testing.assert_array_equal(f(x), x[..., 0] * x[..., 1])
    g = Pointwise(lambda p: np.array([p[1], p[0]]), "gradient")
    np.testing.assert_array_equal(g(x), x[..., ::-1])


def test_vectorized_false_evaluates_point_by_point_without_a_warning(recwarn):
    problem = dl.Problem(rosen_one_point, bounds=[(-2, 2), (-1, 3)], vectorized=False)
    result = dl.minimize(problem, dl.Adam(0.05), n_iter=20, seed=1, starts=3)
    assert not recwarn.list
    reference = dl.get_function("rosenbrock", bounds=[(-2, 2), (-1, 3)])
    expected = dl.minimize(reference, dl.Adam(0.05), n_iter=20, seed=1, starts=3)
    np.testing.assert_allclose(result.x, expected.x, rtol=1e-7)


def test_a_function_wrong_even_for_one_point_is_an_error():
    problem = dl.Problem(lambda x: x**2, bounds=[(-1, 1)] * 2)
    with pytest.raises(ValueError, match=r"returned shape \(2,\)"):
        dl.minimize(problem, "gd", n_iter=2, seed=0)


def test_plots_and_gradient_checks_use_the_safe_function():
    from descentlab.engines.gradient_check import check_gradient
    from descentlab.plot._data import grid_values

    problem = dl.Problem(rosen_one_point, grad=rosen_grad_one_point, bounds=[(-2, 2), (-1, 3)])
    with pytest.warns(NotVectorizedWarning):
        check = check_gradient(problem)
    assert check.ok, check.summary()
    grid = grid_values(problem, resolution=7)
    reference = dl.get_function("rosenbrock", dim=2, bounds=[(-2, 2), (-1, 3)])
    np.testing.assert_allclose(grid.z, grid_values(reference, resolution=7).z, rtol=1e-12)
