"""A neural network as a finite sum: ``mlp-digits``, one hidden layer on scikit-learn's digits.

The weights of one network are one flat vector ``x = [W1, b1, W2, b2]`` (``W1``: ``(p, h)``,
``b1``: ``(h,)``, ``W2``: ``(h, c)``, ``b2``: ``(c,)``, each row-major), so every optimizer,
the runner, sweeps and the JAX engine train it as they minimize any function; a batch of ``n``
starts ``(n, d)`` is ``n`` networks trained in one run (replicates, or a grid of settings).

::

    hidden = tanh(a W1 + b1),   logits = hidden W2 + b2
    f_i(x) = logsumexp(logits_i) - logits_i[y_i]  (cross-entropy)   f = mean_i f_i + l2/2 ||x||^2

The gradient is backpropagation written by hand against the array API (``@``, ``tanh``,
``exp``, sums), batched over networks: ``dlogits = softmax - onehot(y)``, then back through
``W2`` and ``1 - hidden**2``. ``tests/test_network.py`` holds it to PyTorch's autograd.
Minibatches work as for the other finite sums: each start draws its own order of the examples
every epoch. The box the starts are drawn from is Glorot's uniform initialization (biases 0).
There is no known minimum.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.stochastic.finite_sum import (
    FiniteSum,
    _sklearn_datasets,
    _standardized,
)


@dataclass(frozen=True)
class Network(FiniteSum):
    """A one-hidden-layer tanh network with a softmax output: ``features`` ``(N, p)``,
    ``targets`` the classes ``0 .. c-1`` as numbers, ``hidden`` units."""

    hidden: int = 32
    classes: int = 10

    @property
    def shapes(self) -> tuple[int, int, int]:
        return self.features.shape[1], self.hidden, self.classes

    def batch_gradient(self, x, index):
        """The mean gradient over the examples ``index`` (``(n, B)``) for each network
        ``x[k]`` (in the namespace of ``x``: the JAX engine traces it)."""
        xp = namespace(x)
        onehot = xp.asarray(_onehot(self.targets, self.classes))
        a = xp.take(xp.asarray(self.features), index, axis=0)
        return backpropagation(x, a, xp.take(onehot, index, axis=0), self.shapes, self.l2)


def weight_count(p: int, h: int, c: int) -> int:
    return p * h + h + h * c + c


def unpack(x, shapes: tuple[int, int, int]):
    """``W1, b1, W2, b2`` of the networks ``x`` (``(..., d)``), as views."""
    p, h, c = shapes
    xp = namespace(x)
    lead = tuple(x.shape[:-1])
    cuts = np.cumsum([0, p * h, h, h * c, c])
    w1 = xp.reshape(x[..., cuts[0] : cuts[1]], (*lead, p, h))
    b1 = x[..., cuts[1] : cuts[2]]
    w2 = xp.reshape(x[..., cuts[2] : cuts[3]], (*lead, h, c))
    b2 = x[..., cuts[3] : cuts[4]]
    return w1, b1, w2, b2


def forward(x, a, shapes):
    """The hidden activations and the logits of the networks ``x`` on the examples ``a``
    (``(N, p)`` for all networks, or ``(..., B, p)`` one set per network)."""
    xp = namespace(x)
    w1, b1, w2, b2 = unpack(x, shapes)
    hidden = xp.tanh(a @ w1 + b1[..., None, :])
    return hidden, hidden @ w2 + b2[..., None, :]


def log_sum_exp(xp, logits):
    top = xp.max(logits, axis=-1, keepdims=True)
    return top[..., 0] + xp.log(xp.sum(xp.exp(logits - top), axis=-1))


def loss(x, a, onehot, shapes, l2: float):
    """The mean cross-entropy of the networks ``x`` over the examples (and the L2 penalty)."""
    xp = namespace(x)
    _, logits = forward(x, a, shapes)
    picked = xp.sum(logits * onehot, axis=-1)
    value = xp.mean(log_sum_exp(xp, logits) - picked, axis=-1)
    return value + 0.5 * l2 * xp.sum(x * x, axis=-1) if l2 else value


def backpropagation(x, a, onehot, shapes, l2: float):
    """The gradient of :func:`loss` by the chain rule, layer by layer, for every network."""
    xp = namespace(x)
    _, _, w2, _ = unpack(x, shapes)
    hidden, logits = forward(x, a, shapes)
    count = logits.shape[-2]
    probs = xp.exp(logits - log_sum_exp(xp, logits)[..., None])
    dlogits = (probs - onehot) / count
    dhidden = (dlogits @ w2.mT) * (1.0 - hidden * hidden)
    at = a.mT
    parts = [at @ dhidden, xp.sum(dhidden, axis=-2), hidden.mT @ dlogits, xp.sum(dlogits, axis=-2)]
    lead = tuple(x.shape[:-1])
    g = xp.concat([xp.reshape(part, (*lead, -1)) for part in parts], axis=-1)
    return g + l2 * x if l2 else g


def _onehot(targets: np.ndarray, classes: int) -> np.ndarray:
    return (np.asarray(targets, dtype=int)[:, None] == np.arange(classes)).astype(float)


def glorot_box(shapes: tuple[int, int, int]) -> np.ndarray:
    """Glorot's uniform initialization as a box: ``+-sqrt(6 / (fan_in + fan_out))`` for the
    weights, 0 for the biases."""
    p, h, c = shapes
    first, second = math.sqrt(6.0 / (p + h)), math.sqrt(6.0 / (h + c))
    half = np.concatenate([np.full(p * h, first), np.zeros(h), np.full(h * c, second),
                           np.zeros(c)])  # fmt: skip
    return np.column_stack([-half, half])


def network(name: str, features: np.ndarray, classes: np.ndarray, hidden: int,
            l2: float) -> Network:  # fmt: skip
    """A classification network on ``features`` (standardized here) and integer ``classes``."""
    if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
        raise ValueError(f"hidden must be a whole number of units >= 1, not {hidden!r}")
    if not (isinstance(l2, int | float) and math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, not {l2!r}")
    a = _standardized(np.asarray(features, dtype=float))
    y = np.asarray(classes, dtype=float)
    c = int(y.max()) + 1
    shapes = (a.shape[1], hidden, c)
    onehot = _onehot(y, c)
    return Network(
        f=functools.partial(_full_loss, a, onehot, shapes, float(l2)),
        grad=functools.partial(_full_gradient, a, onehot, shapes, float(l2)),
        bounds=glorot_box(shapes),
        name=name,
        vectorized=True,
        features=a,
        targets=y,
        loss="cross-entropy",
        l2=float(l2),
        hidden=hidden,
        classes=c,
    )


def _full_loss(a, onehot, shapes, l2, x):
    return loss(x, a, onehot, shapes, l2)


def _full_gradient(a, onehot, shapes, l2, x):
    return backpropagation(x, a, onehot, shapes, l2)


@functools.cache
def mlp_digits(hidden: int = 32, l2: float = 1e-4) -> Network:
    """A one-hidden-layer tanh network (``hidden`` units) classifying scikit-learn's 8x8 digits
    (1797 x 64, ten classes), features standardized: ``64 h + h + 10 h + 10`` weights."""
    data = _sklearn_datasets().load_digits()
    return network("mlp-digits", data.data, data.target, hidden, l2)


__all__ = ["Network", "backpropagation", "forward", "loss", "mlp_digits", "network", "unpack"]
