"""A problem to minimize: the objective, its gradient, a box to start in, its known minimum."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.gradients import CentralDifference, gradient_for

ArrayFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Problem:
    """An objective ``f: (..., d) -> (...)`` with its gradient ``grad: (..., d) -> (..., d)``.

    Parameters
    ----------
    f : callable
        The objective, vectorized over leading dimensions.
    grad : callable or str, optional
        Its gradient, or how to compute it: ``"finite-difference"`` (the default when omitted,
        :class:`~descentlab.gradients.CentralDifference`), ``"torch"`` or ``"jax"`` (automatic
        differentiation of an ``f`` written with those libraries' operations).
    bounds : array-like of shape (d, 2), optional
        ``[lo, hi]`` per dimension; random starts are drawn uniformly inside.
    minimum : float, optional
        The known global minimum value ``f*``, for tolerances and plots.
    minimizers : array-like of shape (k, d), optional
        The known global minimizers.
    name : str
        A name for reports.
    """

    f: ArrayFunction
    grad: ArrayFunction | None = None
    bounds: np.ndarray | None = None
    minimum: float | None = None
    minimizers: np.ndarray | None = None
    name: str = "problem"

    def __post_init__(self) -> None:
        if not callable(self.f):
            raise TypeError(f"f must be callable, not {self.f!r}")
        if isinstance(self.grad, str):
            object.__setattr__(self, "grad", gradient_for(self.f, self.grad))
        elif self.grad is not None and not callable(self.grad):
            raise TypeError(f"grad must be callable, a method name or None, not {self.grad!r}")
        if self.bounds is not None:
            object.__setattr__(self, "bounds", as_bounds(self.bounds))
        if self.minimum is not None:
            object.__setattr__(self, "minimum", float(self.minimum))
        if self.minimizers is not None:
            minimizers = np.atleast_2d(np.asarray(self.minimizers, dtype=float))
            if self.bounds is not None and minimizers.shape[-1] != self.dim:
                raise ValueError(
                    f"minimizers must have {self.dim} coordinates each to match bounds, "
                    f"not shape {minimizers.shape}"
                )
            object.__setattr__(self, "minimizers", minimizers)

    @property
    def dim(self) -> int | None:
        """The number of variables, when the bounds say it."""
        return None if self.bounds is None else len(self.bounds)

    @property
    def gradient(self) -> ArrayFunction:
        """The gradient: the one given, or central finite differences of ``f``."""
        return self.grad if self.grad is not None else CentralDifference(self.f)

    @property
    def has_exact_gradient(self) -> bool:
        """True for a given or automatic gradient, False for finite differences."""
        return self.grad is not None and not isinstance(self.grad, CentralDifference)


def as_bounds(bounds: object) -> np.ndarray:
    """Bounds as a float array of shape ``(d, 2)``, checked: finite and ``lo <= hi``."""
    try:
        array = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"bounds must be numbers as [[lo, hi], ...], not {bounds!r}") from None
    if array.shape == (2,):
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ValueError(f"bounds must have shape (d, 2) as [[lo, hi], ...], not {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"bounds must be finite, not {array.tolist()}")
    bad = np.flatnonzero(array[:, 0] > array[:, 1])
    if bad.size:
        i = int(bad[0])
        lo, hi = array[i]
        raise ValueError(
            f"bounds must have lo <= hi in every dimension, not [{lo}, {hi}] in dimension {i}"
        )
    return array
