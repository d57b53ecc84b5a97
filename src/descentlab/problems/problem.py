"""A problem to minimize: the objective, its gradient, a box to start in, its known minimum."""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from descentlab._structure import Structure, as_structure
from descentlab.problems.gradients import CentralDifference, gradient_for
from descentlab.problems.outputs import OutputError
from descentlab.problems.vectorization import (
    HOW_TO_VECTORIZE,
    NotVectorizedWarning,
    Pointwise,
    is_vectorized,
    probe_points,
)

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
        :class:`~descentlab.problems.gradients.CentralDifference`), ``"torch"`` or ``"jax"``
        (automatic differentiation of an ``f`` written with those libraries' operations).
    bounds : array-like of shape (d, 2), optional
        ``[lo, hi]`` per dimension; random starts are drawn uniformly inside.
    minimum : float, optional
        The known global minimum value ``f*``, for tolerances and plots.
    minimizers : array-like of shape (k, d), optional
        The known global minimizers.
    name : str
        A name for reports.
    vectorized : bool or None
        Whether ``f`` (and ``grad``) map a batch ``(..., d)`` correctly. ``None`` (the default)
        checks it before the first use, by comparing the values on a small stack of points with
        the values one point at a time; a function that fails is evaluated point by point (right,
        but slower) with a :class:`~descentlab.problems.vectorization.NotVectorizedWarning`.
        ``True`` trusts the function; ``False`` evaluates point by point without checking or
        warning.
    structure : Structure or list of (name, shape), optional
        Which coordinates form which matrices and vectors (``[("W", (20, 10)), ("b", (10,))]``,
        row-major, in order): matrix-aware optimizers (Muon, Adafactor, SOAP, Shampoo) update
        each matrix as a matrix and layer-wise ones (LAMB, LARS) take norms per block; the rest
        ignore it. Without one the coordinates are one vector.
    """

    f: ArrayFunction
    grad: ArrayFunction | None = None
    bounds: np.ndarray | None = None
    minimum: float | None = None
    minimizers: np.ndarray | None = None
    #: True where f is dear (a full objective over a data set): a run evaluates it only at
    #: the iterations it records, not at every step.
    costly_values: ClassVar[bool] = False

    name: str = "problem"
    vectorized: bool | None = None
    structure: Structure | None = None
    _prepared: dict = field(default_factory=dict, init=False, repr=False, compare=False)

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
            object.__setattr__(self, "minimum", _finite_number("minimum", self.minimum))
        if self.vectorized not in (None, True, False):
            raise TypeError(f"vectorized must be True, False or None, not {self.vectorized!r}")
        if self.structure is not None:
            object.__setattr__(self, "structure", as_structure(self.structure, self.dim))
        if self.minimizers is not None:
            minimizers = np.atleast_2d(np.asarray(self.minimizers, dtype=float))
            if self.bounds is not None and minimizers.shape[-1] != self.dim:
                raise ValueError(
                    f"minimizers must have {self.dim} coordinates each to match bounds, "
                    f"not shape {minimizers.shape}"
                )
            object.__setattr__(self, "minimizers", minimizers)

    def _repr_html_(self) -> str:
        from descentlab.problems.html import problem_html

        return problem_html(self)

    @property
    def dim(self) -> int | None:
        """The number of variables, when the bounds say it."""
        return None if self.bounds is None else len(self.bounds)

    @property
    def gradient(self) -> ArrayFunction:
        """The gradient: the one given, or central finite differences of ``f``; for functions
        not known to be vectorized, checked (and made safe) at the first points it is called at."""
        if self.vectorized is not True:
            return lambda x: self.prepared_for(np.asarray(x, dtype=float)).gradient(x)
        return self.grad if self.grad is not None else CentralDifference(self.f)

    @property
    def has_exact_gradient(self) -> bool:
        """True for a given or automatic gradient, False for finite differences."""
        return self.grad is not None and not isinstance(self.grad, CentralDifference)

    def prepared_for(self, x: np.ndarray) -> Problem:
        """This problem, ready to be evaluated on batches of points like ``x`` (shape ``(..., d)``).

        A function not known to be vectorized is checked once per dimension near the first
        point of ``x`` (see ``vectorized``); the answer is kept, so later runs do not check again.
        """
        if self.vectorized is True:
            return self
        d = x.shape[-1]
        if d not in self._prepared:
            try:
                self._prepared[d] = _prepare(self, np.reshape(x, (-1, d))[0])
            except OutputError:
                raise
            except Exception:  # it fails even point by point near x: use it as it is (not
                # kept), and the run reports the error where it happens, as status "error"
                return dataclasses.replace(self, vectorized=True)
        return self._prepared[d]


def _prepare(problem: Problem, center: np.ndarray) -> Problem:
    """``problem`` with ``f`` and ``grad`` made safe on batches (point by point where needed)."""
    points = probe_points(center)
    check = problem.vectorized is None
    f_ok = check and is_vectorized(problem.f, points, "objective")
    f = problem.f if f_ok else Pointwise(problem.f, "objective")
    grad, grad_ok = problem.grad, True
    if grad is None or isinstance(grad, CentralDifference):
        grad = None if grad is None else CentralDifference(f)
    else:
        grad_ok = check and is_vectorized(grad, points, "gradient")
        grad = grad if grad_ok else Pointwise(grad, "gradient")
    slow = [what for what, ok in (("objective", f_ok), ("gradient", grad_ok)) if not ok]
    if check and slow:
        warnings.warn(
            f"the {' and the '.join(slow)} of {problem.name!r} {'is' if len(slow) == 1 else 'are'} "
            "not vectorized over leading axes (on a stack of points it gives other values than "
            "point by point): descentlab evaluates it one point at a time, which is right but "
            f"slower; {HOW_TO_VECTORIZE}",
            NotVectorizedWarning,
            stacklevel=4,
        )
    return dataclasses.replace(problem, f=f, grad=grad, vectorized=True)


def _finite_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number or None, not {value!r}")
    return float(value)


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
