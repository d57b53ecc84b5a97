"""What a schedule is, and how optimizers read hyperparameters that may be one."""

from __future__ import annotations

from descentlab import _validation as check
from descentlab._validation import Hyper


class Schedule:
    """Base class: a value that depends on the iteration ``t`` (counted from 1)."""

    initial: Hyper

    def __call__(self, t: int) -> Hyper:
        raise NotImplementedError


def step_size(name: str, value: object) -> Hyper | Schedule:
    """Validate a step size given as a number, an array, or a :class:`Schedule`."""
    if isinstance(value, Schedule):
        return value
    return check.positive(name, value)


step_size.domain = {"gt": 0.0}  # type: ignore[attr-defined]  (as a number)


def value_at(value: Hyper | Schedule, t: int) -> Hyper:
    """The value of a hyperparameter at iteration ``t``, ready to broadcast over ``(..., d)``."""
    if type(value) is float:  # the common case, first
        return value
    if isinstance(value, Schedule):
        value = value(t)
    return check.per_row(value)


def coefficient(name: str, value: object) -> Hyper | Schedule:
    """Validate a momentum-like coefficient in [0, 1) given as a number, an array or a schedule."""
    if isinstance(value, Schedule):
        check.unit_interval(f"{name}.initial", value.initial)
        for end in ("final", "peak"):  # the other value a bounded schedule reaches
            if hasattr(value, end):
                check.unit_interval(f"{name}.{end}", getattr(value, end))
        return value
    return check.unit_interval(name, value)


coefficient.domain = {"ge": 0.0, "lt": 1.0}  # type: ignore[attr-defined]  (as a number)
