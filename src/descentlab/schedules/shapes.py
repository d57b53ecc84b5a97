"""The schedules deep learning uses today: steps, lines, cosines and one cycle.

``t`` counts updates from 1, so ``s = t - 1`` is optax's ``count`` and the number of
``scheduler.step()`` calls PyTorch has made. Each class names its twins; ``tests/test_schedules``
checks them against both to 1e-12 over 1,000 steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._validation import Hyper
from descentlab.schedules._base import Schedule


def _steps(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {value!r}")
    return int(value)


def increasing_steps(values: Iterable[object]) -> tuple[int, ...]:
    """Boundaries between pieces of a schedule: whole steps >= 1, increasing."""
    steps = tuple(_steps("boundaries", value) for value in values)
    if list(steps) != sorted(set(steps)):
        raise ValueError(f"boundaries must increase, not {list(steps)}")
    return steps


@dataclass(frozen=True)
class StepDecay(Schedule):
    """``initial * rate ** floor((t - 1) / every)``: drop by ``rate`` every ``every`` steps.

    optax ``exponential_decay(initial, every, rate, staircase=True)``; PyTorch
    ``StepLR(step_size=every, gamma=rate)``."""

    initial: Hyper
    rate: float
    every: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        object.__setattr__(self, "rate", check.positive("rate", self.rate))
        object.__setattr__(self, "every", _steps("every", self.every))

    def __call__(self, t: int) -> Hyper:
        return self.initial * self.rate ** ((t - 1) // self.every)


@dataclass(frozen=True)
class PiecewiseConstant(Schedule):
    """``initial`` times every ``scales[k]`` whose ``boundaries[k] <= t - 1``.

    optax ``piecewise_constant_schedule(initial, dict(zip(boundaries, scales)))``; PyTorch
    ``MultiStepLR(milestones=boundaries, gamma)`` when every scale is ``gamma``."""

    initial: Hyper
    boundaries: tuple[int, ...]
    scales: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        bounds = increasing_steps(self.boundaries)
        scales = tuple(float(check.positive("scales", s)) for s in self.scales)
        if len(bounds) != len(scales):
            raise ValueError(f"boundaries and scales must pair up, not {len(bounds)} and "
                             f"{len(scales)}")  # fmt: skip
        object.__setattr__(self, "boundaries", bounds)
        object.__setattr__(self, "scales", scales)

    def __call__(self, t: int) -> Hyper:
        xp, value = namespace(t), self.initial
        for boundary, scale in zip(self.boundaries, self.scales, strict=True):
            value = xp.where(t - 1 >= boundary, value * scale, value)
        return value


@dataclass(frozen=True)
class LinearDecay(Schedule):
    """From ``initial`` to ``final`` in a straight line over ``steps`` steps, then ``final``.

    optax ``linear_schedule(initial, final, steps)``; PyTorch ``LinearLR(start_factor=1,
    end_factor=final / initial, total_iters=steps)``."""

    initial: Hyper
    final: float
    steps: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        object.__setattr__(self, "final", check.non_negative("final", self.final))
        object.__setattr__(self, "steps", _steps("steps", self.steps))

    def __call__(self, t: int) -> Hyper:
        left = 1.0 - namespace(t).minimum(t - 1, self.steps) / self.steps
        return (self.initial - self.final) * left + self.final


@dataclass(frozen=True)
class CosineDecay(Schedule):
    """Half a cosine from ``initial`` down to ``final`` over ``steps`` steps, then ``final``.

    optax ``cosine_decay_schedule(initial, steps, alpha=final / initial)``; PyTorch
    ``CosineAnnealingLR(T_max=steps, eta_min=final)`` for ``t - 1 <= steps`` (after that PyTorch
    climbs back up the cosine; this stays at ``final``, as optax does)."""

    initial: Hyper
    steps: int
    final: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "initial", check.positive("initial", self.initial))
        object.__setattr__(self, "steps", _steps("steps", self.steps))
        object.__setattr__(self, "final", check.non_negative("final", self.final))

    def __call__(self, t: int) -> Hyper:
        xp = namespace(t)
        cosine = 0.5 * (1.0 + xp.cos(math.pi * xp.minimum(t - 1, self.steps) / self.steps))
        return self.final + (self.initial - self.final) * cosine


@dataclass(frozen=True)
class OneCycle(Schedule):
    """Smith's one cycle: up from ``peak / div_factor`` to ``peak`` by half cosines, then down
    to ``peak / (div_factor * final_div_factor)`` at ``t = steps``; ``initial`` is the first
    value.

    PyTorch ``OneCycleLR(max_lr=peak, total_steps=steps, pct_start, div_factor,
    final_div_factor)`` (the rise ends at ``s = pct_start * steps - 1``); optax
    ``cosine_onecycle_schedule(steps - 1, peak, (pct_start * steps - 1) / (steps - 1),
    div_factor, final_div_factor)``, whose rise ends at ``int(pct_start * transition_steps)``."""

    peak: Hyper
    steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4

    def __post_init__(self) -> None:
        object.__setattr__(self, "peak", check.positive("peak", self.peak))
        object.__setattr__(self, "steps", _steps("steps", self.steps))
        if not 0 < self.pct_start < 1 or self.pct_start * self.steps < 2:
            raise ValueError(f"pct_start must be in (0, 1) with pct_start * steps >= 2, not "
                             f"{self.pct_start!r} of {self.steps} steps")  # fmt: skip
        object.__setattr__(self, "div_factor", check.positive("div_factor", self.div_factor))
        object.__setattr__(self, "final_div_factor",
                           check.positive("final_div_factor", self.final_div_factor))  # fmt: skip

    @property
    def initial(self) -> Hyper:  # type: ignore[override]
        return self.peak / self.div_factor

    def __call__(self, t: int) -> Hyper:
        xp = namespace(t)
        s = xp.minimum(t - 1, self.steps - 1)
        rise_end = self.pct_start * self.steps - 1.0
        low = self.initial / self.final_div_factor
        rise = _cosine_between(xp, self.initial, self.peak, s / rise_end)
        fall = _cosine_between(xp, self.peak, low, (s - rise_end) / (self.steps - 1 - rise_end))
        return xp.where(s <= rise_end, rise, fall)


def _cosine_between(xp, start: Hyper, end: Hyper, fraction: float) -> Hyper:
    """PyTorch's cosine annealing from ``start`` to ``end`` at ``fraction`` of the way."""
    return end + (start - end) / 2.0 * (xp.cos(math.pi * fraction) + 1.0)
