"""A small convolutional network on the 8x8 digits, backpropagation by hand, batched over
networks: one 3x3 convolution of ``channels`` filters (valid, stride 1: a 6x6 map per filter),
tanh, and a dense softmax layer.

The weights are ``[K (9, channels), c (channels,), W (36 channels, 10), b (10,)]``: ``K`` holds
one filter per column, so a matrix-aware optimizer preconditions the filters as a matrix. The
convolution is a matrix product over the images' 3x3 patches (``im2col``), taken once per
data set: ``h = tanh(patches K + c)``; its gradient sums ``patches^T dz`` over the examples and
positions. ``tests/test_training_benchmark.py`` holds it to PyTorch's ``conv2d`` and autograd.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from descentlab._namespace import namespace
from descentlab._structure import Structure, split
from descentlab.problems.stochastic.finite_sum import FiniteSum
from descentlab.problems.stochastic.network import _onehot, glorot_box_of, log_sum_exp

SIDE, KERNEL = 8, 3
POSITIONS = (SIDE - KERNEL + 1) ** 2


def patches(images: np.ndarray) -> np.ndarray:
    """``(N, 64)`` images (row-major 8x8) as ``(N, 36, 9)`` 3x3 patches, row-major both."""
    grid = images.reshape(-1, SIDE, SIDE)
    n = SIDE - KERNEL + 1
    return np.stack([grid[:, i : i + KERNEL, j : j + KERNEL].reshape(len(grid), -1)
                     for i in range(n) for j in range(n)], axis=1)  # fmt: skip


def shapes(channels: int, classes: int) -> list[tuple[str, tuple[int, ...]]]:
    return [("K", (KERNEL * KERNEL, channels)), ("c", (channels,)),
            ("W", (POSITIONS * channels, classes)), ("b", (classes,))]  # fmt: skip


def _unpack(x, channels: int, classes: int):
    return split(x, Structure.of(shapes(channels, classes)))


def forward(x, p, channels: int, classes: int):
    """Hidden maps ``(..., N, 36, channels)`` and logits ``(..., N, classes)``."""
    xp = namespace(x)
    k, c, w, b = _unpack(x, channels, classes)
    hidden = xp.tanh(xp.einsum("...Npq,...qc->...Npc", p, k) + c[..., None, None, :])
    flat = xp.reshape(hidden, (*hidden.shape[:-2], POSITIONS * channels))
    return hidden, flat @ w + b[..., None, :]


def loss(x, p, onehot, channels, classes, l2):
    xp = namespace(x)
    _, logits = forward(x, p, channels, classes)
    value = xp.mean(log_sum_exp(xp, logits) - xp.sum(logits * onehot, axis=-1), axis=-1)
    return value + 0.5 * l2 * xp.sum(x * x, axis=-1) if l2 else value


def gradient(x, p, onehot, channels, classes, l2):
    xp = namespace(x)
    w = _unpack(x, channels, classes)[2]
    hidden, logits = forward(x, p, channels, classes)
    delta = (xp.exp(logits - log_sum_exp(xp, logits)[..., None]) - onehot) / logits.shape[-2]
    flat = xp.reshape(hidden, (*hidden.shape[:-2], POSITIONS * channels))
    g_w, g_b = flat.mT @ delta, xp.sum(delta, axis=-2)
    dz = xp.reshape(delta @ w.mT, hidden.shape) * (1.0 - hidden * hidden)
    g_k = xp.einsum("...Npq,...Npc->...qc", p, dz)
    g_c = xp.sum(dz, axis=(-3, -2))
    lead = tuple(x.shape[:-1])
    g = xp.concat([xp.reshape(part, (*lead, -1)) for part in (g_k, g_c, g_w, g_b)], axis=-1)
    return g + l2 * x if l2 else g


@dataclass(frozen=True)
class ConvNet(FiniteSum):
    """The network on ``features`` ``(N, 64)`` (its patches kept in ``patches_``)."""

    channels: int = 8
    classes: int = 10
    patches_: np.ndarray | None = field(default=None, repr=False)

    def batch_gradient(self, x, index):
        xp = namespace(x)
        p = xp.take(xp.asarray(self.patches_), index, axis=0)
        onehot = xp.take(xp.asarray(_onehot(self.targets, self.classes)), index, axis=0)
        return gradient(x, p, onehot, self.channels, self.classes, self.l2)


def convnet(name: str, images: np.ndarray, classes: np.ndarray, channels: int = 8,
            l2: float = 1e-4) -> ConvNet:  # fmt: skip
    p = patches(np.asarray(images, dtype=float))
    y = np.asarray(classes, dtype=float)
    c = int(y.max()) + 1
    onehot = _onehot(y, c)
    blocks = shapes(channels, c)
    return ConvNet(
        f=lambda x: loss(x, p, onehot, channels, c, l2),
        grad=lambda x: gradient(x, p, onehot, channels, c, l2),
        bounds=glorot_box_of(blocks), name=name, vectorized=True,
        structure=Structure.of(blocks), features=np.asarray(images, dtype=float), targets=y,
        loss="cross-entropy", l2=l2, channels=channels, classes=c, patches_=p,
    )  # fmt: skip
