"""Lookahead: k fast steps of any optimizer, then the slow weights move part of the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._structure import Structure
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers.wrappers._inner import Wrapper, inner_optimizer


class LookaheadState(NamedTuple):
    count: int
    slow: np.ndarray | float  # the point users evaluate
    fast: np.ndarray | float  # the point the inner optimizer steps (the runner's)
    inner: Any


@dataclass(frozen=True)
class Lookahead(Wrapper):
    """Lookahead (Zhang, Lucas, Hinton & Ba, NeurIPS 2019) around any optimizer::

        fast = inner.step(fast, g(fast))                      (every step)
        every k steps:  slow = slow + alpha (fast - slow),  fast = slow

    Gradients are taken at the fast weights; users evaluate the slow ones, which results,
    records and pictures show. As ``optax.lookahead`` (without resetting the inner state).
    """

    name = "lookahead"
    summary = "k fast steps of the inner optimizer, then slow = slow + alpha (fast - slow)"
    reference = (
        "Zhang, Lucas, Hinton & Ba, Lookahead Optimizer: k steps forward, 1 step back, NeurIPS 2019"
    )

    inner: Optimizer | str = hyperparameter("adam", "the optimizer of the fast steps")
    k: int = hyperparameter(6, "fast steps between syncs, >= 1")
    alpha: float | np.ndarray = hyperparameter(0.5, "how far the slow weights move, in (0, 1]")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(inner=inner_optimizer, k=check.whole,
                       alpha=check.in_range(0.0, 1.0, include_high=True))  # fmt: skip

    def init(self, x: np.ndarray) -> LookaheadState:
        return LookaheadState(0, x, x, self.inner.init(x))

    def step(self, x, grad, state):
        t = state.count + 1
        fast, inner = self.inner.step(x, grad, state.inner)
        sync = (t % self.k) == 0
        slow = state.slow + check.per_row(self.alpha) * (fast - state.slow)
        if isinstance(sync, bool):
            slow = slow if sync else state.slow
            fast = slow if sync else fast
        else:  # a traced count: both computed, one chosen
            xp = namespace(fast)
            slow, fast = xp.where(sync, slow, state.slow), xp.where(sync, slow, fast)
        return fast, LookaheadState(t, slow, fast, inner)

    def evaluation_point(self, x, state):
        return state.slow

    def gradient_point(self, evaluated, state):
        return state.fast
