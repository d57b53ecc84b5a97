"""The front door: ``minimize(problem, optimizer, ...) -> Result``.

It checks and normalizes the arguments, makes sure the problem's functions are safe on a batch,
refuses runs that would not fit in memory, and hands the starting points to the engine: the
NumPy engine's loop (:mod:`descentlab.engines.numpy_engine.loop`) or the JAX engine's compiled
program (:mod:`descentlab.engines.jax_engine`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from descentlab import engines, memory
from descentlab.engines import check_dtype, resolve
from descentlab.engines.draws import check_draws
from descentlab.engines.numpy_engine.allocator import reuse_freed_memory
from descentlab.engines.numpy_engine.evaluation import build_evaluator
from descentlab.engines.numpy_engine.loop import Interrupted, IterationInfo, Loop, Stopping
from descentlab.engines.recorder import Recorder
from descentlab.optimizers import Optimizer
from descentlab.problems.problem import Problem
from descentlab.problems.starts import check_starts, initial_points
from descentlab.results.result import Result
from descentlab.results.resume import resumed_state
from descentlab.runner.arguments import (
    Tolerance,
    bound,
    check_memory,
    check_n_iter,
    check_record,
    check_step_rule,
    convenient_forms,
    projection_box,
    resumed_points,
)

if TYPE_CHECKING:  # imported by the runs that use them
    from descentlab.optimizers.step_rules import StepRule
    from descentlab.problems.stochastic import GradientNoise

__all__ = ["Callback", "Interrupted", "IterationInfo", "Tolerance", "minimize"]


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
    problem, optimizer, tol = convenient_forms(problem, optimizer, tol)
    # the one thing the JAX engine does not do: a Python call at every step
    engine = resolve(
        engine, None if callback is None else "callbacks (a Python call at every step)"
    )
    dtype = check_dtype(dtype, engine)
    n_iter = check_n_iter(n_iter)
    every = check_record(record)
    if tol.fun is not None and problem.minimum is None:
        raise ValueError("tol.fun needs the problem's known minimum, and this problem has none")
    if resume is not None:
        x0 = resumed_points(resume, x0, starts, noise, batch_size, problem)
    if x0 is None and problem.dim is not None:  # refused before the starts are drawn
        check_memory(
            bound(optimizer, problem, problem.dim, project, step_rule),
            (check_starts(starts) or 1, problem.dim),
            n_iter,
            None,
            record_limit,
        )
    x = initial_points(problem, x0, seed, starts)
    if problem.dim is None and x.shape[-1] < 1:
        raise ValueError("x0 must have at least one coordinate")
    batch_shape = x.shape[:-1]
    optimizer = bound(optimizer, problem, x.shape[-1], project, step_rule)
    optimizer.check_batch(batch_shape)
    state = None
    if resume is not None:  # the state, and from the point users evaluate the one that steps
        state = resumed_state(resume, optimizer, x)
        x = np.array(optimizer.gradient_point(x, state), dtype=float)
    recorder = None if every is None else Recorder(every, record_starts, batch_shape)
    check_memory(optimizer, x.shape, n_iter, recorder, record_limit)
    draws = check_draws(problem, tol, noise, batch_size, seed, first_stream)
    check_step_rule(step_rule, optimizer, problem, noise, batch_size, resume)
    if engine == "jax":
        compiled = engines.load_jax_engine()
        try:
            return _run_compiled(problem, optimizer, x, n_iter, tol, recorder, project, state,
                                 verbose, dtype, draws, step_rule)  # fmt: skip
        except compiled.FunctionRaised as raised:
            error = raised.error
            warnings.warn(f"the {raised.what} of {problem.name!r} raised {type(error).__name__} "
                          f"({error}) while JAX traced it: this run uses the NumPy engine, "
                          "which reports what the function does", engines.EngineFallbackWarning,
                          stacklevel=2)  # fmt: skip
    problem = problem.prepared_for(x)
    evaluator = build_evaluator(problem, batch_shape, draws)
    box = projection_box(problem, project)
    reporter = _make_reporter(verbose)
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


def _run_compiled(problem, optimizer, x, n_iter, tol, recorder, project, state, verbose,
                  dtype, draws, step_rule) -> Result:  # fmt: skip
    """The run on the JAX engine (what it cannot do was refused already)."""
    compiled = engines.load_jax_engine()
    box = projection_box(problem, project)
    stopping = Stopping(tol.grad, tol.fun, problem.minimum, box is not None)
    reporter = _make_reporter(verbose)
    began = time.perf_counter()
    result = compiled.run(problem, optimizer, x, n_iter, stopping, recorder, box, state, dtype,
                          reporter, draws, step_rule)  # fmt: skip
    result.time = time.perf_counter() - began
    if reporter is not None:
        reporter.finish(result)
    return result


def _make_reporter(verbose: bool):
    if not verbose:
        return None
    from descentlab.results.trace import TutorialTrace

    return TutorialTrace()
