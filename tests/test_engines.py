"""The JAX engine against the NumPy engine: the same steps, the same runs, the same statuses.

Equal to rounding, not bit for bit: XLA evaluates powers, square roots and sums in its own
order. Some paths amplify rounding on the NumPy engine alone (measured here by nudging the start
by one part in 10**15); those are compared step by step up to where the nudge itself shows,
and by their statuses.
"""

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import descentlab as dl  # noqa: E402
from descentlab import OPTIMIZERS, get_optimizer  # noqa: E402
from descentlab.engines import jax_engine  # noqa: E402
from descentlab.engines.jax_engine.setup import register  # noqa: E402
from descentlab.problems.expressions import problem_from_expression  # noqa: E402
from descentlab.schedules import (  # noqa: E402
    CosineDecay,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Join,
    LinearDecay,
    OneCycle,
    PiecewiseConstant,
    StepDecay,
    Warmup,
)

STEP_RTOL = 1e-13
RUN_RTOL = 1e-10


def close(a, b, rtol, before=0.0):
    """Elementwise ``|a - b| <= rtol * max(|a|, |b|, |before|)``: relative to the largest of
    the values a step combines (``x`` and ``x - u`` for a new ``x``), so that a step that
    cancels most of a coordinate is held to the rounding of its terms. Exact zeros, infinities
    (a diverged start's value) and NaNs must agree exactly."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(a[~finite], b[~finite], equal_nan=True):
        return False
    a, b = a[finite], b[finite]
    before = np.broadcast_to(np.abs(np.asarray(before, dtype=float)), finite.shape)[finite]
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), before)
    return bool(np.all(np.abs(a - b) <= rtol * scale))


def relative_gap(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    return float(np.max(np.abs(a - b) / scale))


@pytest.fixture(scope="module")
def gradient_sequence():
    """Points and gradients an Adam run meets on Rosenbrock from 8 starts: large and small,
    of both signs, changing direction in the valley."""
    problem = dl.get_function("rosenbrock", dim=3)
    run = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=60, seed=4, starts=8)
    xs = run.path
    return xs[:-1], np.array([problem.grad(x) for x in xs[:-1]])


def _step_pairs(optimizer, xs, gs):
    """Each step from the NumPy engine's own state, taken by NumPy and by the compiled step,
    with the point and state it started from."""
    register(optimizer)
    compiled = jax.jit(lambda opt, x, g, s: opt.step(x, g, s))
    state = optimizer.init(xs[0])
    for x, g in zip(xs, gs, strict=True):
        expected = optimizer.step(x, g, state)
        got = compiled(optimizer, x, g, state)
        yield (x, state), expected, got
        state = expected[1]


#: Shampoo's inverse roots are as ill-conditioned as its statistics. From eps I (1e-6) plus the
#: outer product of a Rosenbrock gradient (~1e6), the small singular values carry an absolute
#: rounding of ~1e-10, 1e-4 of their size, and NumPy's LAPACK and XLA's solver differ there by
#: up to 1e-2 (both right to their precision). With eps = 1 the statistics' condition numbers
#: grow from ~1e6 to ~1e8 over the sequence, and the roots agree to a few 1e-9.
SETTINGS = {"shampoo": {"eps": 1.0}}
STEP_RTOLS = {"shampoo": 1e-7}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_compiled_step_equals_the_numpy_step(name, gradient_sequence):
    xs, gs = gradient_sequence
    rtol = STEP_RTOLS.get(name, STEP_RTOL)
    steps = _step_pairs(get_optimizer(name, **SETTINGS.get(name, {})), xs, gs)
    for (x, state), (x_np, state_np), (x_jax, state_jax) in steps:
        assert close(x_jax, x_np, rtol, x), relative_gap(x_jax, x_np)
        assert int(state_jax.count) == state_np.count
        leaves = zip(jax.tree.leaves(state_jax), jax.tree.leaves(state_np),
                     jax.tree.leaves(state), strict=True)  # fmt: skip
        for a, b, before in leaves:
            assert close(a, b, rtol, np.broadcast_to(before, np.shape(b))), relative_gap(a, b)


SCHEDULES = [
    ExponentialDecay(0.1, rate=0.99),
    InverseTimeDecay(0.1, rate=0.01),
    InverseSqrtDecay(0.1),
    StepDecay(0.1, rate=0.5, every=100),
    PiecewiseConstant(0.1, boundaries=(200, 500), scales=(0.5, 0.1)),
    LinearDecay(0.1, final=0.01, steps=600),
    CosineDecay(0.1, steps=700, final=0.001),
    OneCycle(0.1, steps=1000),
    Warmup(CosineDecay(0.1, steps=500), steps=100, start=0.001),
    Join((LinearDecay(0.1, 0.05, 300), CosineDecay(0.05, 300)), boundaries=(300,)),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_every_schedule_traced_equals_its_numpy_values(schedule):
    register(schedule)
    t = np.arange(1, 1001)
    traced = np.asarray(jax.jit(jax.vmap(lambda s, k: s(k), in_axes=(None, 0)))(schedule, t))
    expected = np.array([float(schedule(int(k))) for k in t])
    assert close(traced, expected, STEP_RTOL), relative_gap(traced, expected)


@pytest.mark.parametrize(
    "optimizer",
    [
        dl.Adam(alpha=CosineDecay(0.05, steps=80)),
        dl.GradientDescent(OneCycle(0.01, steps=100)),
        dl.Momentum(Warmup(StepDecay(0.01, 0.5, 20), steps=10), momentum=LinearDecay(0.9, 0.5, 50)),
    ],
    ids=["adam-cosine", "gd-one-cycle", "momentum-warmup-linear"],
)
def test_steps_with_schedules_equal(optimizer, gradient_sequence):
    xs, gs = gradient_sequence
    for (x, _), (x_np, _), (x_jax, _) in _step_pairs(optimizer, xs, gs):
        assert close(x_jax, x_np, STEP_RTOL, x), relative_gap(x_jax, x_np)


PROBLEMS = {
    "sphere": dl.get_function("sphere", dim=4),
    "rotated-quadratic": dl.get_function("quadratic", dim=6, kappa=1e3, rotation_seed=0),
    "rosenbrock": dl.get_function("rosenbrock", dim=2),
}
N_ITER = 400


def _sensitivity(problem, optimizer, x0) -> float:
    """How far the NumPy engine's final point moves when the start moves by 1e-15 (relative)."""
    plain = dl.minimize(problem, optimizer, n_iter=N_ITER, x0=x0, record="none")
    nudged = dl.minimize(problem, optimizer, n_iter=N_ITER, x0=x0 * (1 + 1e-15), record="none")
    return relative_gap(plain.x, nudged.x)


def _whole_run_cells():
    """Every optimizer on every problem under -m slow; in the default run each optimizer on
    one of them, taken in turn, so every problem and every optimizer is met there."""
    problems = list(PROBLEMS)
    for k, name in enumerate(OPTIMIZERS):
        for problem_name in problems:
            quick = problem_name == problems[k % len(problems)]
            marks = () if quick else pytest.mark.slow
            yield pytest.param(name, problem_name, marks=marks, id=f"{name}-{problem_name}")


@pytest.mark.parametrize(("name", "problem_name"), list(_whole_run_cells()))
def test_whole_runs_agree(name, problem_name):
    problem, optimizer = PROBLEMS[problem_name], get_optimizer(name)
    x0 = dl.uniform_starts(problem.bounds, 6, 3)
    ours = dl.minimize(problem, optimizer, n_iter=N_ITER, x0=x0)
    compiled = dl.minimize(problem, optimizer, n_iter=N_ITER, x0=x0, engine="jax")
    assert np.array_equal(compiled.status, ours.status)
    assert np.array_equal(compiled.nit, ours.nit)
    assert np.array_equal(compiled.message, ours.message)
    assert (compiled.nfev, compiled.njev) == (ours.nfev, ours.njev)
    assert np.array_equal(compiled.path_iter, ours.path_iter)
    sensitivity = _sensitivity(problem, optimizer, x0)
    if sensitivity <= 1e-12:  # rounding stays rounding along this path
        assert close(compiled.x, ours.x, RUN_RTOL), relative_gap(compiled.x, ours.x)
        assert close(compiled.fun, ours.fun, RUN_RTOL), relative_gap(compiled.fun, ours.fun)
        return
    # The path amplifies rounding: a nudge of 1e-15 moves the NumPy engine's own end by
    # `sensitivity`. The engines must agree step by step until the nudge itself shows.
    nudged = dl.minimize(problem, optimizer, n_iter=N_ITER, x0=x0 * (1 + 1e-15))
    gaps = [relative_gap(a, b) for a, b in zip(nudged.path, ours.path, strict=True)]
    departs = next((k for k, gap in enumerate(gaps) if gap > 1e-12), len(gaps))
    assert departs > 0
    for k in range(departs):
        assert close(compiled.path[k], ours.path[k], RUN_RTOL), (k, departs, sensitivity)


def test_some_paths_do_amplify_rounding():
    """The claim the test above leans on, measured: Adadelta on the kappa = 1e3 quadratic."""
    problem = PROBLEMS["rotated-quadratic"]
    x0 = dl.uniform_starts(problem.bounds, 6, 3)
    assert _sensitivity(problem, dl.Adadelta(), x0) > 1e-6
    assert _sensitivity(problem, dl.Adam(), x0) < 1e-12


MILD = dl.get_function("quadratic", dim=6, kappa=10.0, rotation_seed=1)


@pytest.mark.parametrize(
    "optimizer",
    [
        dl.GradientDescent(0.1),
        dl.Momentum(0.05, 0.8),
        dl.Adam(alpha=0.05),
        dl.AMSGrad(0.05),
        dl.Nesterov(0.05),
    ],
    ids=lambda o: o.name,
)
def test_tolerances_stop_at_the_same_iteration(optimizer):
    problem = MILD
    x0 = dl.uniform_starts(problem.bounds, 5, 1)
    for tol in (dl.Tolerance(grad=1e-2), dl.Tolerance(fun=1e-3)):
        ours = dl.minimize(problem, optimizer, n_iter=3000, x0=x0, tol=tol, record=50)
        compiled = dl.minimize(problem, optimizer, n_iter=3000, x0=x0, tol=tol, record=50,
                               engine="jax")  # fmt: skip
        assert (ours.status == "converged").any()
        assert np.array_equal(compiled.nit, ours.nit)
        assert np.array_equal(compiled.message, ours.message)
        assert np.array_equal(compiled.path_iter, ours.path_iter)
        assert close(compiled.path, ours.path, RUN_RTOL)


def test_many_starts_with_array_hyperparameters():
    problem = MILD
    n = 40
    x0 = dl.uniform_starts(problem.bounds, n, 7)
    rng = np.random.RandomState(0)
    optimizers = [
        dl.Momentum(step_size=rng.uniform(1e-3, 0.1, n), momentum=rng.uniform(0, 0.9, n)),
        dl.Adam(alpha=rng.uniform(1e-3, 0.1, n), beta1=rng.uniform(0.5, 0.95, n)),
        dl.AMSGrad(alpha=ExponentialDecay(rng.uniform(0.01, 0.1, n), rate=0.999)),
    ]
    for optimizer in optimizers:
        ours = dl.minimize(problem, optimizer, n_iter=300, x0=x0, tol=dl.Tolerance(fun=1e-6))
        compiled = dl.minimize(problem, optimizer, n_iter=300, x0=x0, tol=dl.Tolerance(fun=1e-6),
                               engine="jax")  # fmt: skip
        assert np.array_equal(compiled.nit, ours.nit)
        # relative to the starts' size: coordinates on their way to 0 lose relative digits
        assert close(compiled.x, ours.x, RUN_RTOL, x0), relative_gap(compiled.x, ours.x)
        # and each setting equals its own run alone
        alone = dl.minimize(problem, _row(optimizer, 3), n_iter=300, x0=x0[3],
                            tol=dl.Tolerance(fun=1e-6), engine="jax")  # fmt: skip
        assert close(alone.x, compiled.x[3], RUN_RTOL, x0[3])


def _row(optimizer, k):
    """The optimizer with row ``k`` of each array hyperparameter (schedules' too)."""
    return jax.tree_util.tree_map(
        lambda leaf: float(leaf[k]) if isinstance(leaf, np.ndarray) else leaf, optimizer
    )


def test_divergence_codes_read_as_the_numpy_engine_says():
    problem = dl.get_function("quadratic", dim=3, kappa=100)
    steps = np.array([0.001, 0.019, 0.05, 0.5, 3.0])  # 2/L = 0.02: the last three diverge
    x0 = np.tile([0.5, -0.3, 0.8], (5, 1))
    for record in ("all", "none"):  # "none" takes the quick road, "all" the tested one
        ours = dl.minimize(problem, dl.GradientDescent(steps), n_iter=2000, x0=x0, record=record)
        compiled = dl.minimize(problem, dl.GradientDescent(steps), n_iter=2000, x0=x0,
                               record=record, engine="jax")  # fmt: skip
        assert list(ours.status) == ["max_iter"] * 2 + ["diverged"] * 3
        assert np.array_equal(compiled.status, ours.status)
        assert np.array_equal(compiled.message, ours.message)
        assert np.array_equal(compiled.nit, ours.nit)
        assert np.array_equal(np.isfinite(compiled.x), np.isfinite(ours.x))
        assert close(compiled.x, ours.x, 1e-9)


def test_a_start_that_is_not_finite_at_the_start():
    problem = dl.Problem(lambda x: jax.numpy.log(x[..., 0]) + x[..., 1] ** 2, bounds=[(-1, 1)] * 2)
    x0 = np.array([[-1.0, 0.5], [0.5, 0.5]])
    compiled = dl.minimize(problem, dl.GradientDescent(0.01), n_iter=5, x0=x0, engine="jax")
    assert list(compiled.status) == ["diverged", "max_iter"]
    assert compiled.message[0] == "non-finite value at the start"
    assert compiled.nit.tolist() == [0, 5]


def test_projection_and_record_of_some_starts():
    problem = dl.get_function("rosenbrock", dim=2)
    x0 = dl.uniform_starts(problem.bounds, 10, 2)
    kwargs = dict(n_iter=300, x0=x0, project=True, record=7, record_starts=[1, 4, 9])
    ours = dl.minimize(problem, dl.Adam(alpha=0.3), **kwargs)
    compiled = dl.minimize(problem, dl.Adam(alpha=0.3), **kwargs, engine="jax")
    assert compiled.path.shape == ours.path.shape == (len(ours.path_iter), 3, 2)
    assert np.array_equal(compiled.path_iter, ours.path_iter)
    assert (np.abs(compiled.path) <= 2.048).all()
    assert close(compiled.path[:20], ours.path[:20], RUN_RTOL)
    assert close(compiled.path_grad_norm[:20], ours.path_grad_norm[:20], 1e-9)


def test_resume_continues_the_compiled_run():
    problem = PROBLEMS["rotated-quadratic"]
    x0 = dl.uniform_starts(problem.bounds, 4, 0)
    optimizer = dl.Nadam(alpha=0.02)
    whole = dl.minimize(problem, optimizer, n_iter=200, x0=x0, engine="jax")
    half = dl.minimize(problem, optimizer, n_iter=100, x0=x0, engine="jax")
    rest = dl.minimize(problem, optimizer, n_iter=100, resume=half, engine="jax")
    assert close(rest.x, whole.x, 1e-12)
    numpy_rest = dl.minimize(problem, optimizer, n_iter=100, resume=half)
    assert close(numpy_rest.x, whole.x, RUN_RTOL)


def test_a_second_call_does_not_compile_again():
    problem = dl.get_function("rosenbrock", dim=2)
    x0 = dl.uniform_starts(problem.bounds, 16, 0)
    dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=50, x0=x0, record="none", engine="jax")
    before = jax_engine.trace_count()
    for alpha, beta1, n_iter, seed in ((0.02, 0.8, 50, 1), (0.3, 0.5, 120, 2), (1e-4, 0.0, 7, 3)):
        again = dl.get_function("rosenbrock", dim=2)  # a new Problem of the same function
        x = dl.uniform_starts(again.bounds, 16, seed)
        dl.minimize(again, dl.Adam(alpha=alpha, beta1=beta1), n_iter=n_iter, x0=x,
                    record="none", engine="jax")  # fmt: skip
    assert jax_engine.trace_count() == before
    dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=50, x0=x0[:8], record="none", engine="jax")
    assert jax_engine.trace_count() == before + 1  # another shape is another program


def test_float32_runs_and_is_documented_as_not_equal():
    problem = PROBLEMS["rotated-quadratic"]
    x0 = dl.uniform_starts(problem.bounds, 8, 0)
    wide = dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=500, x0=x0, engine="jax")
    narrow = dl.minimize(problem, dl.Adam(alpha=0.01), n_iter=500, x0=x0, engine="jax",
                         dtype="float32")  # fmt: skip
    assert narrow.x.dtype == np.float32 and narrow.path.dtype == np.float32
    assert np.allclose(narrow.x, wide.x, atol=1e-3)
    assert not np.array_equal(narrow.x.astype(float), wide.x)
    with pytest.raises(ValueError, match="float32 needs engine='jax'"):
        dl.minimize(problem, dl.Adam(), n_iter=5, x0=x0, dtype="float32")


def test_user_functions_in_jax_numpy_and_expressions():
    jnp = jax.numpy

    def bowl(x):  # written for one point; vmap maps it
        return (x[0] - 1.0) ** 2 + 10.0 * jnp.sin(x[1]) ** 2

    problem = dl.Problem(bowl, bounds=[(-2, 2), (-1, 1)], vectorized=False)
    x0 = np.array([[0.3, 0.2], [-1.0, 0.5]])
    ours = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=200, x0=x0)
    compiled = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=200, x0=x0, engine="jax")
    assert close(compiled.x, ours.x, 1e-6)  # the NumPy engine differentiates numerically
    typed = problem_from_expression("x**2 + 10*sin(y)**2", bounds=[(-2, 2)] * 2)
    exact = dl.minimize(typed, dl.Adam(alpha=0.05), n_iter=200, x0=x0)
    traced = dl.minimize(typed, dl.Adam(alpha=0.05), n_iter=200, x0=x0, engine="jax")
    assert close(traced.x, exact.x, RUN_RTOL)


def test_what_jax_cannot_trace_is_refused_with_the_way_out():
    problem = dl.Problem(lambda x: np.sum(np.asarray(x) ** 2, axis=-1), bounds=[(-1, 1)] * 2)
    with pytest.raises(TypeError, match=r"cannot be traced by JAX.*engine='numpy'"):
        dl.minimize(problem, dl.Adam(), n_iter=5, seed=0, engine="jax")
    sphere = dl.get_function("sphere", dim=2)
    with pytest.raises(ValueError, match=r"engine='jax' does not run callbacks.*engine='numpy'"):
        dl.minimize(sphere, dl.Adam(), n_iter=5, seed=0, engine="jax", callback=lambda i: None)
    with pytest.raises(ValueError, match="engine must be one of 'numpy', 'jax', not 'torch'"):
        dl.minimize(sphere, dl.Adam(), n_iter=5, seed=0, engine="torch")


def test_a_function_that_raises_under_jax_ends_as_on_numpy():
    """The finding: a user function that raised was refused as 'cannot be traced' (exit 2)
    where the NumPy engine reports status error (exit 1)."""
    from descentlab.engines import EngineFallbackWarning

    def boom(x):
        raise ZeroDivisionError("no")

    problem = dl.Problem(boom, bounds=[(-1, 1)] * 2)
    with pytest.warns(EngineFallbackWarning, match=r"raised ZeroDivisionError \(no\) while JAX"):
        result = dl.minimize(problem, dl.Adam(), n_iter=5, seed=0, engine="jax")
    on_numpy = dl.minimize(problem, dl.Adam(), n_iter=5, seed=0)
    assert result.status == on_numpy.status == "error"
    assert result.message == on_numpy.message
    with pytest.warns(EngineFallbackWarning), pytest.raises(ZeroDivisionError):
        dl.minimize(problem, dl.Adam(), n_iter=5, seed=0, engine="jax", raise_errors=True)


def test_cli_a_function_that_raises_under_jax_exits_1(capsys, tmp_path, monkeypatch):
    from descentlab.cli import main

    (tmp_path / "boomfunc.py").write_text("def f(x):\n    raise ZeroDivisionError('no')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code = main(["run", "adam", "-f", "boomfunc:f", "--bounds", "-1,1", "-1,1", "--seed", "0",
                 "--engine", "jax", "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "the objective raised ZeroDivisionError: no at iteration 0" in err


def test_the_tutorial_trace_is_the_same(capsys):
    problem = dl.get_function("sphere", dim=2)
    optimizer = dl.AMSGrad(alpha=0.007, beta1=0.9, beta2=0.99)
    dl.minimize(problem, optimizer, n_iter=100, seed=1, verbose=True, record="none")
    ours = capsys.readouterr().out
    result = dl.minimize(problem, optimizer, n_iter=100, seed=1, verbose=True, record="none",
                         engine="jax")  # fmt: skip
    assert capsys.readouterr().out == ours
    assert result.path is None  # the record the trace needed is not handed out


@pytest.mark.parametrize(("record", "starts"), [(3, None), (4, [0, 2]), ("all", [1])])
def test_a_trace_hands_out_only_the_record_asked_for(capsys, record, starts):
    problem = dl.get_function("sphere", dim=2)
    kwargs = dict(n_iter=10, seed=0, starts=3, verbose=True, record=record, record_starts=starts)
    ours = dl.minimize(problem, dl.Adam(alpha=0.1), **kwargs)
    numpy_trace = capsys.readouterr().out
    compiled = dl.minimize(problem, dl.Adam(alpha=0.1), **kwargs, engine="jax")
    assert capsys.readouterr().out == numpy_trace
    assert compiled.path.shape == ours.path.shape
    assert np.array_equal(compiled.path_iter, ours.path_iter)
    assert close(compiled.path_fun, ours.path_fun, RUN_RTOL)
