"""descentlab's optimizers as a method of ``scipy.optimize.minimize``: :func:`method`.

``scipy.optimize.minimize(fun, x0, jac=grad, method=descentlab.scipy.method("adam",
n_iter=2000, alpha=0.01))`` runs :func:`descentlab.minimize` with that optimizer and answers
with SciPy's ``OptimizeResult``, so SciPy users switch by changing one argument:

- ``fun(x, *args)`` and ``jac`` as SciPy takes them (``jac=True``: ``fun`` returns both;
  no ``jac``: descentlab's central differences);
- ``tol`` (SciPy's), or the option ``gtol``, stops at a gradient norm (Euclidean) at most that;
  with ``bounds`` every iterate stays in the box (projected gradient steps) and the test is on
  the projected gradient, which vanishes at a minimum on the box's edge;
- the options SciPy's first-order methods take: ``maxiter`` (0: no update), ``gtol``,
  ``maxfun`` (stop once ``fun`` has been called that many times), ``disp`` (print a summary, as
  SciPy does) and ``return_all`` (every iterate in ``allvecs``); the options of quasi-Newton
  line searches (``c1``, ``norm``, ``maxcor``...) mean nothing here and are ignored with an
  ``OptimizeWarning``, and unknown options get SciPy's own warning;
- ``callback(intermediate_result)`` or ``callback(xk)`` after each update; raising
  ``StopIteration`` stops the run, a returned value is ignored (as SciPy does);
- the result's ``x``, ``fun``, ``jac``, ``nit``, ``status``, ``success`` and ``message`` are
  descentlab's, and ``nfev`` and ``njev`` count the calls of ``fun`` and ``jac`` (with
  ``jac=True``, the calls of ``fun``, which answers both): ``status`` 0 converged, 1 iteration or
  evaluation limit, 2 diverged, 99 stopped by the callback; an exception in ``fun`` or ``jac``
  propagates, as in SciPy.
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult, OptimizeWarning

from descentlab._structure import as_structure
from descentlab.optimizers import get_optimizer
from descentlab.problems.problem import Problem
from descentlab.runner import Tolerance, minimize

#: SciPy's status of each descentlab status.
STATUS = {"converged": 0, "max_iter": 1, "diverged": 2, "stopped": 99}

#: Options of SciPy's BFGS, CG and L-BFGS-B that steer their line searches, quasi-Newton
#: memories or finite differences: accepted and ignored with a warning, as they mean nothing
#: to a first-order step of fixed form.
_IGNORED = frozenset({"norm", "eps", "finite_diff_rel_step", "xrtol", "c1", "c2", "hess_inv0",
                      "maxcor", "ftol", "maxls", "iprint", "workers"})  # fmt: skip


@dataclasses.dataclass(frozen=True)
class _Options:
    maxiter: int
    gtol: float | None
    maxfun: int | None
    disp: bool
    return_all: bool


def method(optimizer: str, *, n_iter: int = 1000, structure: Any = None,
           **hyperparameters: Any) -> Callable:  # fmt: skip
    """A ``method=`` for ``scipy.optimize.minimize`` that runs ``optimizer`` (a registered
    name, such as ``"adam"``) with ``hyperparameters`` for at most ``n_iter`` updates
    (``options={"maxiter": ...}`` overrides it). ``structure`` says which coordinates of ``x``
    form which matrices (``[("W", (20, 10))]``), for the matrix-aware and layer-wise methods."""
    chosen = get_optimizer(optimizer, **hyperparameters)  # checked now, not at the first call
    blocks = None if structure is None else as_structure(structure)
    name = optimizer

    def run(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None, constraints=(),
            callback=None, **options):  # fmt: skip
        if constraints:
            raise ValueError("descentlab's methods do not take constraints (bounds they do)")
        settings = _options(name, n_iter, options)
        x0 = np.asarray(x0, dtype=float).reshape(-1)
        calls = _Calls(fun, jac, args)
        problem = _problem(calls, bounds, x0)
        if blocks is not None:
            problem = dataclasses.replace(problem, structure=as_structure(blocks, len(x0)))
        if settings.maxiter == 0:
            result = _unmoved(problem, calls, x0, settings)
        else:
            tol = None if settings.gtol is None else Tolerance(grad=settings.gtol)
            found = minimize(problem, chosen, n_iter=settings.maxiter, x0=x0, tol=tol,
                             callback=_callback(callback, calls, settings.maxfun),
                             record="all" if settings.return_all else "none",
                             raise_errors=True, project=bounds is not None)  # fmt: skip
            result = _optimize_result(found, problem, calls, settings)
        if settings.disp:
            _print_summary(result)
        return result

    run.__name__ = f"descentlab_{optimizer.replace('-', '_')}"
    return run


def _options(name: str, n_iter: int, options: dict[str, Any]) -> _Options:
    """The options SciPy passed, checked; the meaningless ones and unknown ones warned of."""
    options = dict(options)
    maxiter = options.pop("maxiter", None)
    maxiter = n_iter if maxiter is None else maxiter
    if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 0:
        raise ValueError(f"options['maxiter'] must be a whole number >= 0, not {maxiter!r}")
    tol, gtol = options.pop("tol", None), options.pop("gtol", None)
    gtol = tol if gtol is None else gtol
    maxfun = options.pop("maxfun", None)
    if maxfun is not None and (isinstance(maxfun, bool) or not isinstance(maxfun, numbers.Integral)
                               or maxfun < 1):  # fmt: skip
        raise ValueError(f"options['maxfun'] must be a whole number >= 1, not {maxfun!r}")
    disp, return_all = bool(options.pop("disp", False)), bool(options.pop("return_all", False))
    ignored = sorted(set(options) & _IGNORED)
    if ignored:
        warnings.warn(f"descentlab's {name} does not use the options {', '.join(ignored)} "
                      "(a first-order step has no line search, memory or difference step "
                      "to set): ignored", OptimizeWarning, stacklevel=4)  # fmt: skip
    unknown = sorted(set(options) - _IGNORED)
    if unknown:  # SciPy's own words for an option no method knows
        warnings.warn(f"Unknown solver options: {', '.join(unknown)}", OptimizeWarning,
                      stacklevel=4)  # fmt: skip
    return _Options(int(maxiter), None if gtol is None else float(gtol),
                    None if maxfun is None else int(maxfun), disp, return_all)  # fmt: skip


class _Calls:
    """SciPy's ``fun`` and ``jac`` as functions of one point, counting the calls of each as
    SciPy's ``nfev`` and ``njev`` do. With ``jac=True`` SciPy hands over a memoizing wrapper
    (``fun`` answers both, ``jac`` is its ``derivative``): then the calls counted are the calls
    of the user's own function, each answering value and gradient."""

    def __init__(self, fun, jac, args: tuple) -> None:
        if jac is True:
            raise ValueError("jac=True reached the method unwrapped: call it through "
                             "scipy.optimize.minimize")  # fmt: skip
        self.nfev = self.njev = 0
        self.args = args
        self._both = getattr(fun, "fun", None) if _memoized(fun, jac) else None
        self._last: tuple[np.ndarray, Any] | None = None
        self._fun, self._jac = fun, jac
        self.has_gradient = callable(jac)

    def value(self, x: np.ndarray) -> float:
        if self._both is not None:
            return self._value_and_gradient(x)[0]
        self.nfev += 1
        return self._fun(x, *self.args)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        if self._both is not None:
            return np.asarray(self._value_and_gradient(x)[1], dtype=float)
        return self._remembered(x, lambda: self._jac(x, *self.args))

    def estimates(self, differences: Callable) -> Callable:
        """``differences`` (central differences of ``value``) counted as gradient evaluations,
        as SciPy counts its finite-difference gradients in ``njev``."""
        return lambda x: self._remembered(x, lambda: differences(x))

    def _remembered(self, x: np.ndarray, compute: Callable) -> np.ndarray:
        """The gradient at ``x``, computed (and counted) unless it was the last one asked for:
        the result's ``jac`` is at the last point, whose gradient the run has."""
        if self._last is None or not np.array_equal(self._last[0], x):
            self.njev += 1
            self._last = (np.array(x), np.asarray(compute(), dtype=float))
        return self._last[1]

    def _value_and_gradient(self, x: np.ndarray):
        if self._last is None or not np.array_equal(self._last[0], x):
            answer = self._both(np.array(x), *self.args)
            self.nfev += 1
            self.njev += 1
            self._last = (np.array(x), answer)
        return self._last[1]


def _memoized(fun, jac) -> bool:
    """Whether ``jac`` is SciPy's ``MemoizeJac.derivative`` of ``fun`` (``jac=True``)."""
    return getattr(jac, "__self__", None) is fun and hasattr(fun, "fun")


def _problem(calls: _Calls, bounds, x0: np.ndarray) -> Problem:
    """SciPy's ``fun`` and ``jac`` (functions of one point) as a descentlab problem."""
    name = getattr(calls._both or calls._fun, "__name__", "fun")
    problem = Problem(calls.value, name=name, vectorized=False)
    gradient = calls.gradient if calls.has_gradient else calls.estimates(problem.gradient)
    problem = dataclasses.replace(problem, grad=gradient)
    if bounds is None:
        return problem
    box = np.array([[-np.inf if lo is None else lo, np.inf if hi is None else hi]
                    for lo, hi in _pairs(bounds, len(x0))], dtype=float)  # fmt: skip
    return _boxed(problem, box)


def _pairs(bounds, d: int):
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
        lo = np.broadcast_to(bounds.lb, (d,))
        hi = np.broadcast_to(bounds.ub, (d,))
        return list(zip(lo, hi, strict=True))
    pairs = list(bounds)
    if len(pairs) != d:
        raise ValueError(f"bounds must have one (lo, hi) pair per coordinate ({d}), "
                         f"not {len(pairs)}")  # fmt: skip
    return pairs


def _boxed(problem: Problem, box: np.ndarray) -> Problem:
    """``problem`` with ``box`` to project on; infinite sides are kept as the largest floats
    (descentlab's bounds are finite: they are also where random starts would be drawn)."""
    finite = np.clip(box, -np.finfo(float).max, np.finfo(float).max)
    return dataclasses.replace(problem, bounds=finite)


def _callback(callback, calls: _Calls, maxfun: int | None):
    """SciPy's callback as descentlab's: ``callback(intermediate_result)`` (SciPy's newer
    form, by the parameter's name) or ``callback(xk)``; StopIteration stops, a returned value
    does not (as in SciPy). ``maxfun`` stops the run once ``fun`` was called that often."""
    if callback is None and maxfun is None:
        return None
    named = callback is not None and "intermediate_result" in inspect.signature(callback).parameters

    def call(info) -> bool:
        if callback is not None:
            x = np.array(info.x)
            try:
                if named:
                    callback(intermediate_result=OptimizeResult(x=x, fun=float(info.fun),
                                                                nit=info.iteration))  # fmt: skip
                else:
                    callback(x)
            except StopIteration:
                return True
        return maxfun is not None and calls.nfev >= maxfun

    return call


def _optimize_result(result, problem: Problem, calls: _Calls, settings: _Options) -> OptimizeResult:
    status = str(result.status)
    message = str(result.message)
    if settings.maxfun is not None and status == "stopped" and calls.nfev >= settings.maxfun:
        status, message = "max_iter", f"stopped after {calls.nfev} calls of fun (maxfun)"
    fields = {}
    if settings.return_all:
        fields["allvecs"] = [np.array(row) for row in result.path]
    return _answer(np.array(result.x), float(result.fun), problem, calls, status, message,
                   int(result.nit), **fields)  # fmt: skip


def _unmoved(problem: Problem, calls: _Calls, x0: np.ndarray, settings: _Options):
    """The answer to ``maxiter=0``: the start, its value and gradient, no update."""
    fields = {"allvecs": [x0.copy()]} if settings.return_all else {}
    return _answer(x0, float(problem.f(x0)), problem, calls, "max_iter",
                   "reached maxiter = 0: no update made", 0, **fields)  # fmt: skip


def _answer(x, fun, problem, calls, status, message, nit, **fields) -> OptimizeResult:
    gradient = problem.gradient(x)  # SciPy's result carries it (a repeated point is not called)
    return OptimizeResult(x=x, fun=fun, jac=np.asarray(gradient, dtype=float), nit=nit,
                          nfev=calls.nfev, njev=calls.njev, status=STATUS.get(status, 3),
                          success=status == "converged", message=message, **fields)  # fmt: skip


def _print_summary(result: OptimizeResult) -> None:
    """What SciPy's methods print with ``disp=True``: the message and the counts."""
    lines = [result.message, f"         Current function value: {result.fun:f}",
             f"         Iterations: {result.nit}", f"         Function evaluations: {result.nfev}",
             f"         Gradient evaluations: {result.njev}"]  # fmt: skip
    sys.stdout.write("\n".join(lines) + "\n")  # asked for with disp=True, as SciPy prints


__all__ = ["STATUS", "method"]
