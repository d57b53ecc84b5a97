"""Step rules on the JAX engine against the NumPy engine: the same search code (written once,
run by lax.while_loop there), so the same statuses, iterations and calls, and the same paths to
the rules of tests/test_engines.py (step by step where the path amplifies rounding)."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import descentlab as dl  # noqa: E402
from tests.test_engines import RUN_RTOL, close, relative_gap  # noqa: E402

ROSENBROCK = dl.get_function("rosenbrock", dim=2)
QUADRATIC = dl.get_function("quadratic", dim=5, kappa=50.0, rotation_seed=3)

CASES = [
    (dl.GradientDescent(1.0), dl.Armijo()),
    (dl.Momentum(0.01, 0.5), dl.Armijo(c1=0.3, shrink=0.3)),
    (dl.GradientDescent(1.0), dl.Wolfe()),
    (dl.Momentum(0.01, 0.5), dl.Wolfe(c2=0.5, max_tries=8)),
    (dl.GradientDescent(1e-3), dl.Polyak()),
    (dl.GradientDescent(1e-3), dl.Polyak(cap=0.01)),
    (dl.GradientDescent(1e-3), dl.BarzilaiBorwein()),
    (dl.GradientDescent(1e-3), dl.BarzilaiBorwein("short", cap=0.01)),
]


@pytest.mark.parametrize("problem", [ROSENBROCK, QUADRATIC], ids=["rosenbrock", "quadratic"])
@pytest.mark.parametrize(("optimizer", "rule"), CASES,
                         ids=lambda v: getattr(v, "name", type(v).__name__))  # fmt: skip
def test_runs_with_a_step_rule_agree(problem, optimizer, rule):
    x0 = dl.uniform_starts(problem.bounds, 5, 1)
    kwargs = dict(n_iter=120, step_rule=rule, record=1)
    ours = dl.minimize(problem, optimizer, x0=x0, **kwargs)
    compiled = dl.minimize(problem, optimizer, x0=x0, engine="jax", **kwargs)
    assert np.array_equal(compiled.status, ours.status)
    assert np.array_equal(compiled.nit, ours.nit)
    assert (compiled.nfev, compiled.njev) == (ours.nfev, ours.njev)  # the searches' calls too
    assert compiled.path_step.shape == ours.path_step.shape
    nudged = dl.minimize(problem, optimizer, x0=x0 * (1 + 1e-15), **kwargs)
    gaps = [relative_gap(a, b) for a, b in zip(nudged.path, ours.path, strict=True)]
    departs = next((k for k, gap in enumerate(gaps) if gap > 1e-12), len(gaps))
    assert departs > 0
    for k in range(departs):
        assert close(compiled.path[k], ours.path[k], RUN_RTOL, x0), (k, departs)
        both = np.isfinite(ours.path_step[k])
        assert np.array_equal(both, np.isfinite(compiled.path_step[k]))
        assert close(compiled.path_step[k][both], ours.path_step[k][both], 1e-9)


def test_a_rule_with_a_value_target_and_a_box():
    x0 = dl.uniform_starts(QUADRATIC.bounds, 6, 2)
    kwargs = dict(n_iter=500, step_rule=dl.Armijo(), tol=dl.Tolerance(fun=1e-8), project=True,
                  record=10)  # fmt: skip
    ours = dl.minimize(QUADRATIC, dl.GradientDescent(1.0), x0=x0, **kwargs)
    compiled = dl.minimize(QUADRATIC, dl.GradientDescent(1.0), x0=x0, engine="jax", **kwargs)
    assert (ours.status == "converged").all()
    assert np.array_equal(compiled.nit, ours.nit)
    assert np.array_equal(compiled.message, ours.message)
    assert (compiled.nfev, compiled.njev) == (ours.nfev, ours.njev)
    assert close(compiled.x, ours.x, RUN_RTOL, x0)


def test_a_start_alone_equals_the_start_in_the_batch():
    x0 = dl.uniform_starts(ROSENBROCK.bounds, 7, 5)
    batch = dl.minimize(ROSENBROCK, dl.GradientDescent(1.0), n_iter=60, x0=x0,
                        step_rule=dl.Wolfe(), engine="jax")  # fmt: skip
    alone = dl.minimize(ROSENBROCK, dl.GradientDescent(1.0), n_iter=60, x0=x0[4],
                        step_rule=dl.Wolfe(), engine="jax")  # fmt: skip
    np.testing.assert_array_equal(alone.x, batch.x[4])


def test_the_rules_refusals_hold_on_jax():
    sphere = dl.get_function("sphere", dim=2)
    with pytest.raises(ValueError, match="needs the exact gradient"):
        dl.minimize(sphere, "gd", n_iter=5, seed=0, step_rule=dl.Armijo(),
                    noise=dl.GradientNoise(0.1), engine="jax")  # fmt: skip
    with pytest.raises(ValueError, match="step size for gradient descent"):
        dl.minimize(sphere, "adam", n_iter=5, seed=0, step_rule=dl.Polyak(), engine="jax")
