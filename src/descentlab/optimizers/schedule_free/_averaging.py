"""What both schedule-free methods share: the warm-up of the step size, the weight of the new
point in the average, and the two points (users evaluate ``x``; gradients are taken at ``y``).
"""

from __future__ import annotations

from descentlab import _validation as check
from descentlab._namespace import is_number, namespace, power
from descentlab.schedules import value_at


def warmed_step(optimizer, step: str, t):
    """The step size at step ``t``: a straight line up over ``warmup_steps`` steps, then flat
    (``step`` names the field that holds it)."""
    value = value_at(getattr(optimizer, step), t)
    if optimizer.warmup_steps == 0:
        return value
    xp = namespace(t) if not isinstance(t, int) else None
    ramp = t / optimizer.warmup_steps
    ramp = min(ramp, 1.0) if xp is None else xp.minimum(ramp, 1.0)
    return value * ramp


def average_weight(optimizer, lr, t, state):
    """``c(t) = w(t) / sum of w``, ``w(t) = t**r max lr**weight_lr_power`` (the paper's
    weighting, which gives the first steps of a warm-up little weight), and the new running
    maximum and sum. Numbers stay numbers; arrays (one value per start) stay arrays."""
    arrays = [v for v in (lr, state.lr_max, state.weight_sum, optimizer.r,
                          optimizer.weight_lr_power) if not is_number(v)]  # fmt: skip
    if not arrays and isinstance(t, int):
        lr_max = max(float(state.lr_max), float(lr))
        weight = power(float(t), optimizer.r) * power(lr_max, optimizer.weight_lr_power)
        weight_sum = float(state.weight_sum) + weight
        return (weight / weight_sum if weight_sum > 0 else 0.0), lr_max, weight_sum
    xp = namespace(arrays[0] if arrays else t)
    lr_max = xp.maximum(state.lr_max, lr)
    r, p = check.per_row(optimizer.r), check.per_row(optimizer.weight_lr_power)
    weight = power(t, r) * power(lr_max, p)
    weight_sum = state.weight_sum + weight
    c = xp.where(weight_sum > 0, weight / xp.where(weight_sum > 0, weight_sum, 1.0), 0.0)
    return c, lr_max, weight_sum


def interpolated(x, z, beta):
    """``y = beta x + (1 - beta) z``: where the next gradient is taken."""
    beta = check.per_row(beta)
    return beta * x + (1.0 - beta) * z


def checks() -> dict:
    """The checks of the hyperparameters both methods have."""
    return {
        "warmup_steps": lambda name, value: check.whole(name, value, 0),
        "r": check.non_negative,
        "weight_lr_power": check.non_negative,
    }
