"""Checks of hyperparameters at the public boundary.

Every check returns the value in the form the update steps use: a Python float for a
scalar, or a float array for a per-setting batch. An array hyperparameter has the shape
of the batch (the leading dimensions of ``x``, without the last one), so that a sweep
can run many settings in one pass; :func:`per_row` adds the trailing axis that lets it
broadcast against ``x`` of shape ``(..., d)``.
"""

from __future__ import annotations

import numbers

import numpy as np

Hyper = float | np.ndarray


def as_hyper(name: str, value: object) -> Hyper:
    """Return ``value`` as a float or a float array, or raise a TypeError naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number or an array of numbers, not {value!r}")
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, not {value!r}") from None
    return float(array) if array.ndim == 0 else array


def _describe(value: Hyper) -> str:
    if isinstance(value, np.ndarray):
        bad = value.ravel()[0]
        return f"an array containing {bad!r}"
    return repr(value)


def _check(name: str, value: object, ok, allowed: str) -> Hyper:
    hyper = as_hyper(name, value)
    with np.errstate(invalid="ignore"):
        good = np.asarray(ok(np.asarray(hyper)))
    if not good.all():
        offender = hyper if not isinstance(hyper, np.ndarray) else hyper[~good]
        raise ValueError(f"{name} must be {allowed}, not {_describe(offender)}")
    return hyper


def positive(name: str, value: object) -> Hyper:
    """A finite number > 0 (step sizes, learning rates)."""
    return _check(name, value, lambda a: np.isfinite(a) & (a > 0), "finite and > 0")


def non_negative(name: str, value: object) -> Hyper:
    """A finite number >= 0 (eps, weight decay)."""
    return _check(name, value, lambda a: np.isfinite(a) & (a >= 0), "finite and >= 0")


def unit_interval(name: str, value: object) -> Hyper:
    """A number in [0, 1) (momentum, betas)."""
    return _check(name, value, lambda a: (a >= 0) & (a < 1), "in [0, 1)")


#: What each check allows, as bounds a schema can state (``gt``, ``ge``, ``lt``): read by
#: :meth:`descentlab.optimizers.Optimizer.domains` for the playground's API document.
positive.domain = {"gt": 0.0}  # type: ignore[attr-defined]
non_negative.domain = {"ge": 0.0}  # type: ignore[attr-defined]
unit_interval.domain = {"ge": 0.0, "lt": 1.0}  # type: ignore[attr-defined]


def one_of(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """One of the strings in ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, not {value!r}")
    return str(value)


def per_row(value: Hyper) -> Hyper:
    """Give an array hyperparameter a trailing axis so it broadcasts over ``(..., d)``.

    Numbers (and 0-d arrays, such as a traced scalar in the JAX engine) broadcast as they are.
    """
    if type(value) is float or not getattr(value, "ndim", 0):
        return value
    return value[..., np.newaxis]


def flag(name: str, value: object) -> bool:
    """A switch: True or False (NumPy booleans allowed)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, not {value!r}")
    return bool(value)


def whole(name: str, value: object, least: int = 1) -> int:
    """A whole number >= ``least`` (warm-up steps, a synchronization period)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, not {value!r}")
    return int(value)


def in_range(low: float, high: float, *, closed: bool = False, include_high: bool = False):
    """A check of a number in ``(low, high)``: ``[low, high]`` when ``closed``, ``(low, high]``
    with ``include_high``."""
    if closed:
        inside, shown, domain = (lambda a: (a >= low) & (a <= high)), f"[{low:g}, {high:g}]", \
            {"ge": low, "le": high}  # fmt: skip
    elif include_high:
        inside, shown, domain = (lambda a: (a > low) & (a <= high)), f"({low:g}, {high:g}]", \
            {"gt": low, "le": high}  # fmt: skip
    else:
        inside, shown, domain = (lambda a: (a > low) & (a < high)), f"({low:g}, {high:g})", \
            {"gt": low, "lt": high}  # fmt: skip

    def check(name: str, value: object) -> Hyper:
        return _check(name, value, inside, f"in {shown}")

    check.domain = domain  # type: ignore[attr-defined]
    return check
