"""A character-level language model: an Elman recurrent network (tanh) reading Shakespeare,
backpropagation through time by hand, batched over networks.

The text is the opening of *Coriolanus* (Shakespeare, public domain), the first 39,908
characters of ``tinyshakespeare/input.txt`` from Karpathy's char-rnn repository
(github.com/karpathy/char-rnn, ``data/tinyshakespeare``), kept in ``texts/coriolanus.txt``.
It is lowercased (36 symbols: letters, space, newline, ``!',-.:;?``) and cut into windows
of ``length + 1`` characters; the first 80% of the windows train, the next 10% validate, the
last 10% test (in the text's order, so no held-out line was seen in training).

At each of the ``length`` positions the network reads a character ``c_t`` and predicts the
next: ``h_t = tanh(E[c_t] + h_{t-1} U + b)``, ``logits_t = h_t W + c`` (``h_0 = 0``). The
loss is the mean cross-entropy over the positions and windows (nats per character; divide by
``ln 2`` for bits). The weights are ``[E (36, hidden), U (hidden, hidden), b, W (hidden, 36),
c]``: three matrices for a matrix-aware optimizer. ``tests/test_training_benchmark.py``
holds the forward pass to ``torch.nn.RNN`` and the gradient to autograd.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from descentlab._namespace import namespace
from descentlab._structure import Structure, split
from descentlab.benchmarking.training.data import Splits
from descentlab.problems.stochastic.finite_sum import FiniteSum
from descentlab.problems.stochastic.network import (
    classification_metrics,
    glorot_box_of,
    log_sum_exp,
)

ALPHABET = "\n !',-.:;?abcdefghijklmnopqrstuvwxyz"


@functools.cache
def text() -> str:
    return resources.files("descentlab.benchmarking.training").joinpath(
        "texts/coriolanus.txt").read_text(encoding="utf-8")  # fmt: skip


def encode(characters: str) -> np.ndarray:
    """Each character's index in :data:`ALPHABET` (any other character: the space's)."""
    lookup = {c: k for k, c in enumerate(ALPHABET)}
    return np.array([lookup.get(c, 1) for c in characters.lower()], dtype=int)


@functools.cache
def windows(length: int = 16) -> Splits:
    """Windows ``(N, length + 1)`` of character indices as features (targets unused)."""
    codes = encode(text())
    count = len(codes) // (length + 1)
    cut = codes[: count * (length + 1)].reshape(count, length + 1)
    a, b = int(0.8 * count), int(0.9 * count)
    return Splits(*[(part, np.zeros(len(part))) for part in (cut[:a], cut[a:b], cut[b:])])


def shapes(hidden: int, symbols: int = len(ALPHABET)) -> list[tuple[str, tuple[int, ...]]]:
    return [("E", (symbols, hidden)), ("U", (hidden, hidden)), ("b", (hidden,)),
            ("W", (hidden, symbols)), ("c", (symbols,))]  # fmt: skip


def _onehots(codes, symbols: int, xp):
    """``(..., N, T, symbols)`` one-hot rows of the codes ``(..., N, T)``."""
    return xp.asarray(codes[..., None] == xp.arange(symbols), dtype=float)


def _embedded(e, codes):
    """The rows of ``e`` (``(..., symbols, hidden)``) the codes pick: ``(..., N, T, hidden)``
    for windows shared by every network (``(N, T)``) or a network's own (``(..., N, T)``)."""
    xp = namespace(e)
    if codes.ndim == 2:
        return xp.take(e, codes, axis=-2)
    table = xp.reshape(e, (-1, *e.shape[-2:]))
    which = xp.reshape(xp.arange(len(table)), (*e.shape[:-2], 1, 1))
    return table[which, codes]


def forward(x, codes, hidden: int):
    """Hidden states ``(..., N, T, hidden)`` and logits ``(..., N, T, symbols)`` for the
    windows ``codes`` (``(..., N, T + 1)``; the last character is only predicted)."""
    xp = namespace(x)
    e, u, b, w, c = split(x, Structure.of(shapes(hidden)))
    read = _embedded(e, codes[..., :-1]) + b[..., None, None, :]
    h, states = 0.0, []
    for t in range(read.shape[-2]):
        h = xp.tanh(read[..., t, :] + h @ u) if t else xp.tanh(read[..., t, :])
        states.append(h)
    states = xp.stack(states, axis=-2)
    return states, _per_position(states, w) + c[..., None, None, :]


def loss(x, codes, hidden: int):
    xp = namespace(x)
    logits = forward(x, codes, hidden)[1]
    picked = xp.sum(logits * _onehots(codes[..., 1:], len(ALPHABET), xp), axis=-1)
    return xp.mean(log_sum_exp(xp, logits) - picked, axis=(-2, -1))


def metrics(x, codes, hidden: int, chunk: int = 8) -> dict[str, np.ndarray]:
    """The loss (nats per character) and the share of next characters guessed right, for
    each row of ``x`` (``(n, d)``), ``chunk`` networks at a time."""
    out: dict[str, list] = {"loss": [], "accuracy": []}
    for rows in np.split(x, range(chunk, len(x), chunk)):
        logits = forward(rows, codes, hidden)[1]  # every position of every window: one example
        flat = logits.reshape(len(rows), -1, len(ALPHABET))
        found = classification_metrics(flat, codes[:, 1:].ravel(), len(ALPHABET))
        for name, values in found.items():
            out[name].append(values)
    return {k: np.concatenate(v) for k, v in out.items()}


def gradient(x, codes, hidden: int):
    """Backpropagation through time of :func:`loss`."""
    xp = namespace(x)
    _, u, _, w, _ = split(x, Structure.of(shapes(hidden)))
    states, logits = forward(x, codes, hidden)
    inputs = _onehots(codes[..., :-1], len(ALPHABET), xp)
    targets = _onehots(codes[..., 1:], len(ALPHABET), xp)
    scale = targets.shape[-3] * targets.shape[-2]
    delta = (xp.exp(logits - log_sum_exp(xp, logits)[..., None]) - targets) / scale
    from_output = _per_position(delta, w.mT)  # (..., N, T, hidden)
    steps = states.shape[-2]
    slopes, carried = [None] * steps, 0.0
    for t in reversed(range(steps)):
        h = states[..., t, :]
        slopes[t] = (from_output[..., t, :] + carried) * (1.0 - h * h)
        carried = slopes[t] @ u.mT
    da = xp.stack(slopes, axis=-2)
    previous = xp.concat([xp.zeros_like(states[..., :1, :]), states[..., :-1, :]], axis=-2)
    parts = (_summed(inputs, da), _summed(previous, da), xp.sum(da, axis=(-3, -2)),
             _summed(states, delta), xp.sum(delta, axis=(-3, -2)))  # fmt: skip
    lead = tuple(x.shape[:-1])
    return xp.concat([xp.reshape(p, (*lead, -1)) for p in parts], axis=-1)


def _per_position(a, matrix):
    """``a @ matrix`` for ``a`` ``(..., N, T, k)``, as one product over the ``N T`` rows."""
    xp = namespace(matrix)
    flat = xp.reshape(a, (*a.shape[:-3], -1, a.shape[-1])) @ matrix
    return xp.reshape(flat, (*flat.shape[:-2], *a.shape[-3:-1], matrix.shape[-1]))


def _summed(left, right):
    """``sum over windows and positions of left^T right``, as one matrix product each."""
    xp = namespace(right)
    flat = [xp.reshape(a, (*a.shape[:-3], -1, a.shape[-1])) for a in (left, right)]
    return flat[0].mT @ flat[1]


@dataclass(frozen=True)
class CharRNN(FiniteSum):
    """The network on the windows ``features`` (``(N, T + 1)`` character indices)."""

    hidden: int = 32
    codes: np.ndarray | None = field(default=None, repr=False)

    def batch_gradient(self, x, index):
        xp = namespace(x)
        return gradient(x, xp.take(xp.asarray(self.codes), index, axis=0), self.hidden)


def char_rnn(name: str, codes: np.ndarray, hidden: int = 32) -> CharRNN:
    codes = np.asarray(codes, dtype=int)
    blocks = shapes(hidden)
    return CharRNN(
        f=lambda x: loss(x, codes, hidden), grad=lambda x: gradient(x, codes, hidden),
        bounds=glorot_box_of(blocks), name=name, vectorized=True,
        structure=Structure.of(blocks), features=codes.astype(float),
        targets=np.zeros(len(codes)), loss="cross-entropy", hidden=hidden, codes=codes,
    )  # fmt: skip
