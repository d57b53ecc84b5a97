"""Schedules by name, as the command line asks for them."""

from __future__ import annotations

from descentlab import _validation as check
from descentlab.schedules._base import Schedule
from descentlab.schedules._classic import (
    Constant,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
)
from descentlab.schedules.compose import Warmup
from descentlab.schedules.shapes import (
    CosineDecay,
    LinearDecay,
    OneCycle,
    PiecewiseConstant,
    StepDecay,
)

SCHEDULE_KINDS = ("constant", "exponential", "inverse-time", "inverse-sqrt", "step", "linear",
                  "cosine", "one-cycle", "piecewise")  # fmt: skip
#: The kinds whose decay_steps is a whole number of steps, not a time scale.
COUNTED = ("step", "linear", "cosine", "one-cycle")


def make_schedule(
    kind: str,
    initial: object,
    rate: float | None = None,
    decay_steps: float = 1.0,
    *,
    final: float = 0.0,
    warmup: int | None = None,
    warmup_start: float = 0.0,
    n_iter: int | None = None,
    boundaries: tuple[int, ...] = (),
    scales: tuple[float, ...] = (),
) -> Schedule:
    """A schedule by name: ``rate`` for exponential, inverse-time and step decay; ``decay_steps``
    its time scale (the whole number of steps of step, linear, cosine and one-cycle);
    ``final`` where linear and cosine end; ``boundaries`` and ``scales`` of a piecewise
    constant schedule; ``warmup`` steps of a straight line from ``warmup_start`` first.
    With ``n_iter``, a warmup as long as the run is refused."""
    check.one_of("schedule", kind, SCHEDULE_KINDS)
    if kind in ("exponential", "inverse-time", "step") and rate is None:
        raise ValueError(f"schedule {kind!r} needs a decay rate, and none was given")
    if kind in COUNTED:
        if float(decay_steps) != int(decay_steps) or decay_steps < 1:
            raise ValueError(f"schedule {kind!r} needs decay_steps as a whole number of steps "
                             f">= 1, not {decay_steps!r}")  # fmt: skip
        decay_steps = int(decay_steps)
    if kind == "piecewise":
        if not boundaries:
            raise ValueError("schedule 'piecewise' needs boundaries and scales")
        schedule: Schedule = PiecewiseConstant(initial, tuple(boundaries), tuple(scales))
    else:
        schedule = _plain_kind(kind, initial, rate, decay_steps, final)
    if warmup is None:
        return schedule
    if n_iter is not None and warmup >= n_iter:
        raise ValueError(f"warmup must be shorter than the run ({n_iter} iterations), not "
                         f"{warmup} steps")  # fmt: skip
    return Warmup(schedule, warmup, warmup_start)


def _plain_kind(kind, initial, rate, decay_steps, final) -> Schedule:
    if kind == "constant":
        return Constant(initial)
    if kind == "exponential":
        return ExponentialDecay(initial, rate, decay_steps)
    if kind == "inverse-time":
        return InverseTimeDecay(initial, rate, decay_steps)
    if kind == "inverse-sqrt":
        return InverseSqrtDecay(initial, decay_steps)
    if kind == "step":
        return StepDecay(initial, rate, decay_steps)
    if kind == "linear":
        return LinearDecay(initial, final, decay_steps)
    if kind == "cosine":
        return CosineDecay(initial, decay_steps, final)
    return OneCycle(initial, decay_steps)
