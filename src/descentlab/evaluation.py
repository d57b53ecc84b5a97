"""The runner's calls of the user's code: checked, counted, on read-only points.

Every call of the objective or the gradient that feeds a run goes through an
:class:`Evaluator`, which

- is given read-only points (the loop makes each new point so, once), so a function that
  writes into its input fails loudly instead of corrupting the recorded path;
- checks the result (real numbers of the right shape, see :mod:`descentlab.outputs`);
- turns an exception raised *inside* the user's code into a :class:`UserFunctionError`,
  which the runner records as the status ``error`` (the run and its path so far are kept).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from descentlab.outputs import OutputError, as_gradient, as_values
from descentlab.problem import Problem


class UserFunctionError(Exception):
    """The user's objective, gradient or callback raised ``original``."""

    def __init__(self, function: str, original: BaseException) -> None:
        self.function = function
        self.original = original
        detail = str(original)
        name = type(original).__name__
        super().__init__(f"the {function} raised {name}" + (f": {detail}" if detail else ""))


def call_user(function: str, call: Callable, *args):
    """``call(*args)``, with anything it raises (but output errors) as a UserFunctionError."""
    try:
        return call(*args)
    except Exception as error:
        raise _as_user_error(function, error) from error


def _as_user_error(function: str, error: Exception) -> Exception:
    """What to raise for ``error`` from the user's ``function``: our own output checks (from
    finite differences) as they are, anything else as a UserFunctionError."""
    if isinstance(error, OutputError):
        return error
    if isinstance(error, ValueError) and "read-only" in str(error):
        error = ValueError(f"{error} (descentlab hands out its points read-only so that the "
                           "record stays right: change a copy, x = x.copy())")  # fmt: skip
    return UserFunctionError(function, error)


class Evaluator:
    """Evaluates ``problem`` for a batch of shape ``batch_shape`` and counts the calls."""

    def __init__(self, problem: Problem, batch_shape: tuple[int, ...], noise=None,
                 streams=None, rounds=None) -> None:  # fmt: skip
        self._f = problem.f
        self._grad = problem.gradient
        self.batch_shape = batch_shape
        self.noise = noise
        self.streams = streams
        self.rounds = rounds  # a RegretTracker for an online problem: it gives the gradients
        self.nfev = 0
        self.njev = 0

    def value(self, x: np.ndarray) -> np.ndarray:
        """``f(x)`` checked; ``x`` must be read-only already (the loop makes each point so)."""
        try:
            raw = self._f(x)
        except Exception as error:
            raise _as_user_error("objective", error) from error
        self.nfev += 1
        kind = type(raw)  # the common case first: float64 of the right shape, in a few look-ups
        if (kind is np.float64 or (kind is np.ndarray and raw.dtype == _FLOAT64)) and (
            raw.shape == self.batch_shape
        ):
            return raw
        return as_values(raw, self.batch_shape)

    def gradient(self, x: np.ndarray, iteration: int) -> np.ndarray:
        """The gradient at ``x`` (the ``iteration``-th point) checked, with the noise, if any,
        that the optimizer sees there; ``x`` must be read-only already."""
        if self.rounds is not None:
            raw = self.rounds.play(x, iteration)
            self.njev += 1
            return raw if self.noise is None else self.noise.perturb(raw, self.streams, iteration)
        try:
            raw = self._grad(x)
        except Exception as error:
            raise _as_user_error("gradient", error) from error
        self.njev += 1
        if not (type(raw) is np.ndarray and raw.dtype == _FLOAT64 and raw.shape == x.shape):
            raw = as_gradient(raw, x.shape)
        if self.noise is not None:
            return self.noise.perturb(raw, self.streams, iteration)
        return raw


_FLOAT64 = np.dtype(np.float64)
