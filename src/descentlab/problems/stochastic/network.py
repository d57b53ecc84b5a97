"""A neural network as a finite sum: ``mlp-digits`` (one hidden layer on scikit-learn's digits)
and ``deep-mlp-digits`` (three).

The weights of one network are one flat vector ``x = [W1, b1, W2, b2]`` (``W1``: ``(p, h)``,
``b1``: ``(h,)``, ``W2``: ``(h, c)``, ``b2``: ``(c,)``, each row-major; deeper networks go on
``W3, b3, ...``), whose problem says so in its ``structure`` (matrix-aware optimizers update
each ``W`` as a matrix; the rest see flat coordinates), so every optimizer,
the runner, sweeps and the JAX engine train it as they minimize any function; a batch of ``n``
starts ``(n, d)`` is ``n`` networks trained in one run (replicates, or a grid of settings).

::

    hidden = tanh(a W1 + b1),   logits = hidden W2 + b2
    f_i(x) = logsumexp(logits_i) - logits_i[y_i]  (cross-entropy)   f = mean_i f_i + l2/2 ||x||^2
    f_i(x) = ||logits_i - onehot(y_i)||^2 / 2      (loss="squared-error")

The gradient is backpropagation written by hand against the array API (``@``, ``tanh``,
``exp``, sums), batched over networks: ``dlogits = softmax - onehot(y)``, then back through
each ``W`` and ``1 - hidden**2``. ``tests/test_network.py`` holds it to PyTorch's autograd.
Minibatches work as for the other finite sums: each start draws its own order of the examples
every epoch. The box the starts are drawn from is Glorot's uniform initialization (biases 0).
There is no known minimum.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from descentlab._namespace import namespace
from descentlab._structure import Structure
from descentlab.problems.stochastic.finite_sum import (
    FiniteSum,
    _sklearn_datasets,
    _standardized,
)


@dataclass(frozen=True)
class Network(FiniteSum):
    """A tanh network with a softmax output: ``features`` ``(N, p)``, ``targets`` the classes
    ``0 .. c-1`` as numbers, ``depth`` hidden layers of ``hidden`` units."""

    hidden: int = 32
    classes: int = 10
    depth: int = 1

    @property
    def shapes(self) -> tuple[int, ...]:
        """The widths of the layers: inputs, each hidden layer, classes."""
        return (self.features.shape[1], *[self.hidden] * self.depth, self.classes)

    def batch_gradient(self, x, index):
        """The mean gradient over the examples ``index`` (``(n, B)``) for each network
        ``x[k]`` (in the namespace of ``x``: the JAX engine traces it)."""
        xp = namespace(x)
        onehot = xp.asarray(_onehot(self.targets, self.classes))
        a = xp.take(xp.asarray(self.features), index, axis=0)
        return backpropagation(x, a, xp.take(onehot, index, axis=0), self.shapes, self.l2,
                               self.loss)  # fmt: skip


def layer_shapes(widths: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """``W1 (p, h), b1 (h,), ..., WL (h, c), bL (c,)``: the blocks of the flat weights."""
    blocks = []
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(widths), start=1):
        blocks += [(f"W{k}", (fan_in, fan_out)), (f"b{k}", (fan_out,))]
    return blocks


def weight_count(*widths: int) -> int:
    return sum(math.prod(shape) for _, shape in layer_shapes(widths))


def unpack(x, widths: tuple[int, ...]) -> list:
    """``W1, b1, W2, b2, ...`` of the networks ``x`` (``(..., d)``), as views."""
    xp = namespace(x)
    lead = tuple(x.shape[:-1])
    parts, start = [], 0
    for _, shape in layer_shapes(widths):
        stop = start + math.prod(shape)
        part = x[..., start:stop]
        parts.append(xp.reshape(part, (*lead, *shape)) if len(shape) == 2 else part)
        start = stop
    return parts


def forward(x, a, widths):
    """The inputs of every layer (``a``, then each hidden layer's activations) and the logits
    of the networks ``x`` on the examples ``a`` (``(N, p)`` for all networks, or
    ``(..., B, p)`` one set per network)."""
    xp = namespace(x)
    parts = unpack(x, widths)
    inputs = [a]
    for k in range(0, len(parts) - 2, 2):
        inputs.append(xp.tanh(inputs[-1] @ parts[k] + parts[k + 1][..., None, :]))
    return inputs, inputs[-1] @ parts[-2] + parts[-1][..., None, :]


def log_sum_exp(xp, logits):
    top = xp.max(logits, axis=-1, keepdims=True)
    return top[..., 0] + xp.log(xp.sum(xp.exp(logits - top), axis=-1))


#: The losses of a network's outputs: cross-entropy of the softmax, or half the squared error
#: to the one-hot targets (Cohen et al. 2021's "MSE", where the edge of stability is clearest).
LOSSES = ("cross-entropy", "squared-error")


def loss(x, a, onehot, widths, l2: float, kind: str = "cross-entropy"):
    """The mean loss (``kind``) of the networks ``x`` over the examples, plus the L2 penalty."""
    xp = namespace(x)
    _, logits = forward(x, a, widths)
    if kind == "squared-error":
        value = 0.5 * xp.mean(xp.sum((logits - onehot) ** 2, axis=-1), axis=-1)
    else:
        picked = xp.sum(logits * onehot, axis=-1)
        value = xp.mean(log_sum_exp(xp, logits) - picked, axis=-1)
    return value + 0.5 * l2 * xp.sum(x * x, axis=-1) if l2 else value


def backpropagation(x, a, onehot, widths, l2: float, kind: str = "cross-entropy"):
    """The gradient of :func:`loss` by the chain rule, layer by layer, for every network."""
    xp = namespace(x)
    parts = unpack(x, widths)
    inputs, logits = forward(x, a, widths)
    if kind == "squared-error":
        delta = (logits - onehot) / logits.shape[-2]  # d loss / d logits
    else:
        probs = xp.exp(logits - log_sum_exp(xp, logits)[..., None])
        delta = (probs - onehot) / logits.shape[-2]
    grads: list = []
    for layer in reversed(range(len(inputs))):
        into = inputs[layer]
        grads[:0] = [into.mT @ delta, xp.sum(delta, axis=-2)]
        if layer > 0:  # back through W and tanh' = 1 - tanh**2
            delta = (delta @ parts[2 * layer].mT) * (1.0 - into * into)
    lead = tuple(x.shape[:-1])
    g = xp.concat([xp.reshape(part, (*lead, -1)) for part in grads], axis=-1)
    return g + l2 * x if l2 else g


def _onehot(targets: np.ndarray, classes: int) -> np.ndarray:
    return (np.asarray(targets, dtype=int)[:, None] == np.arange(classes)).astype(float)


def classification_metrics(logits: np.ndarray, y: np.ndarray, classes: int) -> dict:
    """Mean cross-entropy (no penalty) and accuracy of ``logits`` ``(..., N, classes)`` against
    the classes ``y`` ``(N,)``."""
    picked = np.sum(logits * _onehot(y, classes), axis=-1)
    return {"loss": np.mean(log_sum_exp(np, logits) - picked, axis=-1),
            "accuracy": np.mean(np.argmax(logits, axis=-1) == y, axis=-1)}  # fmt: skip


def glorot_box(widths: tuple[int, ...]) -> np.ndarray:
    """Glorot's uniform initialization as a box: ``+-sqrt(6 / (fan_in + fan_out))`` for the
    weights, 0 for the biases."""
    return glorot_box_of(layer_shapes(widths))


def glorot_box_of(blocks) -> np.ndarray:
    """:func:`glorot_box` for any ``(name, shape)`` blocks: matrices by their two sizes, vectors
    (biases) 0."""
    half = []
    for _, shape in blocks:
        if len(shape) == 2:
            half.append(np.full(math.prod(shape), math.sqrt(6.0 / sum(shape))))
        else:
            half.append(np.zeros(shape))
    half_widths = np.concatenate(half)
    return np.column_stack([-half_widths, half_widths])


def network(name: str, features: np.ndarray, classes: np.ndarray, hidden: int,
            l2: float, depth: int = 1, loss: str = "cross-entropy") -> Network:  # fmt: skip
    """A classification network on ``features`` (standardized here) and integer ``classes``,
    ``depth`` hidden layers of ``hidden`` units (``depth=0``: multinomial logistic regression,
    convex), trained on ``loss`` (one of :data:`LOSSES`)."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, not {loss!r}")
    for what, value, least in (("hidden", hidden, 1), ("depth", depth, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"{what} must be a whole number >= {least}, not {value!r}")
    if not (isinstance(l2, int | float) and math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, not {l2!r}")
    a = _standardized(np.asarray(features, dtype=float))
    y = np.asarray(classes, dtype=float)
    c = int(y.max()) + 1
    widths = (a.shape[1], *[hidden] * depth, c)
    onehot = _onehot(y, c)
    return Network(
        f=functools.partial(_full_loss, a, onehot, widths, float(l2), loss),
        grad=functools.partial(_full_gradient, a, onehot, widths, float(l2), loss),
        bounds=glorot_box(widths),
        name=name,
        vectorized=True,
        structure=Structure.of(layer_shapes(widths)),
        features=a,
        targets=y,
        loss=loss,
        l2=float(l2),
        hidden=hidden,
        classes=c,
        depth=depth,
    )


def _full_loss(a, onehot, widths, l2, kind, x):
    return loss(x, a, onehot, widths, l2, kind)


def _full_gradient(a, onehot, widths, l2, kind, x):
    return backpropagation(x, a, onehot, widths, l2, kind)


@functools.cache
def mlp_digits(hidden: int = 32, l2: float = 1e-4, depth: int = 1,
               loss: str = "cross-entropy") -> Network:  # fmt: skip
    """A tanh network (``depth`` hidden layers of ``hidden`` units) classifying scikit-learn's
    8x8 digits (1797 x 64, ten classes), features standardized: for one layer
    ``64 h + h + 10 h + 10`` weights; ``loss="squared-error"`` fits the one-hot targets."""
    data = _sklearn_datasets().load_digits()
    return network("mlp-digits", data.data, data.target, hidden, l2, depth, loss)


@functools.cache
def deep_mlp_digits(hidden: int = 32, l2: float = 1e-4, depth: int = 3) -> Network:
    """``mlp-digits`` three hidden layers deep (4,522 weights): where matrix-aware methods
    have several weight matrices to precondition."""
    data = _sklearn_datasets().load_digits()
    return network("deep-mlp-digits", data.data, data.target, hidden, l2, depth)


__all__ = ["LOSSES", "Network", "backpropagation", "deep_mlp_digits", "forward", "layer_shapes",
           "loss", "mlp_digits", "network", "unpack"]  # fmt: skip
