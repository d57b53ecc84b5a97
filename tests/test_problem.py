import numpy as np
import pytest

from descentlab import CentralDifference, Problem, get_function
from descentlab.problems.gradients import RELATIVE_STEP


def wavy(x):
    return np.sin(x[..., 0]) * np.exp(0.3 * x[..., 1]) + x[..., 0] ** 2 * x[..., 1]


def wavy_grad(x):
    a, b = x[..., 0], x[..., 1]
    return np.stack(
        [np.cos(a) * np.exp(0.3 * b) + 2 * a * b, 0.3 * np.sin(a) * np.exp(0.3 * b) + a**2],
        axis=-1,
    )


def test_central_differences_match_the_analytic_gradient():
    x = np.random.RandomState(0).uniform(-2, 2, size=(50, 2))
    assert np.allclose(CentralDifference(wavy)(x), wavy_grad(x), rtol=1e-8, atol=1e-9)


def test_central_differences_batch_equals_one_at_a_time():
    x = np.random.RandomState(1).uniform(-2, 2, size=(4, 3, 2))
    batch = CentralDifference(wavy)(x)
    for idx in np.ndindex(4, 3):
        assert np.array_equal(batch[idx], CentralDifference(wavy)(x[idx]))


def test_central_differences_one_coordinate_at_a_time_for_large_batches(monkeypatch):
    import descentlab.problems.gradients as gradients

    x = np.random.RandomState(2).uniform(-2, 2, size=(30, 2))
    stacked = CentralDifference(wavy)(x)
    monkeypatch.setattr(gradients, "_MAX_POINTS_AT_ONCE", 1)
    looped = CentralDifference(wavy)(x)
    assert np.allclose(stacked, looped, rtol=1e-12, atol=0)


def test_problem_without_grad_uses_finite_differences():
    problem = Problem(wavy, bounds=[[-1, 1], [-1, 1]])
    assert not problem.has_exact_gradient
    x = np.array([0.3, -0.4])
    assert np.allclose(problem.gradient(x), wavy_grad(x), rtol=1e-8)
    assert pytest.approx(6.055e-6, rel=1e-3) == RELATIVE_STEP


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"f": 3}, TypeError, "f must be callable"),
        ({"f": wavy, "grad": "no"}, ValueError, "grad must be a callable or one of"),
        ({"f": wavy, "grad": 3}, TypeError, "grad must be callable, a method name or None"),
        ({"f": wavy, "bounds": [[1, -1]]}, ValueError, "lo <= hi"),
        ({"f": wavy, "bounds": [[0, np.inf]]}, ValueError, "bounds must be finite"),
        ({"f": wavy, "bounds": [[0, 1, 2]]}, ValueError, r"bounds must have shape \(d, 2\)"),
        ({"f": wavy, "bounds": [["a", 1]]}, TypeError, "bounds must be numbers"),
        (
            {"f": wavy, "bounds": [[0, 1]], "minimizers": [[0, 0]]},
            ValueError,
            "minimizers must have 1 coordinates",
        ),
    ],
)
def test_problem_validation(kwargs, error, message):
    with pytest.raises(error, match=message):
        Problem(**kwargs)


def test_sphere_is_the_tutorials_bowl():
    one = get_function("sphere", dim=1)
    assert one.bounds.tolist() == [[-1.0, 1.0]]
    assert one.f(np.array([0.5])) == 0.25
    two = get_function("sphere", dim=2)
    assert two.f(np.array([0.5, -2.0])) == 4.25
    assert two.grad(np.array([0.5, -2.0])).tolist() == [1.0, -4.0]
    assert two.minimum == 0.0 and two.minimizers.tolist() == [[0.0, 0.0]]
    assert get_function("sphere", dim=7).f(np.zeros(7)) == 0.0


def test_get_function_errors():
    with pytest.raises(ValueError, match=r"function must be one of sphere, forrester, .*'nope'"):
        get_function("nope")
    with pytest.raises(ValueError, match="dim must be a whole number >= 1, not 0"):
        get_function("sphere", dim=0)
