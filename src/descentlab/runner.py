"""The one loop: ``minimize(problem, optimizer, ...) -> Result``.

The loop is vectorized over the batch of starts: every start is a row of one ``(..., d)`` array,
and one call of the objective, the gradient and the optimizer's step serves all of them. A start
that converges or diverges stops moving (its row is held fixed) while the others go on.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab._recorder import Recorder
from descentlab.gradients import checked_gradient
from descentlab.optimizers import Optimizer
from descentlab.problem import Problem
from descentlab.result import Result, Status
from descentlab.starts import initial_points


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
                isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0
            ):
                raise ValueError(f"tol.{name} must be a finite number >= 0, not {value!r}")


@dataclass(frozen=True)
class IterationInfo:
    """What a callback sees after each update. Arrays are the run's own: do not modify them."""

    iteration: int
    x: np.ndarray
    fun: np.ndarray
    active: np.ndarray


#: A callback returns True to stop the run; anything else (None included) lets it go on.
Callback = Callable[[IterationInfo], object]


class _Run:
    """The bookkeeping of one run: which starts are still moving and why others stopped."""

    def __init__(self, batch_shape: tuple[int, ...]) -> None:
        self.active = np.ones(batch_shape, dtype=bool)
        self.all_active = True
        self.nit = np.zeros(batch_shape, dtype=int)
        self.status = np.full(batch_shape, Status.MAX_ITER.value, dtype=object)
        self.message = np.full(batch_shape, "", dtype=object)

    def any_active(self) -> bool:
        return self.all_active or bool(self.active.any())

    def stop(self, which: np.ndarray, iteration: int, status: Status, message: str) -> None:
        which = which & self.active
        if not which.any():
            return
        self.active = self.active & ~which
        self.all_active = False
        self.nit[which] = iteration
        self.status[which] = status.value
        self.message[which] = message

    def finish(self, iteration: int, stopped_by_callback: bool) -> None:
        rest = self.active
        self.nit[rest] = iteration
        if stopped_by_callback:
            self.status[rest] = Status.STOPPED.value
            self.message[rest] = f"stopped by the callback after iteration {iteration}"
        else:
            self.message[rest] = f"reached n_iter = {iteration} iterations"


def minimize(
    problem: Problem,
    optimizer: Optimizer,
    *,
    n_iter: int,
    x0: object = None,
    seed: object = None,
    starts: int | None = None,
    tol: Tolerance | None = None,
    callback: Callback | None = None,
    record: int | str | None = "all",
    record_starts: object = None,
    verbose: bool = False,
) -> Result:
    """Minimize ``problem`` with ``optimizer`` from one start or a batch of starts.

    Parameters
    ----------
    problem : Problem
        The objective, its gradient and its bounds.
    optimizer : Optimizer
        Any optimizer of :mod:`descentlab.optimizers`.
    n_iter : int
        The largest number of updates.
    x0 : array-like of shape (d,) or (..., d), optional
        Starting point(s). Without it, starts are drawn uniformly in the bounds from
        ``numpy.random.RandomState(seed)``: ``lo + rand(d) * (hi - lo)``, the tutorials' start.
    seed : int, None or numpy.random.RandomState
        The random stream for the starts.
    starts : int, optional
        Draw this many starts, shape ``(starts, d)``, from the one stream.
    tol : Tolerance, optional
        Stop a start once its gradient norm, or its gap ``f - f*``, is small enough.
    callback : callable, optional
        Called as ``callback(info)`` with an :class:`IterationInfo` after every update;
        returning ``True`` stops the run (the starts still moving get status ``stopped``).
    record : "all", int k, "none" or None
        Record the path at every iteration, at every k-th iteration, or not at all. The start
        and the final iteration are always among the recorded ones when recording is on.
    record_starts : array-like of int, optional
        Record the paths of only these starts (flat indices into the batch).
    verbose : bool
        Print the tutorials' trace (``>i f(x) = value``, then ``Done!``) to standard output.
    """
    n_iter = _check_n_iter(n_iter)
    every = _check_record(record)
    tol = tol or Tolerance()
    if tol.fun is not None and problem.minimum is None:
        raise ValueError("tol.fun needs the problem's known minimum, and this problem has none")
    x = initial_points(problem, x0, seed, starts)
    if problem.dim is None and x.shape[-1] < 1:
        raise ValueError("x0 must have at least one coordinate")
    reporter = _make_reporter(verbose)

    began = time.perf_counter()
    with np.errstate(all="ignore"):
        result = _loop(problem, optimizer, x, n_iter, tol, callback, every, record_starts, reporter)
    result.time = time.perf_counter() - began
    if reporter is not None:
        reporter.finish(result)
    return result


def _loop(problem, optimizer, x, n_iter, tol, callback, every, record_starts, reporter) -> Result:
    f, grad = problem.f, problem.gradient
    batch_shape = x.shape[:-1]
    run = _Run(batch_shape)
    recorder = Recorder(every, record_starts, batch_shape)
    recording = every is not None
    gtol, ftol = tol.grad, tol.fun
    target = None if ftol is None else problem.minimum + ftol

    # Without a recorder, a value tolerance, a trace or a callback, f is only needed at the
    # start and the end: divergence shows in the points (a non-finite gradient makes them so).
    values_needed = recording or target is not None or reporter is not None or callback is not None
    fx = _evaluate(f, x, batch_shape)
    nfev = 1
    run.stop(~np.isfinite(fx), 0, Status.DIVERGED, "non-finite value at the start")
    if target is not None:
        run.stop(fx <= target, 0, Status.CONVERGED, f"f - f* <= {ftol:g} at iteration 0")
    state = optimizer.init(x)
    stopped_by_callback = False
    i = 0
    g = checked_gradient(grad, x)  # the first call, checked
    njev = 1
    while True:
        if gtol is not None:
            small = _norm(g) <= gtol
            run.stop(small, i, Status.CONVERGED, f"||g|| <= {gtol:g} at iteration {i}")
        last = i == n_iter or stopped_by_callback or not run.any_active()
        if recording and (last or i % every == 0):
            recorder.add(i, x, fx, g)
        if last:
            break
        x_new, state = optimizer.step(x, g, state)
        i += 1
        f_new = f(x_new) if values_needed else None
        nfev += values_needed
        if not _all_finite(f_new, x_new):
            _mark_diverged(run, f_new, g, x_new, i)
        if not run.all_active:
            x_new = np.where(run.active[..., np.newaxis], x_new, x)
            f_new = None if f_new is None else np.where(run.active, f_new, fx)
        x, fx = x_new, (fx if f_new is None else f_new)
        if target is not None:
            run.stop(fx <= target, i, Status.CONVERGED, f"f - f* <= {ftol:g} at iteration {i}")
        if reporter is not None:
            reporter.iteration(i - 1, x, fx)
        if callback is not None:
            stopped_by_callback = callback(IterationInfo(i, x, fx, run.active)) is True
        g = grad(x)
        njev += 1
    if not values_needed and i > 0:
        fx = np.asarray(f(x), dtype=float)
        nfev += 1
        run.stop(~np.isfinite(fx), i, Status.DIVERGED, f"non-finite value at iteration {i}")
    run.finish(i, stopped_by_callback)
    path, path_fun, path_grad_norm, path_iter = recorder.arrays()
    return Result(
        x=x,
        fun=np.asarray(fx),
        grad_norm=_norm(np.asarray(g, dtype=float)),
        nit=run.nit,
        status=run.status,
        message=run.message,
        path=path,
        path_fun=path_fun,
        path_grad_norm=path_grad_norm,
        path_iter=path_iter,
        record_starts=recorder.starts,
        nfev=nfev,
        njev=njev,
        time=0.0,
    )


def _all_finite(fx, x: np.ndarray) -> bool:
    """True when every coordinate (and value, if any) is finite, in one scalar test for speed.

    A sum is finite only if all its terms are; the rare overflow of a sum of finite numbers
    only sends the run to the precise per-start check, which finds nothing.
    """
    total = float(np.add.reduce(x, axis=None))
    if fx is not None:
        total += float(fx) if getattr(fx, "ndim", 0) == 0 else float(np.add.reduce(fx, axis=None))
    return math.isfinite(total)


def _mark_diverged(run: _Run, fx, g, x_new, i: int) -> None:
    """Give the starts that just produced non-finite numbers the status ``diverged``."""
    bad_point = ~np.isfinite(x_new).all(axis=-1)
    bad = bad_point if fx is None else ~np.isfinite(fx) | bad_point
    for what, culprit in (
        ("gradient", ~np.isfinite(g).all(axis=-1)),
        ("point", bad_point),
        ("value", bad),
    ):
        run.stop(bad & culprit, i - 1, Status.DIVERGED, f"non-finite {what} at iteration {i}")


def _evaluate(f, x: np.ndarray, batch_shape: tuple[int, ...]) -> np.ndarray:
    """The first call of ``f``, with a clear error when it returns the wrong shape."""
    fx = np.asarray(f(x), dtype=float)
    if fx.shape != batch_shape:
        raise ValueError(
            f"the objective must map points of shape (..., d) to values of shape (...): "
            f"for x of shape {x.shape} it returned shape {fx.shape}, expected {batch_shape}"
        )
    return fx


def _norm(g: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...i,...i->...", g, g))


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
    from descentlab.trace import TutorialTrace

    return TutorialTrace()
