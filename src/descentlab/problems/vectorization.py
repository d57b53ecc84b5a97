"""Is the user's function vectorized over leading axes? If not, evaluate it point by point.

descentlab calls an objective on arrays of shape ``(..., d)``: one start ``(d,)``, a batch
``(n, d)``, and the finite-difference stack ``(n, d, d)``. A function written for one point
(``x[0]`` instead of ``x[..., 0]``) can return an array of the expected shape on a stack and
still be wrong: it mixes points. The only safe test compares values, so :func:`is_vectorized`
evaluates the function on a small ``(3, 2, d)`` stack of distinct points and on each point alone.
A function that fails the test is wrapped in :class:`Pointwise`, which is always right and
``n`` times slower for ``n`` points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.problems.outputs import as_gradient, as_values

#: Agreement asked of the stacked and the one-at-a-time values: rounding only (a vectorized
#: function may sum or multiply in another order on a batch, as BLAS does).
PROBE_RTOL = 1e-9


class NotVectorizedWarning(UserWarning):
    """A user function is evaluated point by point because it is not vectorized."""


HOW_TO_VECTORIZE = (
    "write it for points of shape (..., d), indexing coordinates as x[..., 0] and summing "
    "with axis=-1, to run at full speed"
)


@dataclass(frozen=True)
class Pointwise:
    """``function`` applied to one point ``(d,)`` at a time over any batch ``(..., d)``.

    ``kind`` is ``"objective"`` (one number per point) or ``"gradient"`` (``d`` numbers).
    """

    function: Callable[[np.ndarray], object]
    kind: str

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        d = x.shape[-1]
        points = x.reshape(-1, d)
        if self.kind == "objective":
            out = np.empty(len(points))
            for k, point in enumerate(points):
                out[k] = as_values(self.function(point), (), "objective")
            return out.reshape(x.shape[:-1])
        grads = np.empty_like(points)
        for k, point in enumerate(points):
            grads[k] = as_gradient(self.function(point), (d,))
        return grads.reshape(x.shape)


def probe_points(center: np.ndarray) -> np.ndarray:
    """Six distinct points near ``center`` (shape ``(d,)``), stacked as ``(3, 2, d)``.

    Two leading axes, as in the finite-difference stack, of unequal lengths so that indexing
    the wrong axis shows in the shape or the values. The offsets are small (1e-3 relative), so
    the points stay where the function is defined near the start, and fixed, so the probe gives
    the same answer every time.
    """
    center = np.asarray(center, dtype=float)
    d = center.shape[-1]
    offsets = np.random.RandomState(0).uniform(-1.0, 1.0, size=(3, 2, d))
    return center + 1e-3 * np.maximum(1.0, np.abs(center)) * offsets


def is_vectorized(function: Callable, points: np.ndarray, kind: str) -> bool:
    """True when ``function`` on the stack ``points`` equals it on each point alone.

    Raises what the function raises on a single point (it cannot be evaluated at all), and
    the errors of :mod:`descentlab.problems.outputs` for outputs that are wrong even for one point.
    """
    d = points.shape[-1]
    alone = Pointwise(function, kind)(points)
    try:
        raw = function(points.copy())
        stacked = (
            as_values(raw, points.shape[:-1], kind)
            if kind == "objective"
            else as_gradient(raw, points.shape)
        )
    except Exception:  # any failure on a stack means "not vectorized"
        return False
    scale = max(1.0, float(np.nanmax(np.abs(alone), initial=0.0)))
    return bool(
        np.allclose(stacked, alone, rtol=PROBE_RTOL, atol=1e-12 * scale, equal_nan=True)
    ) and stacked.shape == (*points.shape[:-1], *((d,) if kind == "gradient" else ()))
