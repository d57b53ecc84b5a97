"""Step-size schedules: small objects that map the iteration ``t`` to a value.

``t`` counts updates from 1, as the papers do (the first step is ``t = 1``). Every schedule
starts at its ``initial`` value at ``t = 1``; ``decay_steps`` stretches the time axis, so
``s = (t - 1) / decay_steps``:

=====================  ======================================
``Constant``            ``initial``
``ExponentialDecay``    ``initial * rate ** s``
``InverseTimeDecay``    ``initial / (1 + rate * s)``
``InverseSqrtDecay``    ``initial / sqrt(1 + s)``  (``alpha / sqrt(t)`` of the AMSGrad paper)
=====================  ======================================

Any optimizer argument documented as a step size accepts a number or one of these. The
``initial`` value may be an array over the batch, like any hyperparameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab._validation import Hyper


class Schedule:
    """Base class: a value that depends on the iteration ``t`` (counted from 1)."""

    initial: Hyper

    def __call__(self, t: int) -> Hyper:
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Schedule):
    """The same value at every iteration."""

    initial: Hyper

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))

    def __call__(self, t: int) -> Hyper:
        return self.initial


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """``initial * rate ** ((t - 1) / decay_steps)``, with ``rate`` in (0, 1]."""

    initial: Hyper
    rate: float
    decay_steps: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        rate = check.positive("rate", self.rate)
        if not np.all(np.asarray(rate) <= 1):
            raise ValueError(f"rate must be in (0, 1], not {self.rate!r}")
        object.__setattr__(self, "rate", rate)
        object.__setattr__(self, "decay_steps", check.positive("decay_steps", self.decay_steps))

    def __call__(self, t: int) -> Hyper:
        return self.initial * self.rate ** ((t - 1) / self.decay_steps)


@dataclass(frozen=True)
class InverseTimeDecay(Schedule):
    """``initial / (1 + rate * (t - 1) / decay_steps)``, with ``rate >= 0``."""

    initial: Hyper
    rate: float
    decay_steps: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        object.__setattr__(self, "rate", check.non_negative("rate", self.rate))
        object.__setattr__(self, "decay_steps", check.positive("decay_steps", self.decay_steps))

    def __call__(self, t: int) -> Hyper:
        return self.initial / (1.0 + self.rate * (t - 1) / self.decay_steps)


@dataclass(frozen=True)
class InverseSqrtDecay(Schedule):
    """``initial / sqrt(1 + (t - 1) / decay_steps)``; ``decay_steps=1``: ``initial / sqrt(t)``."""

    initial: Hyper
    decay_steps: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        object.__setattr__(self, "decay_steps", check.positive("decay_steps", self.decay_steps))

    def __call__(self, t: int) -> Hyper:
        return self.initial / math.sqrt(1.0 + (t - 1) / self.decay_steps)


def step_size(name: str, value: object) -> Hyper | Schedule:
    """Validate a step size given as a number, an array, or a :class:`Schedule`."""
    if isinstance(value, Schedule):
        return value
    return check.positive(name, value)


def value_at(value: Hyper | Schedule, t: int) -> Hyper:
    """The value of a hyperparameter at iteration ``t``, ready to broadcast over ``(..., d)``."""
    if isinstance(value, Schedule):
        value = value(t)
    return check.per_row(value)


SCHEDULE_KINDS = ("constant", "exponential", "inverse-time", "inverse-sqrt")


def make_schedule(
    kind: str, initial: object, rate: float | None = None, decay_steps: float = 1.0
) -> Schedule:
    """A schedule by name, as the command line asks for it (``rate`` where the kind needs one)."""
    check.one_of("schedule", kind, SCHEDULE_KINDS)
    if kind in ("exponential", "inverse-time") and rate is None:
        raise ValueError(f"schedule {kind!r} needs a decay rate, and none was given")
    if kind == "constant":
        return Constant(initial)
    if kind == "exponential":
        return ExponentialDecay(initial, rate, decay_steps)
    if kind == "inverse-time":
        return InverseTimeDecay(initial, rate, decay_steps)
    return InverseSqrtDecay(initial, decay_steps)


def coefficient(name: str, value: object) -> Hyper | Schedule:
    """Validate a momentum-like coefficient in [0, 1) given as a number, an array or a schedule."""
    if isinstance(value, Schedule):
        check.unit_interval(f"{name}.initial", value.initial)
        return value
    return check.unit_interval(name, value)
