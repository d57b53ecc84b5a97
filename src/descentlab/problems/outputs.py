"""What a user's objective and gradient must return, checked on every call that feeds a run.

The checks are cheap on the common path (a float64 ndarray of the right shape passes after two
attribute tests) and precise otherwise: ``None``, a complex or non-numeric result, or a wrong
shape raise an :class:`OutputError` that names the function, what it returned and what was
expected. These are mistakes in the function, so they are raised, never taken for divergence.
"""

from __future__ import annotations

import numpy as np


class OutputError(Exception):
    """A user function returned something it must not (marker shared by the two below)."""


class OutputShapeError(OutputError, ValueError):
    """The result has the wrong shape."""


class OutputTypeError(OutputError, TypeError):
    """The result is ``None``, complex, or not numbers."""


def _as_real_array(raw: object, what: str) -> np.ndarray:
    if type(raw) is np.ndarray and raw.dtype == np.float64:
        return raw
    if raw is None:
        raise OutputTypeError(f"the {what} returned None; it must return numbers")
    array = np.asarray(raw)
    if array.dtype.kind == "c":
        raise OutputTypeError(
            f"the {what} returned complex numbers (dtype {array.dtype}); it must return real "
            "numbers (take .real, or abs(), if that is what you mean)"
        )
    if array.dtype.kind not in "biuf":
        raise OutputTypeError(
            f"the {what} returned {type(raw).__name__} of dtype {array.dtype}; "
            "it must return real numbers"
        )
    return array.astype(float, copy=False)


def as_values(raw: object, batch_shape: tuple[int, ...], what: str = "objective") -> np.ndarray:
    """The objective's result as floats of shape ``batch_shape`` (one value per point)."""
    values = _as_real_array(raw, what)
    if values.shape != batch_shape:
        if batch_shape == () and values.size == 1:
            return values.reshape(())
        raise OutputShapeError(
            f"the {what} must map points of shape (..., d) to values of shape (...): "
            f"for points with batch shape {batch_shape} it returned shape {values.shape}"
        )
    return values


def as_gradient(raw: object, shape: tuple[int, ...]) -> np.ndarray:
    """The gradient's result as floats of ``shape``, the shape of its input."""
    grad = _as_real_array(raw, "gradient")
    if grad.shape != shape:
        raise OutputShapeError(
            f"the gradient must return the shape of its input: for x of shape {shape} "
            f"it returned shape {grad.shape}"
        )
    return grad
