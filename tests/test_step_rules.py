"""Step rules: the line-search conditions at every accepted step, SciPy's line search, Polyak's
and Barzilai-Borwein's steps, counts of evaluations, and bad input."""

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.optimizers.step_rules import StepContext

ROSENBROCK = dl.get_function("rosenbrock")
QUADRATIC = dl.get_function("quadratic", dim=10, kappa=100, rotation_seed=0)


def recorded(problem, optimizer, rule, n_iter, **kwargs):
    return dl.minimize(problem, optimizer, n_iter=n_iter, step_rule=rule, record="all", **kwargs)


def test_armijo_holds_at_every_accepted_step():
    c1 = 1e-3
    result = recorded(ROSENBROCK, dl.GradientDescent(step_size=1.0), dl.Armijo(c1=c1), 500,
                      seed=1)  # fmt: skip
    f, gnorm, step = result.path_fun, result.path_grad_norm, result.path_step
    # gradient descent: x_k+1 = x_k - a_k g_k, so Armijo reads f_k+1 <= f_k - c1 a_k ||g_k||^2
    bound = f[:-1] - c1 * step[1:] * gnorm[:-1] ** 2
    assert np.all(f[1:] <= bound + 1e-15 * np.abs(f[:-1]))
    assert np.all(step[1:] > 0) and len(np.unique(step[1:])) > 3  # the step varies


def test_strong_wolfe_holds_at_every_accepted_step():
    c1, c2 = 1e-4, 0.4
    result = recorded(ROSENBROCK, dl.GradientDescent(step_size=1.0), dl.Wolfe(c1=c1, c2=c2), 300,
                      seed=2)  # fmt: skip
    x, f, step = result.path, result.path_fun, result.path_step
    g = ROSENBROCK.grad(x)
    slope = -np.einsum("ki,ki->k", g[:-1], g[:-1])  # g_k . d_k with d_k = -g_k
    assert np.all(f[1:] <= f[:-1] + c1 * step[1:] * slope + 1e-15 * np.abs(f[:-1]))
    curvature = np.abs(-np.einsum("ki,ki->k", g[1:], g[:-1]))
    assert np.all(curvature <= c2 * np.abs(slope) * (1 + 1e-12))


def test_wolfe_finds_steps_where_scipy_does():
    """At 200 random points of Rosenbrock with d = -g: wherever SciPy's strong-Wolfe search
    finds a step, ours finds one that meets the same two conditions."""
    optimize = pytest.importorskip("scipy.optimize")
    rng = np.random.default_rng(0)
    points = rng.uniform(-2, 2, size=(200, 2))
    c1, c2 = 1e-4, 0.9
    g = ROSENBROCK.grad(points)
    calls = {"f": 0, "g": 0}

    def value(p, rows):
        calls["f"] += 1
        return ROSENBROCK.f(p)

    def gradient(p, rows):
        calls["g"] += 1
        return ROSENBROCK.grad(p)

    context = StepContext(points, ROSENBROCK.f(points), g, -g, value, gradient, 0.0)
    ours, _, counted = dl.Wolfe(c1=c1, c2=c2).multipliers(context)
    assert calls["f"] == calls["g"] and calls["f"] <= 60  # one batch call per round, all points
    assert counted.tolist() == [calls["f"], calls["g"]]  # what the JAX engine adds up
    found = 0
    for k in range(len(points)):
        theirs = optimize.line_search(ROSENBROCK.f, ROSENBROCK.grad, points[k], -g[k],
                                      gfk=g[k], c1=c1, c2=c2)[0]  # fmt: skip
        if theirs is None:
            continue
        found += 1
        t = ours[k]
        assert t > 0
        new = points[k] - t * g[k]
        slope = -g[k] @ g[k]
        assert ROSENBROCK.f(new) <= ROSENBROCK.f(points[k]) + c1 * t * slope
        assert abs(-ROSENBROCK.grad(new) @ g[k]) <= c2 * abs(slope)
    assert found > 150


@pytest.mark.slow
def test_armijo_makes_gradient_descent_converge_on_rosenbrock(capsys):
    """The convergence table's gd-rosenbrock cell fails with constant steps (and with the tuned
    one); with Armijo's line search every start converges."""
    result = dl.minimize(ROSENBROCK, dl.GradientDescent(step_size=1.0), n_iter=20_000, seed=0,
                         starts=8, step_rule=dl.Armijo(), tol=dl.Tolerance(fun=1e-8),
                         record="none")  # fmt: skip
    with capsys.disabled():
        print(f"\ngd + Armijo on Rosenbrock, iterations per start: {result.nit.tolist()}")
    assert np.all(result.status == "converged")
    assert result.nfev > result.njev  # the backtracking's trials are counted


def test_momentum_with_a_line_search():
    result = dl.minimize(ROSENBROCK, dl.Momentum(step_size=1e-3, momentum=0.9), n_iter=20_000,
                         seed=0, starts=8, step_rule=dl.Armijo(initial=2.0),
                         tol=dl.Tolerance(fun=1e-8), record="none")  # fmt: skip
    assert np.all(result.status == "converged")


def test_polyak_reaches_1e_10_without_tuning():
    for step_size in (1e-6, 1.0, 1e3):  # the optimizer's own step does not matter
        result = dl.minimize(QUADRATIC, dl.GradientDescent(step_size=step_size), n_iter=5000,
                             seed=0, starts=4, step_rule=dl.Polyak(),
                             tol=dl.Tolerance(fun=1e-10))  # fmt: skip
        assert np.all(result.status == "converged"), result.fun


def test_polyak_cap_and_barzilai_borwein():
    capped = recorded(QUADRATIC, dl.GradientDescent(), dl.Polyak(cap=1e-3), 20, seed=0)
    assert np.nanmax(capped.path_step) <= 1e-3 * (1 + 1e-12)
    for formula in ("long", "short"):
        rule = dl.BarzilaiBorwein(formula)
        result = dl.minimize(QUADRATIC, dl.GradientDescent(step_size=1e-3), n_iter=2000, seed=0,
                             step_rule=rule, tol=dl.Tolerance(fun=1e-10))  # fmt: skip
        assert result.status == "converged" and result.nit < 300


def test_finished_starts_stop_evaluating():
    sizes = []

    def f(x):
        sizes.append(int(np.prod(np.shape(x)[:-1])))
        return np.sum(x**2, axis=-1)

    problem = dl.Problem(f, lambda x: 2 * x, bounds=[[-2, 2]] * 2, minimum=0.0, vectorized=True)
    x0 = np.array([[0.0, 0.0], [1.5, -1.0]])  # the first is at the minimum already
    dl.minimize(problem, dl.GradientDescent(step_size=10.0), n_iter=5, x0=x0,
                step_rule=dl.Armijo(), tol=dl.Tolerance(fun=1e-12))  # fmt: skip
    trial_sizes = [n for n in sizes if n != 2]
    assert trial_sizes and set(trial_sizes) == {1}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: dl.Wolfe(c1=0.5, c2=0.4), r"c2 must be in \(c1, 1\)"),
        (lambda: dl.Armijo(c1=1.5), r"c1 must be in \(0, 1\)"),
        (lambda: dl.Armijo(c1=0.0), r"c1 must be in \(0, 1\)"),
        (lambda: dl.Armijo(shrink=1.0), r"shrink must be in \(0, 1\)"),
        (lambda: dl.BarzilaiBorwein("medium"), "formula must be one of"),
    ],
)
def test_bad_constants(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_rules_refuse_what_they_cannot_do():
    own = dl.Problem(lambda x: np.sum(x**2, -1), lambda x: 2 * x, bounds=[[-1, 1]])
    with pytest.raises(ValueError, match="needs the problem's known minimum"):
        dl.minimize(own, dl.GradientDescent(), n_iter=3, seed=0, step_rule=dl.Polyak())
    with pytest.raises(ValueError, match="step size for gradient descent"):
        dl.minimize(QUADRATIC, dl.Momentum(), n_iter=3, seed=0, step_rule=dl.BarzilaiBorwein())
    with pytest.raises(TypeError, match="not a step along one direction"):
        dl.minimize(QUADRATIC, dl.Adam(), n_iter=3, seed=0, step_rule=dl.Armijo())
    with pytest.raises(ValueError, match="needs the exact gradient"):
        dl.minimize(QUADRATIC, dl.GradientDescent(), n_iter=3, seed=0, step_rule=dl.Armijo(),
                    noise=dl.GradientNoise(0.1))  # fmt: skip


def test_cli_step_rules(capsys, tmp_path):
    picture, record = tmp_path / "run.png", tmp_path / "run.json"
    code = main(["run", "gd", "-f", "rosenbrock", "--seed", "0", "--n-iter", "300", "-q",
                 "--step-rule", "wolfe", "--plot", str(picture), "--json", str(record),
                 "--save-path"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert picture.stat().st_size > 20_000
    from descentlab.results import records

    saved = records.load(record).result
    assert saved.path_step.shape == saved.path_fun.shape and np.isnan(saved.path_step[0])
    for args, message in [
        (["--step-rule", "wolfe", "--c1", "0.5", "--c2", "0.4"], "c2 must be in (c1, 1)"),
        (["--step-rule", "armijo", "--c1", "2"], "c1 must be in (0, 1)"),
        (
            ["--step-rule", "polyak", "--expr", "x**2", "--bounds", "-1,1"],
            "needs the problem's known minimum",
        ),
    ]:
        base = ["run", "gd", "-q", "--n-iter", "5"]
        base += [] if "--expr" in args else ["-f", "sphere"]
        assert main([*base, *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize("formula", ["long", "short"])
def test_barzilai_borwein_cap_holds_for_the_fallback_steps_too(formula):
    """The finding: the first step and those with s.y <= 0 took the optimizer's own step,
    uncapped, so --max-step 1e-300 diverged."""
    tiny = recorded(QUADRATIC, dl.GradientDescent(step_size=0.5), dl.BarzilaiBorwein(formula,
                    cap=1e-300), 20, seed=0)  # fmt: skip
    assert tiny.status == "max_iter"
    assert np.nanmax(tiny.path_step) <= 1e-300
    capped = recorded(QUADRATIC, dl.GradientDescent(step_size=0.5),
                      dl.BarzilaiBorwein(formula, cap=1e-3), 30, seed=0)  # fmt: skip
    assert np.nanmax(capped.path_step) <= 1e-3 * (1 + 1e-12)
    assert capped.path_step[1] == pytest.approx(1e-3)  # the first step: capped, not 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--c1", "0.01"],
            "--c1 applies only with --step-rule armijo or --step-rule wolfe, not no step rule",
        ),
        (["--step-rule", "armijo", "--c2", "0.5"], "--c2 applies only with --step-rule wolfe"),
        (["--step-rule", "wolfe", "--shrink", "0.3"], "--shrink applies only with"),
        (["--step-rule", "polyak", "--initial-step", "2"], "--initial-step applies only with"),
        (["--step-rule", "armijo", "--max-step", "1"], "--max-step applies only with"),
        (["--max-step", "1"], "not no step rule"),
    ],
)
def test_step_rule_constants_without_their_rule_are_refused(capsys, args, message):
    code = main(["run", "gd", "-f", "rosenbrock", "--seed", "0", "--n-iter", "3", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_cli_bb_with_a_tiny_cap_does_not_diverge(capsys):
    code = main(["run", "gd", "-f", "rosenbrock", "--seed", "0", "--n-iter", "50", "-q",
                 "--step-rule", "bb-long", "--max-step", "1e-300"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "max_iter" in out and "diverged" not in out
