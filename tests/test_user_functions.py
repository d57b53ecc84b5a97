"""The user's own functions: expressions, callables by reference, autodiff, gradient checks."""

import sys
import textwrap

import jax.numpy as jnp
import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.engines.gradient_check import check_gradient
from descentlab.problems.expressions import parse_expression, problem_from_expression
from descentlab.problems.loading import load_callable
from descentlab.results.multistart import summarize

ROSEN = dl.get_function("rosenbrock", dim=3)
POINTS = np.random.RandomState(0).uniform(-2, 2, size=(25, 3))


# --- expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "f", "grad"),
    [
        ("x**2 + 10*y**2", lambda x, y: x**2 + 10 * y**2, lambda x, y: [2 * x, 20 * y]),
        (
            "sin(x) * exp(-y) + sqrt(x**2 + 1)",
            lambda x, y: np.sin(x) * np.exp(-y) + np.sqrt(x**2 + 1),
            lambda x, y: [np.cos(x) * np.exp(-y) + x / np.sqrt(x**2 + 1), -np.sin(x) * np.exp(-y)],
        ),
        (
            "log(1 + x**2) - tanh(y) / 2 + pi*e",
            lambda x, y: np.log(1 + x**2) - np.tanh(y) / 2 + np.pi * np.e,
            lambda x, y: [2 * x / (1 + x**2), -0.5 / np.cosh(y) ** 2],
        ),
    ],
)
def test_expression_values_and_exact_gradients(text, f, grad):
    parsed = parse_expression(text)
    pts = POINTS[:, :2]
    np.testing.assert_allclose(parsed.f(pts), f(pts[:, 0], pts[:, 1]), rtol=1e-14)
    expected = np.stack(grad(pts[:, 0], pts[:, 1]), axis=-1)
    np.testing.assert_allclose(parsed.grad(pts), expected, rtol=1e-13, atol=1e-15)


def test_expression_dimension_and_variable_styles():
    assert parse_expression("y**2").dim == 2  # x is there, with zero derivative
    parsed = parse_expression("x3**2 + x1")
    assert parsed.dim == 3
    np.testing.assert_array_equal(parsed.grad(np.array([1.0, 5.0, 2.0])), [1.0, 0.0, 4.0])
    # A constant expression still maps (..., d) -> (...).
    assert parse_expression("2 + 3").f(np.zeros((4, 1))).shape == (4,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "unknown name '__import__'"),
        ("x.real", "Attribute is not allowed"),
        ("(lambda: 1)()", "calling 'lambda: 1' is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("open('f')", "unknown name 'open'"),
        ("9**9**9", "the exponent 387420489 (larger than 100) is not allowed"),
        ("x**1000", "the exponent 1000"),
        ("x^2", "write powers as **"),
        ("x +", "does not parse"),
        ("x1 + y", "mixes x, y, z with x1, x2"),
        ("sin(x, y)", "sin with other than one argument"),
        ("sin", "the function 'sin' used as a value"),
        ("[x, y]", "List is not allowed"),
        ("x if y else 1", "IfExp is not allowed"),
        ("1e999 * x", "the number inf"),
        ("x" + " + x" * 1000, "at most 2000 characters"),
    ],
)
def test_expressions_outside_the_allow_list_are_refused(text, message):
    with pytest.raises(ValueError) as error:
        parse_expression(text)
    assert message in str(error.value)


def test_expression_problem_checks_bounds_against_variables():
    with pytest.raises(ValueError, match="bounds must have 2 pairs for the 2 variables"):
        problem_from_expression("x + y", bounds=[[-1, 1]] * 3)


# --- gradients given, checked, or computed -------------------------------------------------


def test_check_gradient_catches_a_wrong_derivative():
    right = dl.Problem(ROSEN.f, ROSEN.grad, bounds=ROSEN.bounds)
    off_by_one_percent = np.array([1.0, 1.0, 1.01])
    wrong = dl.Problem(ROSEN.f, lambda x: ROSEN.grad(x) * off_by_one_percent, bounds=ROSEN.bounds)
    assert check_gradient(right).ok
    check = check_gradient(wrong)
    assert not check.ok and check.max_error > 1e-3
    assert "DISAGREES" in check.summary()


def test_check_gradient_rejects_a_wrong_shape():
    bad = dl.Problem(ROSEN.f, lambda x: x[..., :2], bounds=ROSEN.bounds)
    with pytest.raises(ValueError, match="the gradient must return the shape of its input"):
        check_gradient(bad)


def rosen_torch(x):
    return (100 * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1 - x[..., :-1]) ** 2).sum(-1)


def rosen_jax(x):
    return jnp.sum(100 * (x[..., 1:] - x[..., :-1] ** 2) ** 2 + (1 - x[..., :-1]) ** 2, axis=-1)


@pytest.mark.parametrize(("method", "f"), [("torch", rosen_torch), ("jax", rosen_jax)])
def test_automatic_differentiation_equals_the_analytic_gradient(method, f):
    problem = dl.Problem(f, grad=method, bounds=ROSEN.bounds)
    assert problem.has_exact_gradient
    np.testing.assert_allclose(problem.gradient(POINTS), ROSEN.grad(POINTS), rtol=1e-13)
    np.testing.assert_allclose(problem.gradient(POINTS[0]), ROSEN.grad(POINTS[0]), rtol=1e-13)


def test_torch_gradient_runs_in_minimize():
    problem = dl.Problem(rosen_torch, grad="torch", bounds=ROSEN.bounds)
    ours = dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=50, seed=0, starts=4)
    exact = dl.minimize(ROSEN, dl.Adam(alpha=0.01), n_iter=50, seed=0, starts=4)
    np.testing.assert_allclose(ours.x, exact.x, rtol=1e-12)


def test_unknown_gradient_method():
    with pytest.raises(ValueError, match="grad must be a callable or one of 'finite-difference'"):
        dl.Problem(rosen_torch, grad="autograd")


# --- callables by reference ----------------------------------------------------------------


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "mine.py").write_text(
        textwrap.dedent(
            """
            import numpy as np
            def quartic(x): return np.sum(x**4, axis=-1)
            def quartic_grad(x): return 4 * x**3
            def wrong_grad(x): return 3 * x**3
            def flat(x): return x  # wrong shape: (..., d) instead of (...)
            NOT_CALLABLE = 3
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    return "mine"


def test_load_callable(user_module):
    assert load_callable("mine:quartic")(np.array([1.0, 2.0])) == 17.0
    with pytest.raises(ValueError, match=r"must be given as package\.module:callable"):
        load_callable("mine.quartic")
    with pytest.raises(ValueError, match="cannot import 'nosuchmodule'"):
        load_callable("nosuchmodule:f")
    with pytest.raises(ValueError, match="'mine' has no 'nothing'"):
        load_callable("mine:nothing")
    with pytest.raises(ValueError, match="is not callable"):
        load_callable("mine:NOT_CALLABLE")


def run_cli(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_runs_a_user_function_with_its_gradient(capsys, user_module):
    code, out, _ = run_cli(
        capsys, "run", "gd", "-f", "mine:quartic", "--grad", "mine:quartic_grad",
        "--bounds", "-1,1", "-1,1", "--seed", "2", "--quiet",
    )  # fmt: skip
    assert code == 0 and "gd on mine:quartic (d=2, seed 2): max_iter" in out


def test_cli_check_grad(capsys, user_module):
    args = ["check-grad", "-f", "mine:quartic", "--bounds", "-1,1", "--dim", "3"]
    code, out, _ = run_cli(capsys, *args, "--grad", "mine:quartic_grad")
    assert code == 0 and "agrees with central differences at 20 points" in out
    code, out, _ = run_cli(capsys, *args, "--grad", "mine:wrong_grad")
    assert code == 1 and "DISAGREES" in out
    code, out, _ = run_cli(capsys, "check-grad", "-f", "levy", "--dim", "4", "--points", "50")
    assert code == 0 and "at 50 points" in out


def test_cli_expression_run(capsys):
    code, out, _ = run_cli(
        capsys, "run", "momentum", "--expr", "x**2 + 10*y**2", "--bounds", "-2,2", "-2,2",
        "--seed", "1", "--step-size", "0.05", "--n-iter", "200", "--quiet",
    )  # fmt: skip
    assert code == 0 and "momentum on x**2 + 10*y**2 (d=2, seed 1)" in out
    assert float(out.split("f = ")[1].split(",")[0]) < 1e-6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expr", "x.__class__", "--bounds", "-1,1"], "Attribute is not allowed"),
        (["--expr", "x+y", "--bounds", "-1,1", "-1,1", "-1,1"], "give one LO,HI pair for all"),
        (["-f", "sphere", "--expr", "x"], "give exactly one of --function and --expr"),
        (["-f", "mine:flat", "--bounds", "-1,1", "-1,1"], "the objective must map points of shape"),
        (["-f", "mine:quartic", "--bounds", "-1,1"], "needs --dim, one --bounds pair per"),
        (["-f", "mine:NOT_CALLABLE", "--bounds", "-1,1"], "is not callable"),
        (["-f", "mine:quartic"], "needs --dim, one --bounds pair per dimension, or --x0"),
        (["-f", "sphere", "--grad", "torch"], "--grad applies only to"),
        (["-f", "quadratic", "--param", "kappa"], "expected NAME=VALUE"),
        (["-f", "quadratic", "--param", "kappa=big"], "expected a number or none"),
    ],
)
def test_cli_bad_user_input_is_one_line(capsys, user_module, args, message):
    code, out, err = run_cli(capsys, "run", "gd", *args, "--seed", "0")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("descentlab: error: ")
    assert message in err


def test_cli_wrong_shape_gradient(capsys, user_module, tmp_path):
    (tmp_path / "shapes.py").write_text("def g(x): return x[..., :1]\n")
    code, _, err = run_cli(
        capsys, "run", "gd", "-f", "mine:quartic", "--grad", "shapes:g", "--bounds", "-1,1",
        "-1,1", "--seed", "0",
    )  # fmt: skip
    assert code == 2 and "the gradient must return the shape of its input" in err


# --- many starts ---------------------------------------------------------------------------


def test_multistart_finds_all_four_himmelblau_minima():
    problem = dl.get_function("himmelblau")
    result = dl.minimize(
        problem, dl.Adam(alpha=0.05), n_iter=3000, seed=0, starts=400, record="none",
        tol=dl.Tolerance(grad=1e-8),
    )  # fmt: skip
    summary = summarize(result, problem)
    assert summary.status_counts == {"converged": 400}
    assert summary.lines()[1] == "4 distinct minima found:"
    assert sorted(m.known for m in summary.minima) == [0, 1, 2, 3]
    assert sum(m.count for m in summary.minima) == 400
    assert all(m.count > 50 for m in summary.minima)


def test_multistart_counts_diverged_and_lists_unknown_minima():
    problem = dl.get_function("rastrigin", dim=1)
    result = dl.minimize(problem, dl.GradientDescent(0.01), n_iter=500, seed=1, starts=200)
    summary = summarize(result, problem)
    assert len(summary.minima) > 3  # local minima of Rastrigin
    assert "groups of final points (200 starts had not converged" in summary.lines()[1]
    assert [m.known for m in summary.minima].count(None) == len(summary.minima) - (
        summary.minima[0].known == 0
    )
    diverging = dl.minimize(problem, dl.GradientDescent(5.0), n_iter=200, seed=1, starts=10)
    assert summarize(diverging, problem).status_counts.get("diverged", 0) > 0


def test_recording_a_subset_of_starts_keeps_only_those_paths():
    result = dl.minimize(ROSEN, dl.Adam(alpha=0.01), n_iter=20, seed=0, starts=1000,
                         record=5, record_starts=[3, 999])  # fmt: skip
    assert result.path.shape == (5, 2, 3)
    full = dl.minimize(ROSEN, dl.Adam(alpha=0.01), n_iter=20, seed=0, starts=1000)
    np.testing.assert_array_equal(result.path[-1], full.path[-1][[3, 999]])


def test_batch_equals_starts_one_at_a_time_on_rosenbrock():
    batch = dl.minimize(ROSEN, dl.AMSGradPyTorch(alpha=0.02), n_iter=100, seed=5, starts=6)
    for i in range(6):
        alone = dl.minimize(ROSEN, dl.AMSGradPyTorch(alpha=0.02), n_iter=100, x0=batch.path[0][i])
        np.testing.assert_array_equal(alone.x, batch.x[i])


def test_autodiff_without_the_library_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    with pytest.raises(
        ImportError, match=r"needs torch installed \(pip install 'descentlab\[torch\]'\)"
    ):
        dl.Problem(rosen_torch, grad="torch")
