"""The front door: ``minimize(problem, optimizer, ...) -> Result``.

It checks and normalizes the arguments, makes sure the problem's functions are safe on a batch,
refuses runs that would not fit in memory, and hands the starting points to the engine: the
NumPy engine's loop (:mod:`descentlab.engines.numpy_engine.loop`) or the JAX engine's compiled
program (:mod:`descentlab.engines.jax_engine`).
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from descentlab import engines, memory
from descentlab._lazy import isinstance_loaded
from descentlab.engines import check_dtype, resolve
from descentlab.engines.draws import check_draws
from descentlab.engines.numpy_engine.allocator import reuse_freed_memory
from descentlab.engines.numpy_engine.evaluation import build_evaluator
from descentlab.engines.numpy_engine.loop import Interrupted, IterationInfo, Loop, Stopping
from descentlab.engines.recorder import Recorder
from descentlab.optimizers import Optimizer, get_optimizer
from descentlab.problems.problem import Problem
from descentlab.problems.starts import check_starts, initial_points
from descentlab.results.result import Result
from descentlab.results.resume import resumed_state

if TYPE_CHECKING:  # imported by the runs that use them
    from descentlab.optimizers.step_rules import StepRule
    from descentlab.problems.stochastic import GradientNoise

__all__ = ["Callback", "Interrupted", "IterationInfo", "Tolerance", "minimize"]


@dataclass(frozen=True)
class Tolerance:
    """Stopping tolerances; a start converges when any given one is met.

    grad : stop when the gradient norm ``||g(x)||`` is at most this.
    fun : stop when ``f(x) - f*`` is at most this (needs the problem's known ``minimum``).
    """

    grad: float | None = None
    fun: float | None = None

    def __post_init__(self) -> None:
        for name in ("grad", "fun"):
            value = getattr(self, name)
            if value is not None and not (
                isinstance(value, numbers.Real)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            ):
                raise ValueError(f"tol.{name} must be a finite number >= 0, not {value!r}")


#: A callback returns something true (``True``, ``np.True_``, 1) to stop the run; None or
#: anything false lets it go on.
Callback = Callable[[IterationInfo], object]


def minimize(
    problem: Problem | Callable,
    optimizer: Optimizer | str,
    *,
    n_iter: int,
    x0: object = None,
    seed: object = None,
    starts: int | None = None,
    tol: Tolerance | float | None = None,
    callback: Callback | None = None,
    record: int | str | None = "all",
    record_starts: object = None,
    record_limit: int = memory.DEFAULT_RECORD_LIMIT,
    raise_errors: bool = False,
    verbose: bool = False,
    noise: GradientNoise | None = None,
    batch_size: int | None = None,
    project: bool = False,
    first_stream: int = 0,
    resume: Result | None = None,
    step_rule: StepRule | None = None,
    engine: str | None = None,
    dtype: str | None = None,
) -> Result:
    """Minimize ``problem`` with ``optimizer`` from one start or a batch of starts.

    Parameters
    ----------
    problem : Problem or callable
        The objective, its gradient and its bounds. A plain function ``f(x)`` is taken as
        ``Problem(f)`` (finite-difference gradient; give ``x0``).
    optimizer : Optimizer or str
        Any optimizer of :mod:`descentlab.optimizers`, or its registered name (``"adam"``) for
        its default hyperparameters.
    n_iter : int
        The largest number of updates.
    x0 : array-like of shape (d,) or (..., d), optional
        Starting point(s). Without it, starts are drawn uniformly in the bounds from
        ``numpy.random.RandomState(seed)``: ``lo + rand(d) * (hi - lo)``, the tutorials' start.
    seed : int, None or numpy.random.RandomState
        The random stream for the starts.
    starts : int, optional
        Draw this many starts, shape ``(starts, d)``, from the one stream.
    tol : Tolerance or float, optional
        Stop a start once its gradient norm, or its gap ``f - f*``, is small enough. A number
        is a gradient tolerance: ``tol=1e-6`` is ``Tolerance(grad=1e-6)``.
    callback : callable, optional
        Called as ``callback(info)`` with an :class:`IterationInfo` after every update;
        returning something true stops the run (the starts still moving get status ``stopped``).
    record : "all", int k, "none" or None
        Record the path at every iteration, at every k-th iteration, or not at all. The start
        and the final iteration are always among the recorded ones when recording is on.
    record_starts : array-like of int, optional
        Record the paths of only these starts (flat indices into the batch).
    record_limit : int
        The most bytes the recorded path may take; a run whose recording would take more is
        refused before it starts, with the estimate (default 1 GiB).
    raise_errors : bool
        When the objective, gradient or callback raises, re-raise its exception. By default
        the run ends with status ``error``, a message naming the exception and the iteration,
        and the path so far.
    verbose : bool
        Print the tutorials' trace (``>i f(x) = value``, then ``Done!``) to standard output.
    noise : GradientNoise, optional
        Perturb every gradient the optimizer sees. Each start draws from its own stream derived
        from ``seed`` (an int, required), so a start sees the same noise alone or in a batch.
        A gradient tolerance is refused with noise (a noisy norm would stop a start by luck);
        ``grad_norm`` and ``path_grad_norm`` are the norms of the gradients the optimizer saw.
    batch_size : int, optional
        For a finite sum (:class:`~descentlab.problems.stochastic.finite_sum.FiniteSum`): the
        gradient at each iteration is the mean over a minibatch of this many examples, in an
        order each start draws per epoch from its stream (``seed`` required). Without it, the
        full gradient.
    project : bool
        Keep every iterate in the problem's bounds by clipping it after each step (projected
        gradient descent). Clipping is the Euclidean projection on a box, and also the
        projection in any diagonal metric such as AMSGrad's ``sqrt(vhat)``: the box's
        coordinates are independent, so each is clipped alone whatever its weight. A gradient
        tolerance is then on the projected gradient ``x - clip(x - g, lo, hi)``, which
        vanishes at a minimum on the box's edge.
    first_stream : int
        The stream of the first start: rerun start ``i`` of a noisy batch alone with
        ``x0=<its start>, first_stream=i``.
    resume : Result, optional
        Continue this earlier run (of the same optimizer and dimension) from its final points
        and its optimizer's state: ``n_iter`` more updates, which give the points an
        uninterrupted run would have reached, bit for bit. Not with ``x0``, ``starts``, noise,
        minibatches or an online problem, whose streams follow the iteration number.
    step_rule : StepRule, optional
        Choose each step from the problem: :class:`~descentlab.optimizers.step_rules.Armijo`
        or :class:`~descentlab.optimizers.step_rules.Wolfe` line searches along the
        optimizer's update (gd, momentum), :class:`~descentlab.optimizers.step_rules.Polyak` or
        :class:`~descentlab.optimizers.step_rules.BarzilaiBorwein` steps (gd). Exact gradients
        only.
    engine : "numpy", "jax" or None
        Where the run executes; None is the default engine (NumPy, or the one
        :func:`descentlab.engines.using` chose). ``"numpy"`` steps in Python over NumPy arrays and
        runs everything above. ``"jax"`` compiles the whole run into one program (needs
        ``descentlab[jax]``; see :mod:`descentlab.engines.jax_engine`): much faster for many
        starts or settings and for repeated runs, after a first call that compiles; noise,
        minibatches, online problems and step rules draw and search as on NumPy; no
        callbacks.
    dtype : "float64" or "float32", optional
        The JAX engine computes in float64 by default (equal to the NumPy engine to rounding);
        float32 is faster and not bit-equal. The NumPy engine computes in float64.

    Returns
    -------
    Result
        Per start: the final point ``x``, its value ``fun`` and gradient norm ``grad_norm``,
        the iterations ``nit``, the ``status`` (converged, max_iter, diverged, stopped, error)
        and a ``message`` saying why; for the run: the recorded ``path``, ``path_fun``,
        ``path_grad_norm`` and ``path_iter`` (None when nothing is recorded), the calls
        ``nfev`` and ``njev``, the seconds ``time`` and the optimizer's ``state`` (to continue
        the run with ``resume=``). See :class:`~descentlab.results.result.Result`.

    Raises
    ------
    Interrupted
        On Ctrl-C (a ``KeyboardInterrupt``); its ``result`` is the run up to there.
    """
    problem, optimizer, tol = _convenient_forms(problem, optimizer, tol)
    # the one thing the JAX engine does not do: a Python call at every step
    engine = resolve(
        engine, None if callback is None else "callbacks (a Python call at every step)"
    )
    dtype = check_dtype(dtype, engine)
    n_iter = _check_n_iter(n_iter)
    every = _check_record(record)
    if tol.fun is not None and problem.minimum is None:
        raise ValueError("tol.fun needs the problem's known minimum, and this problem has none")
    if resume is not None:
        x0 = _resumed_points(resume, x0, starts, noise, batch_size, problem)
    if x0 is None and problem.dim is not None:  # refused before the starts are drawn
        _check_memory(optimizer, (check_starts(starts) or 1, problem.dim), n_iter, None,
                      record_limit)  # fmt: skip
    x = initial_points(problem, x0, seed, starts)
    if problem.dim is None and x.shape[-1] < 1:
        raise ValueError("x0 must have at least one coordinate")
    batch_shape = x.shape[:-1]
    optimizer.check_batch(batch_shape)
    recorder = None if every is None else Recorder(every, record_starts, batch_shape)
    _check_memory(optimizer, x.shape, n_iter, recorder, record_limit)
    draws = check_draws(problem, tol, noise, batch_size, seed, first_stream)
    _check_step_rule(step_rule, optimizer, problem, noise, batch_size, resume)
    if engine == "jax":
        compiled = engines.load_jax_engine()
        try:
            return _run_compiled(problem, optimizer, x, n_iter, tol, recorder, project, resume,
                                 verbose, dtype, draws, step_rule)  # fmt: skip
        except compiled.FunctionRaised as raised:
            error = raised.error
            warnings.warn(f"the {raised.what} of {problem.name!r} raised {type(error).__name__} "
                          f"({error}) while JAX traced it: this run uses the NumPy engine, "
                          "which reports what the function does", engines.EngineFallbackWarning,
                          stacklevel=2)  # fmt: skip
    problem = problem.prepared_for(x)
    evaluator = build_evaluator(problem, batch_shape, draws)
    box = _projection_box(problem, project)
    reporter = _make_reporter(verbose)
    state = None if resume is None else resumed_state(resume, optimizer, x)
    stopping = Stopping(tol.grad, tol.fun, problem.minimum, box is not None)
    loop = Loop(problem, optimizer, x, n_iter, stopping,
                callback, recorder, reporter, raise_errors, evaluator, box, state,
                step_rule)  # fmt: skip

    began = time.perf_counter()
    try:
        with np.errstate(all="ignore"), reuse_freed_memory(x.nbytes):
            result = loop.execute()
    except Interrupted as interrupted:
        interrupted.result.time = time.perf_counter() - began
        raise
    result.time = time.perf_counter() - began
    if reporter is not None:
        reporter.finish(result)
    return result


def _run_compiled(problem, optimizer, x, n_iter, tol, recorder, project, resume, verbose,
                  dtype, draws, step_rule) -> Result:  # fmt: skip
    """The run on the JAX engine (what it cannot do was refused already)."""
    compiled = engines.load_jax_engine()
    box = _projection_box(problem, project)
    state = None if resume is None else resumed_state(resume, optimizer, x)
    stopping = Stopping(tol.grad, tol.fun, problem.minimum, box is not None)
    reporter = _make_reporter(verbose)
    began = time.perf_counter()
    result = compiled.run(problem, optimizer, x, n_iter, stopping, recorder, box, state, dtype,
                          reporter, draws, step_rule)  # fmt: skip
    result.time = time.perf_counter() - began
    if reporter is not None:
        reporter.finish(result)
    return result


def _convenient_forms(problem, optimizer, tol) -> tuple[Problem, Optimizer, Tolerance]:
    """Accept ``"adam"`` for ``get_optimizer("adam")``, a function for ``Problem(f)`` and a
    number for ``Tolerance(grad=...)``; refuse anything else with what is expected."""
    if isinstance(optimizer, str):
        optimizer = get_optimizer(optimizer)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a descentlab optimizer (dl.Adam(...)) or its name ('adam'), "
            f"not {type(optimizer).__name__}"
        )
    if not isinstance(problem, Problem):
        if not callable(problem):
            raise TypeError(
                f"problem must be a dl.Problem or a function f(x), not {type(problem).__name__}"
            )
        problem = Problem(problem, name=getattr(problem, "__name__", "problem"))
    if tol is None:
        tol = Tolerance()
    elif isinstance(tol, numbers.Real) and not isinstance(tol, bool):
        tol = Tolerance(grad=tol)
    elif not isinstance(tol, Tolerance):
        raise TypeError(
            f"tol must be a dl.Tolerance(grad=..., fun=...), a number (a gradient tolerance) "
            f"or None, not {tol!r}"
        )
    return problem, optimizer, tol


def _check_step_rule(rule, optimizer: Optimizer, problem: Problem, noise, batch_size,
                     resume) -> None:  # fmt: skip
    if rule is None:
        return
    if not isinstance_loaded(rule, "descentlab.optimizers.step_rules", "StepRule"):
        raise TypeError(f"step_rule must be dl.Armijo(), dl.Wolfe(), dl.Polyak() or "
                        f"dl.BarzilaiBorwein(), not {rule!r}")  # fmt: skip
    name = type(rule).__name__
    if rule.needs_minimum and problem.minimum is None:
        raise ValueError(f"{name}'s step needs the problem's known minimum f*, and "
                         f"{problem.name!r} has none")  # fmt: skip
    if rule.gradient_descent_only and optimizer.name != "gd":
        raise ValueError(f"{name}'s step is a step size for gradient descent (gd), not for "
                         f"{optimizer.name}")  # fmt: skip
    if type(optimizer).scale_update is Optimizer.scale_update:
        optimizer.scale_update(None, None)  # raises, saying which optimizers can
    if noise is not None or batch_size is not None:
        raise ValueError(f"{name} needs the exact gradient and values: drop noise and batch_size")
    if resume is not None and rule.initial_memory(1, 1):
        raise ValueError(f"resume: {name}'s step remembers the previous point and gradient, which "
                         "a run does not keep, so a continued run would not be the same: run it "
                         "again with a larger n_iter")  # fmt: skip


def _resumed_points(resume, x0, starts, noise, batch_size, problem) -> np.ndarray:
    """The final points of the run to continue, after refusing what cannot continue exactly."""
    if not isinstance(resume, Result):
        raise TypeError(f"resume must be the Result of an earlier run, not {resume!r}")
    if x0 is not None or starts is not None:
        raise ValueError("resume continues from the run's own final points: drop x0 and starts")
    from descentlab.problems.stochastic.online import OnlineProblem

    if noise is not None or batch_size is not None or isinstance(problem, OnlineProblem):
        raise ValueError(
            "resume continues deterministic runs only: noise, minibatches and online problems "
            "draw by iteration number"
        )
    x = np.array(resume.x, dtype=float)
    if problem.dim is not None and x.shape[-1] != problem.dim:
        raise ValueError(f"resume: the run has {x.shape[-1]} coordinates, the problem "
                         f"{problem.dim}")  # fmt: skip
    return x


def _projection_box(problem: Problem, project: object) -> np.ndarray | None:
    if not isinstance(project, bool | np.bool_):
        raise TypeError(f"project must be True or False, not {project!r}")
    if not project:
        return None
    if problem.bounds is None:
        raise ValueError("project=True needs a problem with bounds to project on")
    return problem.bounds.T.copy()


def _check_memory(optimizer, shape: tuple[int, ...], n_iter, recorder, record_limit) -> None:
    """Refuse a run whose recording or arrays (points of ``shape``) would not fit."""
    if isinstance(record_limit, bool) or not isinstance(record_limit, numbers.Integral):
        raise TypeError(f"record_limit must be a whole number of bytes, not {record_limit!r}")
    n, d = math.prod(shape[:-1]), shape[-1]
    if recorder is not None:
        rows = n_iter // recorder.every + 1 + (n_iter % recorder.every != 0)
        memory.check_recording(rows, recorder.n_starts, d, int(record_limit))
    state = optimizer.init(np.zeros(d))
    memory.check_working_memory(n, d, len(state) - 1)


def _check_n_iter(n_iter: object) -> int:
    if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
        raise ValueError(f"n_iter must be a whole number >= 1, not {n_iter!r}")
    return int(n_iter)


def _check_record(record: object) -> int | None:
    if record is None or record == "none":
        return None
    if record == "all":
        return 1
    if isinstance(record, numbers.Integral) and not isinstance(record, bool) and record >= 1:
        return int(record)
    raise ValueError(f"record must be 'all', 'none', None or a whole number >= 1, not {record!r}")


def _make_reporter(verbose: bool):
    if not verbose:
        return None
    from descentlab.results.trace import TutorialTrace

    return TutorialTrace()
