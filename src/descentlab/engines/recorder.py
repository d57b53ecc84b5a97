"""Keeps the recorded part of a run's path: every k-th iteration, and only some starts."""

from __future__ import annotations

import math

import numpy as np


class Recorder:
    """Collects ``(x, f, g)`` at the iterations and for the starts asked for.

    The runner's arrays are never modified in place (the optimizers are pure), so the recorder
    keeps references instead of copies when it records every start. Gradient norms are taken
    once, over the whole recorded stack, when the run ends.
    """

    def __init__(self, every: int, starts: object, batch_shape: tuple[int, ...]) -> None:
        self.every = every
        self.starts = _check_starts(starts, batch_shape)
        self._flat_batch = (math.prod(batch_shape),)
        self._iters: list[int] = []
        self._x: list[np.ndarray] = []
        self._f: list[np.ndarray] = []
        self._g: list[np.ndarray] = []
        self._regret: list[np.ndarray] = []
        self._step: list[np.ndarray] = []

    @property
    def last_iteration(self) -> int | None:
        return self._iters[-1] if self._iters else None

    @property
    def n_starts(self) -> int:
        """How many starts are recorded."""
        return self._flat_batch[0] if self.starts is None else len(self.starts)

    def add(self, iteration: int, x: np.ndarray, fx: np.ndarray, g: np.ndarray,
            regret: np.ndarray | None = None, step: np.ndarray | None = None) -> None:  # fmt: skip
        self._iters.append(iteration)
        if self.starts is None and regret is None and step is None:  # the common case, first
            self._x.append(x)
            self._f.append(fx)
            self._g.append(g)
            return
        if self.starts is not None:
            d = x.shape[-1]
            x = x.reshape((*self._flat_batch, d))[self.starts]
            fx = np.reshape(fx, self._flat_batch)[self.starts]
            g = g.reshape((*self._flat_batch, d))[self.starts]
            if regret is not None:
                regret = np.reshape(regret, self._flat_batch)[self.starts]
            if step is not None:
                step = np.reshape(step, self._flat_batch)[self.starts]
        if regret is not None:
            self._regret.append(regret)
        if step is not None:
            self._step.append(step)
        self._x.append(x)
        self._f.append(fx)
        self._g.append(g)

    def arrays(self):
        """``(path, path_fun, path_grad_norm, path_iter, path_regret)``."""
        iters = np.asarray(self._iters, dtype=int)
        # np.array stacks a list of equal-shape arrays as np.stack does, several times faster
        grads = np.array(self._g)
        grad_norm = np.sqrt(np.einsum("...i,...i->...", grads, grads))
        regret = np.array(self._regret) if self._regret else None
        return np.array(self._x), np.array(self._f, dtype=float), grad_norm, iters, regret

    def steps(self) -> np.ndarray | None:
        """The step that led to each recorded point, when a step rule chose them."""
        return np.stack(self._step) if self._step else None


def _check_starts(starts: object, batch_shape: tuple[int, ...]) -> np.ndarray | None:
    if starts is None:
        return None
    n = math.prod(batch_shape)
    try:
        index = np.asarray(starts, dtype=int).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"record_starts must be whole numbers, not {starts!r}") from None
    if index.size == 0 or (index < 0).any() or (index >= n).any():
        raise ValueError(
            f"record_starts must be indices in [0, {n}) of the {n} starts, not {starts!r}"
        )
    return index
