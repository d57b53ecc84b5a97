"""What a run returns: one dataclass with fixed fields, and the status of each start."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from descentlab.results.state import state_to_dict


class Status(str, Enum):
    """How a start ended. Running out of iterations and diverging are statuses, not errors;
    ``stopped`` is a callback's (or Ctrl-C's) doing, ``error`` an exception raised by the
    user's objective, gradient or callback (the message names it and the iteration)."""

    CONVERGED = "converged"
    MAX_ITER = "max_iter"
    DIVERGED = "diverged"
    STOPPED = "stopped"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


@dataclass(repr=False)
class Result:
    """The outcome of :func:`descentlab.minimize`.

    Shapes use ``B`` for the batch shape (``()`` for one start, ``(n,)`` for ``n`` starts),
    ``d`` for the dimension and ``K`` for the number of recorded iterations.

    Attributes
    ----------
    x : ndarray, shape B + (d,)
        Final points (for a diverged start: its last finite point).
    fun : ndarray, shape B
        Objective values at ``x``.
    grad_norm : ndarray, shape B
        Euclidean norms of the gradient at ``x``.
    nit : ndarray of int, shape B
        Iterations (updates) each start made.
    status, message : ndarray of str objects, shape B
        :class:`Status` values and a sentence saying why each start stopped. They are object
        arrays, so starts that stopped for the same reason share one string (100,000 starts
        cost 8 bytes each, not a fixed-width copy of the longest message).
    path : ndarray, shape (K,) + B' + (d,), or None
        Recorded points, the start included, ``None`` when recording is off. ``B'`` is ``B``,
        or ``(len(record_starts),)`` when only some starts are recorded.
    path_fun, path_grad_norm : ndarray, shape (K,) + B', or None
        Objective values and gradient norms at the recorded points.
    path_iter : ndarray of int, shape (K,)
        The iteration of each recorded row (0 is the start).
    record_starts : ndarray of int or None
        Which starts (flat indices) ``path`` holds, or None for all.
    nfev, njev : int
        Calls of the objective and of the gradient, each on the whole batch.
    time : float
        Wall time of the run in seconds.
    regret, path_regret : ndarray, shape B and (K,) + B', or None
        For an online problem: the regret ``R_t`` after the last round played, and at each
        recorded iteration ``i`` the regret ``R_{i+1}`` (the round in which ``x_i`` was played);
        ``R_t / t`` is the average regret. None for other problems.
    state : NamedTuple or dict, optional
        The optimizer's state after the last update (moments, buffers, step count), for
        ``minimize(..., resume=result)``; from a run file, its JSON form.
    optimizer : str, optional
        The registered name of the optimizer that made the run.
    path_step : ndarray, shape (K,) + B', or None
        With a step rule: the step of the update that led to each recorded point, as a length
        per unit gradient ``||x_k - x_{k-1}|| / ||g_{k-1}||`` (gradient descent's step size;
        NaN at the start).
    path_sharpness : ndarray, shape (K,) + B' + (k,), or None
        The ``k`` largest Hessian eigenvalues at the recorded points (NaN where not measured),
        added by :func:`descentlab.landscape.sharpness_along`.
    """

    x: np.ndarray
    fun: np.ndarray
    grad_norm: np.ndarray
    nit: np.ndarray
    status: np.ndarray
    message: np.ndarray
    path: np.ndarray | None
    path_fun: np.ndarray | None
    path_grad_norm: np.ndarray | None
    path_iter: np.ndarray
    record_starts: np.ndarray | None
    nfev: int
    njev: int
    time: float
    regret: np.ndarray | None = None
    path_regret: np.ndarray | None = None
    state: Any = None
    optimizer: str | None = None
    path_step: np.ndarray | None = None
    path_sharpness: np.ndarray | None = None

    @property
    def success(self) -> np.ndarray:
        """True where a start converged to the requested tolerance."""
        return self.status == Status.CONVERGED.value

    @property
    def n_starts(self) -> int:
        return int(np.prod(self.fun.shape, dtype=int))

    def _repr_html_(self) -> str:
        from descentlab.results.html import result_html

        return result_html(self)

    def __repr__(self) -> str:
        """A summary in the manner of SciPy's ``OptimizeResult``: the outcome, the best start's
        numbers and what the arrays hold, never the arrays themselves (a path of 100,000 rows
        would fill the screen)."""
        return "\n".join(f"{name:>10}: {value}" for name, value in _summary(self))

    def best(self) -> int:
        """Flat index of the start with the lowest final value (NaN ignored)."""
        return int(np.nanargmin(np.ravel(self.fun)))

    def to_dict(self, include_path: bool = False) -> dict[str, Any]:
        """The result as JSON-ready data (see the README for the schema; read back with
        :func:`descentlab.results.records.load`, which checks it)."""
        data: dict[str, Any] = {
            "x": self.x.tolist(),
            "fun": self.fun.tolist(),
            "grad_norm": self.grad_norm.tolist(),
            "nit": self.nit.tolist(),
            "status": self.status.tolist(),
            "message": self.message.tolist(),
            "nfev": self.nfev,
            "njev": self.njev,
            "time": self.time,
        }
        if self.regret is not None:
            data["regret"] = self.regret.tolist()
        if self.state is not None:
            state = self.state
            data["state"] = state if isinstance(state, dict) else state_to_dict(
                self.optimizer or "", state)  # fmt: skip
        if include_path and self.path is not None:
            data["path"] = {
                "iteration": self.path_iter.tolist(),
                "x": self.path.tolist(),
                "fun": self.path_fun.tolist(),
                "grad_norm": self.path_grad_norm.tolist(),
                "starts": None if self.record_starts is None else self.record_starts.tolist(),
            }
            if self.path_regret is not None:
                data["path"]["regret"] = self.path_regret.tolist()
            if self.path_step is not None:
                data["path"]["step"] = self.path_step.tolist()
            if self.path_sharpness is not None:
                sharpness = np.where(np.isnan(self.path_sharpness), None, self.path_sharpness)
                data["path"]["sharpness"] = sharpness.tolist()
        return data


def _summary(result: Result) -> list[tuple[str, str]]:
    """The rows of ``repr(result)``."""
    status = np.ravel(result.status)
    kinds, counts = np.unique(status.astype(str), return_counts=True)
    rows = [("optimizer", result.optimizer or "?")]
    if result.n_starts == 1:
        rows += [("status", f"{status[0]}: {np.ravel(result.message)[0]}"),
                 ("fun", f"{float(np.ravel(result.fun)[0]):.6g}"),
                 ("x", np.array2string(np.ravel(result.x), precision=4, threshold=8)),
                 ("nit", str(int(np.ravel(result.nit)[0])))]  # fmt: skip
    else:
        best = result.best() if np.isfinite(np.ravel(result.fun)).any() else 0
        rows += [("starts", f"{result.n_starts} of shape {result.x.shape}"),
                 ("status", ", ".join(f"{k} {c}" for k, c in zip(kinds, counts, strict=True))),
                 ("best", f"start {best}: fun {float(np.ravel(result.fun)[best]):.6g}"),
                 ("nit", f"{int(np.min(result.nit))} .. {int(np.max(result.nit))}")]  # fmt: skip
    recorded = "none" if result.path is None else f"{result.path.shape} (path, path_fun, ...)"
    rows += [("nfev, njev", f"{result.nfev}, {result.njev}"), ("time", f"{result.time:.3g} s"),
             ("recorded", recorded)]  # fmt: skip
    return rows


def filled(shape: tuple[int, ...], value: object) -> np.ndarray:
    """An object array of ``shape`` holding ``value`` everywhere (a status or a message):
    ``ndarray.fill`` does it 20 times quicker than ``np.full`` for 100,000 starts."""
    array = np.empty(shape, dtype=object)
    array.fill(value)
    return array
