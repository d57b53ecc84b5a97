"""The catalog: gradients against finite differences, known minima, SciPy's Rosenbrock, batches."""

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from descentlab import FUNCTIONS, get_function
from descentlab.problems.functions import get_entry
from descentlab.problems.gradients import CentralDifference

DIMS = {
    name: [entry.dim] if entry.dim else [entry.min_dim, 3, 6] for name, entry in FUNCTIONS.items()
}
CASES = [(name, d) for name, dims in DIMS.items() for d in dims]
IDS = [f"{name}-d{d}" for name, d in CASES]


def five_point_gradient(f, x, h=1e-4):
    """A fourth-order central difference: error O(h**4), far below the runner's own O(h**2)."""
    grad = np.empty_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros(x.shape[-1])
        e[i] = h
        grad[..., i] = (-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e) + f(x - 2 * e)) / (12 * h)
    return grad


def points_in(problem, n=50, seed=0):
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    return lo + np.random.RandomState(seed).rand(n, problem.dim) * (hi - lo)


@pytest.mark.parametrize(("name", "dim"), CASES, ids=IDS)
def test_gradient_equals_central_differences(name, dim):
    problem = get_function(name, dim=dim)
    x = points_in(problem)
    analytic = problem.grad(x)
    numeric = five_point_gradient(problem.f, x)
    scale = np.maximum(np.linalg.norm(numeric, axis=-1, keepdims=True), 1.0)
    assert np.max(np.abs(analytic - numeric) / scale) < 1e-8


@pytest.mark.parametrize(("name", "dim"), CASES, ids=IDS)
def test_runner_finite_differences_are_close_to_the_gradient(name, dim):
    problem = get_function(name, dim=dim)
    x = points_in(problem)
    numeric = CentralDifference(problem.f)(x)
    scale = np.maximum(np.linalg.norm(numeric, axis=-1, keepdims=True), 1.0)
    assert np.max(np.abs(problem.grad(x) - numeric) / scale) < 1e-5


@pytest.mark.parametrize(("name", "dim"), CASES, ids=IDS)
def test_known_minimizers_reach_the_minimum(name, dim):
    problem = get_function(name, dim=dim)
    values = problem.f(problem.minimizers)
    np.testing.assert_allclose(values, problem.minimum, rtol=0, atol=1e-12)
    # A listed minimizer is a stationary point, to the precision it is written with.
    assert np.max(np.abs(problem.grad(problem.minimizers))) < 1e-6
    # And nothing in the domain is lower (checked on many random points).
    assert problem.f(points_in(problem, n=20000, seed=1)).min() >= problem.minimum - 1e-12


@pytest.mark.parametrize(("name", "dim"), CASES, ids=IDS)
def test_batches_equal_points_one_at_a_time(name, dim):
    problem = get_function(name, dim=dim)
    x = points_in(problem, n=12).reshape(3, 4, dim)
    values, grads = problem.f(x), problem.grad(x)
    assert values.shape == (3, 4) and grads.shape == (3, 4, dim)
    for i in np.ndindex(3, 4):
        assert problem.f(x[i]) == pytest.approx(values[i], rel=1e-15, abs=1e-300)
        np.testing.assert_allclose(problem.grad(x[i]), grads[i], rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("dim", [2, 3, 7, 20])
def test_rosenbrock_equals_scipy(dim):
    problem = get_function("rosenbrock", dim=dim)
    x = points_in(problem, n=30, seed=dim)
    np.testing.assert_allclose(problem.f(x), rosen(x.T), rtol=1e-14)
    np.testing.assert_allclose(problem.grad(x), rosen_der(x.T).T, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("rotation_seed", [None, 0])
def test_quadratic_has_the_condition_number_asked_for(rotation_seed):
    problem = get_function("quadratic", dim=6, kappa=1e4, rotation_seed=rotation_seed)
    hessian = problem.grad(np.eye(6))  # grad(e_i) = H e_i, the i-th column
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-12)
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues.max() / eigenvalues.min() == pytest.approx(1e4, rel=1e-9)
    x = points_in(problem, n=5)
    np.testing.assert_allclose(problem.f(x), 0.5 * np.einsum("ni,ij,nj->n", x, hessian, x))
    off_diagonal = np.abs(hessian - np.diag(np.diag(hessian))).max()
    assert (off_diagonal > 1e-3) == (rotation_seed is not None)


def test_quadratic_parameters_are_checked():
    with pytest.raises(ValueError, match=r"kappa must be a finite number >= 1, not 0\.5"):
        get_function("quadratic", kappa=0.5)
    with pytest.raises(ValueError, match="has parameters kappa, rotation_seed, not 'kapa'"):
        get_function("quadratic", kapa=3)
    with pytest.raises(ValueError, match="'sphere' has no parameters, but got kappa"):
        get_function("sphere", kappa=3)


def test_himmelblau_lists_four_minima_and_styblinski_tang_scales_with_d():
    assert get_function("himmelblau").minimizers.shape == (4, 2)
    assert get_function("styblinski-tang", dim=5).minimum == pytest.approx(-39.16616570377141 * 5)


def test_dimension_rules():
    with pytest.raises(ValueError, match="dim must be 2 for function 'beale', not 3"):
        get_function("beale", dim=3)
    with pytest.raises(ValueError, match="dim must be >= 2 for function 'rosenbrock', not 1"):
        get_function("rosenbrock", dim=1)
    # A free dimension follows the bounds.
    assert get_function("rastrigin", bounds=[[-1, 1]] * 4).dim == 4


def test_every_entry_is_documented():
    for entry in FUNCTIONS.values():
        assert entry.formula and entry.description and entry.citation
        assert get_entry(entry.name) is entry
