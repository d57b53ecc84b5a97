"""descentlab's optimizers as a method of ``scipy.optimize.minimize``: :func:`method`.

``scipy.optimize.minimize(fun, x0, jac=grad, method=descentlab.scipy.method("adam",
n_iter=2000, alpha=0.01))`` runs :func:`descentlab.minimize` with that optimizer and answers
with SciPy's ``OptimizeResult``, so SciPy users switch by changing one argument:

- ``fun(x, *args)`` and ``jac`` as SciPy takes them (``jac=True``: ``fun`` returns both;
  no ``jac``: descentlab's central differences);
- ``tol`` (SciPy's) stops at a gradient norm below it; ``bounds`` keep every iterate in the box
  (projected gradient steps); ``callback(intermediate_result)`` or ``callback(xk)`` after each
  update, stopping the run on ``StopIteration`` or a true answer;
- the result's ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``njev``, ``status``, ``success`` and
  ``message`` are descentlab's: ``status`` 0 converged, 1 iteration limit, 2 diverged, 99
  stopped by the callback; an exception in ``fun`` or ``jac`` propagates, as in SciPy.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult

from descentlab.optimizers import get_optimizer
from descentlab.problems.problem import Problem
from descentlab.runner import Tolerance, minimize

#: SciPy's status of each descentlab status.
STATUS = {"converged": 0, "max_iter": 1, "diverged": 2, "stopped": 99}


def method(optimizer: str, *, n_iter: int = 1000, **hyperparameters: Any) -> Callable:
    """A ``method=`` for ``scipy.optimize.minimize`` that runs ``optimizer`` (a registered
    name, such as ``"adam"``) with ``hyperparameters`` for at most ``n_iter`` updates
    (``options={"maxiter": ...}`` overrides it)."""
    chosen = get_optimizer(optimizer, **hyperparameters)  # checked now, not at the first call

    def run(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None, constraints=(),
            callback=None, tol=None, maxiter=None, **options):  # fmt: skip
        if options:
            raise TypeError(f"descentlab's {optimizer} takes the options maxiter and tol, not "
                            f"{', '.join(sorted(options))}")  # fmt: skip
        if constraints:
            raise ValueError("descentlab's methods do not take constraints (bounds they do)")
        x0 = np.asarray(x0, dtype=float).reshape(-1)
        problem = _problem(fun, jac, args, bounds, x0)
        result = minimize(problem, chosen, n_iter=int(maxiter or n_iter), x0=x0,
                          tol=None if tol is None else Tolerance(grad=float(tol)),
                          callback=_callback(callback), record="none", raise_errors=True,
                          project=bounds is not None)  # fmt: skip
        return _optimize_result(result, problem)

    run.__name__ = f"descentlab_{optimizer.replace('-', '_')}"
    return run


def _problem(fun, jac, args, bounds, x0: np.ndarray) -> Problem:
    """SciPy's ``fun`` and ``jac`` (functions of one point) as a descentlab problem."""
    if jac is True:
        raise ValueError("jac=True reached the method unwrapped: call it through "
                         "scipy.optimize.minimize")  # fmt: skip
    gradient = None
    if callable(jac):
        gradient = lambda x: np.asarray(jac(x, *args), dtype=float)  # noqa: E731
    box = None
    if bounds is not None:
        lo_hi = np.array([[-np.inf if lo is None else lo, np.inf if hi is None else hi]
                          for lo, hi in _pairs(bounds, len(x0))], dtype=float)  # fmt: skip
        box = lo_hi
    problem = Problem(lambda x: fun(x, *args), gradient, name=getattr(fun, "__name__", "fun"),
                      vectorized=False)  # fmt: skip
    return problem if box is None else _boxed(problem, box)


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
    import dataclasses

    finite = np.clip(box, -np.finfo(float).max, np.finfo(float).max)
    return dataclasses.replace(problem, bounds=finite)


def _callback(callback):
    """SciPy's callback as descentlab's: ``callback(intermediate_result)`` (SciPy's newer
    form, by the parameter's name) or ``callback(xk)``; StopIteration or a true answer
    stops."""
    if callback is None:
        return None
    named = "intermediate_result" in inspect.signature(callback).parameters

    def call(info) -> bool:
        x = np.array(info.x)
        try:
            if named:
                progress = OptimizeResult(x=x, fun=float(info.fun), nit=info.iteration)
                answer = callback(intermediate_result=progress)
            else:
                answer = callback(x)
        except StopIteration:
            return True
        return bool(answer)

    return call


def _optimize_result(result, problem: Problem) -> OptimizeResult:
    status = str(result.status)
    gradient = problem.gradient(np.array(result.x))
    return OptimizeResult(
        x=np.array(result.x),
        fun=float(result.fun),
        jac=np.asarray(gradient, dtype=float),
        nit=int(result.nit),
        nfev=int(result.nfev),
        njev=int(result.njev),
        status=STATUS.get(status, 3),
        success=status == "converged",
        message=str(result.message),
    )


__all__ = ["STATUS", "method"]
