"""The runner's calls of the user's code: checked, counted, on read-only points.

Every call of the objective or the gradient that feeds a run goes through an
:class:`Evaluator`, which

- is given read-only points (the loop makes each new point so, once), so a function that
  writes into its input fails loudly instead of corrupting the recorded path;
- checks the result (real numbers of the right shape, see :mod:`descentlab.problems.outputs`);
- turns an exception raised *inside* the user's code into a :class:`UserFunctionError`,
  which the runner records as the status ``error`` (the run and its path so far are kept).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from descentlab.engines.draws import Draws
from descentlab.problems.calls import as_user_error
from descentlab.problems.outputs import as_gradient, as_values
from descentlab.problems.problem import Problem


class Evaluator:
    """Evaluates ``problem`` for a batch of shape ``batch_shape`` and counts the calls."""

    def __init__(self, problem: Problem, batch_shape: tuple[int, ...], noise=None,
                 streams=None, rounds=None, sampler=None) -> None:  # fmt: skip
        self.problem = problem
        self._f = problem.f
        self._grad = problem.gradient
        self.batch_shape = batch_shape
        self.noise = noise
        self.streams = streams  # the noise streams
        self.rounds = rounds  # a RegretTracker for an online problem: it gives the gradients
        self.sampler = sampler  # a MinibatchSampler for a finite sum
        self.nfev = 0
        self.njev = 0

    def value(self, x: np.ndarray) -> np.ndarray:
        """``f(x)`` checked; ``x`` must be read-only already (the loop makes each point so)."""
        try:
            raw = self._f(x)
        except Exception as error:
            raise as_user_error("objective", error) from error
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
        if self.rounds is not None or self.sampler is not None:
            raw = self._sampled_gradient(x, iteration)
            self.njev += 1
            return raw if self.noise is None else self.noise.perturb(raw, self.streams, iteration)
        try:
            raw = self._grad(x)
        except Exception as error:
            raise as_user_error("gradient", error) from error
        self.njev += 1
        if not (type(raw) is np.ndarray and raw.dtype == _FLOAT64 and raw.shape == x.shape):
            raw = as_gradient(raw, x.shape)
        if self.noise is not None:
            return self.noise.perturb(raw, self.streams, iteration)
        return raw

    def values_of(self, points: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``f`` at the ``rows`` of ``(n, d)`` extra points (a line search's trials), checked and
        counted; NaN in the other rows, which are not evaluated."""
        chosen = points[rows]
        raw = self._extra("objective", self._f, chosen)
        self.nfev += 1
        values = np.full(points.shape[0], np.nan)
        values[rows] = as_values(raw, chosen.shape[:-1])
        return values

    def gradients_of(self, points: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``g`` at the ``rows`` of ``(n, d)`` extra points, checked and counted (exact
        gradients only); NaN in the other rows."""
        chosen = points[rows]
        raw = self._extra("gradient", self._grad, chosen)
        self.njev += 1
        gradients = np.full(points.shape, np.nan)
        gradients[rows] = as_gradient(raw, chosen.shape)
        return gradients

    @staticmethod
    def _extra(function: str, call: Callable, points: np.ndarray):
        points = np.ascontiguousarray(points)
        points.flags.writeable = False
        try:
            return call(points)
        except Exception as error:
            raise as_user_error(function, error) from error

    def _sampled_gradient(self, x: np.ndarray, iteration: int) -> np.ndarray:
        if self.rounds is not None:
            return self.rounds.play(x, iteration)
        flat = x.reshape(-1, x.shape[-1])
        index = self.sampler.indices(iteration)
        return self.problem.batch_gradient(flat, index).reshape(x.shape)


_FLOAT64 = np.dtype(np.float64)


def build_evaluator(problem: Problem, batch_shape: tuple[int, ...], draws: Draws) -> Evaluator:
    """The evaluator of a run: plain, or with per-start streams for gradient noise, the
    minibatches of a finite sum or a random online problem, and an online problem's regret."""
    n = math.prod(batch_shape)
    rounds = sampler = noise_streams = None
    if draws.online:
        from descentlab.problems.stochastic.online import RegretTracker

        streams = draws.streams(n, "online") if draws.random_problem else None
        rounds = RegretTracker(problem, streams, batch_shape)
    if draws.batch_size is not None:
        from descentlab.problems.stochastic.finite_sum import MinibatchSampler

        sampler = MinibatchSampler(problem.n_examples, draws.batch_size,
                                   draws.streams(n, "minibatch"))  # fmt: skip
    if draws.noise is not None:
        noise_streams = draws.streams(n, "noise")
    return Evaluator(problem, batch_shape, draws.noise, noise_streams, rounds, sampler)
