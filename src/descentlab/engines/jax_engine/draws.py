"""A run's random draws inside the compiled program: noise, minibatches, online rounds.

The same streams as the NumPy engine's (:mod:`descentlab.problems.stochastic.streams`): each
start's keys come from the host, the words are SplitMix64 in uint64 arithmetic and the normal
numbers come from the integer table of :mod:`descentlab.problems.stochastic.gaussian`, so a
compiled run draws exactly what the NumPy engine draws. The noise is applied by
``GradientNoise.apply``, a minibatch gradient by the problem's own ``batch_gradient`` and an
online round's coefficients by the problem's own ``coefficients``: written once for both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import lax

from descentlab.problems.stochastic.gaussian import table
from descentlab.problems.stochastic.streams import stream_normals, stream_words


@dataclass(frozen=True, eq=False)
class DrawPlan:
    """The static part: what is drawn (hashable, part of the compiled program's key)."""

    noise: object | None  # the GradientNoise (its kind and df; sigma is traced)
    batch_size: int | None
    online: object | None  # the OnlineProblem
    random_online: bool
    finite_sum: object | None  # the FiniteSum whose minibatches are drawn

    @property
    def pure(self) -> bool:
        """True when the gradient is a function of the point and the iteration alone (noise),
        with no state of its own (a minibatch order, an online run's sums)."""
        return self.online is None and self.batch_size is None

    # The problems are compared by identity: their data are in the program. The plan holds them,
    # so an id is never reused while a compiled program keyed by it lives.
    def _key(self) -> tuple:
        noise = None if self.noise is None else (self.noise.kind, self.noise.df)
        return noise, self.batch_size, id(self.online), self.random_online, id(self.finite_sum)

    def __hash__(self) -> int:
        return hash(self._key())

    def __eq__(self, other: object) -> bool:
        same = isinstance(other, DrawPlan) and self._key() == other._key()
        return same and self.online is other.online and self.finite_sum is other.finite_sum


class DrawInputs(NamedTuple):
    """The traced part: the starts' keys (one per purpose), the noise's scale, the table."""

    sigma: jnp.ndarray
    noise_keys: jnp.ndarray
    minibatch_keys: jnp.ndarray
    online_keys: jnp.ndarray
    table: jnp.ndarray


def draw_inputs(draws, n: int, dtype) -> DrawInputs:
    """The host's part of the draws of a run with ``n`` starts (empty arrays where unused)."""
    none = np.zeros(0, np.uint64)

    def keys(purpose: str, used: bool) -> np.ndarray:
        return draws.streams(n, purpose).keys if used else none

    noise = draws.noise is not None
    rows = table() if noise else np.zeros((0, 2))
    return DrawInputs(np.dtype(dtype).type(draws.noise.sigma if noise else 0.0),
                      keys("noise", noise), keys("minibatch", draws.batch_size is not None),
                      keys("online", draws.random_problem), rows)  # fmt: skip


def initial_extra(plan: DrawPlan, n: int, d: int, dtype) -> dict:
    """The loop's own state for the draws: a minibatch's order and its epoch, an online run's
    losses and coefficient sums."""
    extra = {}
    if plan.batch_size is not None:
        extra["order"] = jnp.zeros((n, plan.finite_sum.n_examples), jnp.int32)
        extra["epoch"] = jnp.int32(-1)
    if plan.online is not None:
        extra["loss"] = jnp.zeros(n, dtype)
        extra["total"] = jnp.zeros((n, d), dtype)
    return extra


def gradient(plan: DrawPlan | None, grad, inputs: DrawInputs, x, i, extra: dict):
    """The gradient the optimizer sees at ``x``, the ``i``-th point, and the updated state
    (``grad(x)`` itself when nothing is drawn, ``plan`` None)."""
    if plan is None:
        return grad(x), extra
    if plan.online is not None:
        g, extra = _online_round(plan, inputs, x, i, extra)
    elif plan.batch_size is not None:
        g, extra = _minibatch_gradient(plan, inputs, x, i, extra)
    else:
        g = grad(x)
    if plan.noise is not None:
        count = plan.noise.draws_per_gradient(x.shape[-1])
        z = stream_normals(inputs.noise_keys, i * count, count, inputs.table, jnp,
                           even=count % 2 == 0)  # fmt: skip
        g = plan.noise.apply(g, z.astype(x.dtype), inputs.sigma, jnp)
    return g, extra


def _online_round(plan: DrawPlan, inputs: DrawInputs, x, i, extra: dict):
    """Round ``i + 1``: its coefficients are the gradient; the losses and sums are kept."""
    n, d = x.shape

    def uniform(position, count: int):
        words = stream_words(inputs.online_keys, position, count, jnp)
        return ((words >> 11).astype(jnp.float64) + 0.5) * 2.0**-53

    c = plan.online.coefficients(i + 1, uniform if plan.random_online else None, n, d, jnp)
    c = jnp.asarray(c, x.dtype)
    extra = dict(extra, loss=extra["loss"] + jnp.sum(c * x, axis=-1), total=extra["total"] + c)
    return c, extra


def regret(plan: DrawPlan, extra: dict, dtype):
    """``R_t`` of every start after the rounds played so far."""
    bounds = jnp.asarray(plan.online.bounds, dtype)
    total = extra["total"]
    best = jnp.sum(jnp.minimum(total * bounds[:, 0], total * bounds[:, 1]), axis=-1)
    return extra["loss"] - best


def _minibatch_gradient(plan: DrawPlan, inputs: DrawInputs, x, i, extra: dict):
    """The mean gradient over the ``i``-th minibatch of each start's order of its epoch (a new
    order when the epoch changes; the last batch of an epoch may be smaller)."""
    problem, size = plan.finite_sum, plan.batch_size
    examples = problem.n_examples
    per_epoch = math.ceil(examples / size)
    epoch, batch = i // per_epoch, i % per_epoch

    def new_order(_):
        words = stream_words(inputs.minibatch_keys, epoch * examples, examples, jnp)
        return jnp.argsort(words, axis=1, stable=True).astype(jnp.int32)

    order = lax.cond(epoch != extra["epoch"], new_order, lambda _: extra["order"], None)
    extra = dict(extra, order=order, epoch=epoch.astype(jnp.int32))
    last = examples - (per_epoch - 1) * size  # the size of the epoch's last batch

    def taken(count: int):
        def gradient_of(_):
            index = lax.dynamic_slice_in_dim(order, batch * size, count, axis=1)
            return problem.batch_gradient(x, index)

        return gradient_of

    if last == size:
        return taken(size)(None), extra
    return lax.cond(batch == per_epoch - 1, taken(last), taken(size), None), extra
