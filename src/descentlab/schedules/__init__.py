"""Schedules: small objects that map the iteration ``t`` (counted from 1) to a value.

Any optimizer argument documented as a step size accepts a number or a schedule; momentum-like
coefficients accept one where the optimizer says so. Every schedule starts at its ``initial``
value at ``t = 1``.

- ``Constant``, ``ExponentialDecay``, ``InverseTimeDecay``, ``InverseSqrtDecay`` (AMSGrad's
  ``alpha / sqrt(t)``): the classic decays;
- ``StepDecay`` (``StepLR``), ``PiecewiseConstant`` (``MultiStepLR``), ``LinearDecay``
  (``LinearLR``), ``CosineDecay`` (``CosineAnnealingLR``), ``OneCycle`` (``OneCycleLR``): the
  shapes of today's training recipes, each equal to its optax and PyTorch twins;
- ``Warmup`` (a straight line up to any schedule) and ``Join`` (one after another).
"""

from typing import TYPE_CHECKING

from descentlab._lazy import attach, homes_of, public_dir
from descentlab.schedules._base import Schedule, coefficient, step_size, value_at

# The schedule classes are imported on first use: an optimizer with a constant step needs none.
_HOMES = homes_of({
    "descentlab.schedules._classic":
        "Constant ExponentialDecay InverseSqrtDecay InverseTimeDecay",
    "descentlab.schedules.compose": "Join Warmup",
    "descentlab.schedules.kinds": "SCHEDULE_KINDS make_schedule",
    "descentlab.schedules.shapes": "CosineDecay LinearDecay OneCycle PiecewiseConstant StepDecay",
})  # fmt: skip
__getattr__ = attach(globals(), _HOMES)
__dir__ = public_dir(globals())

__all__ = sorted(["Schedule", "coefficient", "step_size", "value_at", *_HOMES])

if TYPE_CHECKING:
    from descentlab.schedules._classic import (
        Constant,
        ExponentialDecay,
        InverseSqrtDecay,
        InverseTimeDecay,
    )
    from descentlab.schedules.compose import Join, Warmup
    from descentlab.schedules.kinds import SCHEDULE_KINDS, make_schedule
    from descentlab.schedules.shapes import (
        CosineDecay,
        LinearDecay,
        OneCycle,
        PiecewiseConstant,
        StepDecay,
    )
