"""What an iteration of the NumPy engine's loop checks and holds: the step rule's choice, the
starts that stopped held where they were (their points, values and state), the finite tests
and the divergence they find, and a callback's answer."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from descentlab.engines.numpy_engine.run_state import RunState
from descentlab.results.result import Status

if TYPE_CHECKING:
    from descentlab.engines.numpy_engine.loop import Loop


def apply_rule(loop: Loop, x: np.ndarray, proposed: np.ndarray):
    """Scale the optimizer's proposed update by the step rule's multiplier, start by start."""
    from descentlab.optimizers.step_rules import StepContext

    d = x.shape[-1]
    flat = x.reshape(-1, d)
    if loop.rule_memory is None:
        loop.rule_memory = loop.step_rule.initial_memory(*flat.shape)
    update = np.where(loop.run.active[..., np.newaxis], proposed - x, 0.0)  # done: no search
    context = StepContext(flat, np.reshape(loop.fx, -1), loop.g.reshape(-1, d),
                          update.reshape(-1, d), loop.evaluate.values_of,
                          loop.evaluate.gradients_of, loop.stopping.minimum,
                          loop.rule_memory)  # fmt: skip
    # the evaluator counts the calls as they are made; the rule's own count is the JAX engine's
    t, loop.rule_memory, _ = loop.step_rule.multipliers(context)
    t = t.reshape(x.shape[:-1])
    moved = x + t[..., np.newaxis] * update
    state = loop.optimizer.scale_update(loop.state, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = norm(moved - x) / norm(loop.g)
    return moved, state, step


def held(active: np.ndarray, x_new: np.ndarray, f_new, x: np.ndarray, fx):
    """The new points and values, with every stopped start held at its old point and value."""
    x_new = np.where(active[..., np.newaxis], x_new, x)
    x_new.flags.writeable = False
    return x_new, None if f_new is None else np.where(active, f_new, fx)


def held_state(active: np.ndarray, state, before):
    """The optimizer's state with every stopped start's part held at ``before``: each array
    field's leading axes are the batch's (a number, such as the count, is the run's)."""
    from descentlab._trees import map_state

    batch = active.ndim

    def hold(new, old):
        if np.ndim(new) < batch or np.ndim(new) == 0:
            return new
        mask = np.reshape(active, active.shape + (1,) * (np.ndim(new) - batch))
        return np.where(mask, new, old)

    return map_state(hold, state, before)


def wants_stop(answer: object) -> bool:
    """A callback's answer: None or anything false goes on, anything true stops."""
    if answer is None:
        return False
    try:
        return bool(answer)
    except ValueError:
        raise TypeError(
            "the callback must return True (stop), False or None (go on), not an array of "
            f"shape {np.shape(answer)}"
        ) from None


def all_finite(fx, x: np.ndarray) -> bool:
    """True when every coordinate (and value, if any) is finite, in one scalar test for speed.

    A sum of squares is finite only if all its terms are (``x.dot(x)`` on the flat array, the
    quickest reduction NumPy has); the rare overflow of finite numbers only sends the run to
    the precise per-start check, which finds nothing.
    """
    flat = x.reshape(-1)
    if not math.isfinite(flat.dot(flat)):
        return False
    if fx is None:
        return True
    if type(fx) is np.float64:
        return math.isfinite(fx)
    values = np.reshape(fx, -1)
    return math.isfinite(values.dot(values))


def mark_diverged(run: RunState, fx, g, x_new, i: int) -> None:
    """Give the starts that just produced non-finite numbers the status ``diverged``."""
    bad_point = ~np.isfinite(x_new).all(axis=-1)
    bad = bad_point if fx is None else ~np.isfinite(fx) | bad_point
    for what, culprit in (
        ("gradient", ~np.isfinite(g).all(axis=-1)),
        ("point", bad_point),
        ("value", bad),
    ):
        run.stop(bad & culprit, i - 1, Status.DIVERGED, f"non-finite {what} at iteration {i}")


def norm(g: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...i,...i->...", g, g))
