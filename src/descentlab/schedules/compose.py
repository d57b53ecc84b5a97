"""Schedules made of schedules: a linear warmup before any of them, and one after another."""

from __future__ import annotations

from dataclasses import dataclass

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._validation import Hyper
from descentlab.schedules._base import Schedule
from descentlab.schedules.shapes import _steps, increasing_steps


@dataclass(frozen=True)
class Warmup(Schedule):
    """A straight line from ``start`` up to ``schedule.initial`` over ``steps`` steps, then
    ``schedule`` from its own beginning (its ``t = 1`` at ``t = steps + 1``).

    optax ``join_schedules([linear_schedule(start, peak, steps), schedule], [steps])``; with a
    :class:`~descentlab.schedules.CosineDecay` of ``decay_steps - steps`` it is optax's
    ``warmup_cosine_decay_schedule(start, peak, steps, decay_steps, end_value)``. PyTorch:
    ``SequentialLR([LinearLR(start_factor=start / peak, total_iters=steps), ...],
    milestones=[steps])`` (PyTorch needs ``start > 0``)."""

    schedule: Schedule
    steps: int
    start: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"schedule must be a schedule to warm up to, not {self.schedule!r}")
        object.__setattr__(self, "steps", _steps("steps", self.steps))
        object.__setattr__(self, "start", check.non_negative("start", self.start))

    @property
    def initial(self) -> Hyper:  # type: ignore[override]
        return self.start

    def __call__(self, t: int) -> Hyper:
        xp, s, peak = namespace(t), t - 1, self.schedule.initial
        line = (self.start - peak) * (1.0 - s / self.steps) + peak
        # both sides are computed (an array t takes both); the schedule at t >= 1 only
        after = self.schedule(xp.maximum(t - self.steps, 1))
        return xp.where(s < self.steps, line, after)


@dataclass(frozen=True)
class Join(Schedule):
    """``schedules[0]`` until ``t - 1`` reaches ``boundaries[0]``, then ``schedules[1]`` from its
    own beginning, and so on: optax ``join_schedules(schedules, boundaries)``."""

    schedules: tuple[Schedule, ...]
    boundaries: tuple[int, ...]

    def __post_init__(self) -> None:
        schedules = tuple(self.schedules)
        if not schedules or not all(isinstance(s, Schedule) for s in schedules):
            raise TypeError(f"schedules must be schedules, not {self.schedules!r}")
        bounds = increasing_steps(self.boundaries)
        if len(bounds) != len(schedules) - 1:
            raise ValueError(f"give one boundary fewer than schedules ({len(schedules) - 1}), "
                             f"not {len(bounds)}")  # fmt: skip
        object.__setattr__(self, "schedules", schedules)
        object.__setattr__(self, "boundaries", bounds)

    @property
    def initial(self) -> Hyper:  # type: ignore[override]
        return self.schedules[0].initial

    def __call__(self, t: int) -> Hyper:
        xp, value = namespace(t), self.schedules[0](t)
        for boundary, schedule in zip(self.boundaries, self.schedules[1:], strict=True):
            later = schedule(xp.maximum(t - boundary, 1))  # each schedule at its own t >= 1
            value = xp.where(t - 1 >= boundary, later, value)
        return value
