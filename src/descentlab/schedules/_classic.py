"""The classic decays: constant, exponential, inverse time, inverse square root.

``t`` counts updates from 1, as the papers do (the first step is ``t = 1``). Every schedule
starts at its ``initial`` value at ``t = 1``; ``decay_steps`` stretches the time axis, so
``s = (t - 1) / decay_steps``:

=====================  ======================================
``Constant``            ``initial``
``ExponentialDecay``    ``initial * rate ** s``
``InverseTimeDecay``    ``initial / (1 + rate * s)``
``InverseSqrtDecay``    ``initial / sqrt(1 + s)``  (``alpha / sqrt(t)`` of the AMSGrad paper)
=====================  ======================================

The ``initial`` value may be an array over the batch, like any hyperparameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._validation import Hyper
from descentlab.schedules._base import Schedule


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
        return self.initial / namespace(t).sqrt(1.0 + (t - 1) / self.decay_steps)
