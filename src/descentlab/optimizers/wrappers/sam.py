"""SAM: the gradient taken at the worst nearby point, then any optimizer's step from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._structure import Structure
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers.wrappers._inner import Wrapper, inner_optimizer


class SAMState(NamedTuple):
    count: int
    cache: np.ndarray | float  # the point of the step (the one users evaluate)
    point: np.ndarray | float  # where the next gradient is taken (the runner's)
    inner: Any


@dataclass(frozen=True)
class SAM(Wrapper):
    """Sharpness-aware minimization (Foret, Kleiner, Mobahi & Neyshabur, ICLR 2021): two
    gradients a step, taken as two iterations of the run::

        odd iterations:   cache = x,  x = x + rho g(x) / ||g(x)||     (the ascent step)
        even iterations:  x = inner.step(cache, g(x))                 (the gradient at the
                                                                       perturbed point)

    Users evaluate ``cache`` during an ascent step (results and records show it). The norm is
    over a start's coordinates (through a bridge, over all its parameters). As
    ``optax.contrib.sam`` with ``adv_optimizer = chain(normalize(), sgd(rho))``.
    """

    name = "sam"
    couples_coordinates = True
    summary = "ascend to x + rho g/norm(g), then the inner step from x with the gradient there"
    reference = "Foret, Kleiner, Mobahi & Neyshabur, Sharpness-Aware Minimization for Efficiently Improving Generalization, ICLR 2021"  # noqa: E501

    inner: Optimizer | str = hyperparameter("gd", "the optimizer of the descent steps")
    rho: float | np.ndarray = hyperparameter(0.05, "radius of the ascent step, > 0")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(inner=inner_optimizer, rho=check.positive)

    def init(self, x: np.ndarray) -> SAMState:
        return SAMState(0, x, x, self.inner.init(x))

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        ascending = state.count % 2 == 0
        if isinstance(ascending, bool):
            if ascending:
                return self._ascent(x, grad), state._replace(
                    count=t, cache=x, point=self._ascent(x, grad)
                )
            descent, inner = self.inner.step(state.cache, grad, state.inner)
            return descent, SAMState(t, descent, descent, inner)
        ascent = self._ascent(x, grad)  # a traced count: both computed, one chosen
        descent, inner = self.inner.step(state.cache, grad, state.inner)
        point = xp.where(ascending, ascent, descent)
        return point, SAMState(t, xp.where(ascending, x, descent), point,
                               where_tree(ascending, state.inner, inner))  # fmt: skip

    def _ascent(self, x, grad):
        """``x + rho g / ||g||`` (``x`` where the gradient is 0)."""
        xp = namespace(grad)
        norm = xp.sqrt(xp.sum(grad * grad, axis=-1, keepdims=True))
        return x + check.per_row(self.rho) * grad / xp.where(norm > 0, norm, 1.0)

    def evaluation_point(self, x, state):
        return state.cache

    def gradient_point(self, evaluated, state):
        return state.point


def where_tree(condition, first, second):
    """``first`` where ``condition``, else ``second``, leaf by leaf (a traced step)."""
    from descentlab._trees import map_state

    return map_state(lambda a, b: namespace(b).where(condition, a, b)
                     if hasattr(b, "shape") else b, first, second)  # fmt: skip
