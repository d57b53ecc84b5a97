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
import numbers
from collections.abc import Callable

import numpy as np

from descentlab._lazy import isinstance_loaded
from descentlab.problems.calls import as_user_error
from descentlab.problems.outputs import as_gradient, as_values
from descentlab.problems.problem import Problem

# The stochastic modules are imported by the runs that use them (a plain run never does).
_S = "descentlab.problems.stochastic."


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

    def values_of(self, points: np.ndarray) -> np.ndarray:
        """``f`` at ``(k, d)`` extra points (a line search's trials), checked and counted."""
        raw = self._extra("objective", self._f, points)
        self.nfev += 1
        return as_values(raw, points.shape[:-1])

    def gradients_of(self, points: np.ndarray) -> np.ndarray:
        """``g`` at ``(k, d)`` extra points, checked and counted (exact gradients only)."""
        raw = self._extra("gradient", self._grad, points)
        self.njev += 1
        return as_gradient(raw, points.shape)

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


def build_evaluator(problem: Problem, batch_shape: tuple[int, ...], tol, noise=None,
                    batch_size=None, seed=None, first_stream=0) -> Evaluator:  # fmt: skip
    """The evaluator of a run: plain, or with per-start streams for gradient noise, the
    minibatches of a finite sum or a random online problem, and an online problem's regret.

    Refuses what cannot be done: a gradient tolerance on a noisy gradient (it would stop a
    start by luck), noise on a problem that draws its own, a random run without a whole-number
    seed (it could not be repeated), a batch size on a problem that is not a finite sum.
    """
    online = isinstance_loaded(problem, _S + "online", "OnlineProblem")
    if noise is not None and not isinstance_loaded(noise, _S + "noise", "GradientNoise"):
        raise TypeError(f"noise must be a dl.GradientNoise(sigma, kind) or None, not {noise!r}")
    if online and tol.grad is not None:
        raise ValueError("tol.grad does not apply to an online problem (its gradient is c_t)")
    if online and noise is not None and problem.random:
        raise ValueError(
            f"{problem.name!r} draws its own random losses: noise cannot be added to it"
        )
    if batch_size is not None:
        _check_batch_size(problem, batch_size)
    random = [what for what, used in (("noise", noise is not None),
                                      (f"the random problem {problem.name!r}",
                                       online and problem.random),
                                      ("minibatches", batch_size is not None)) if used]  # fmt: skip
    if online:
        from descentlab.problems.stochastic.online import RegretTracker
    if not random:
        rounds = RegretTracker(problem, None, batch_shape) if online else None
        return Evaluator(problem, batch_shape, rounds=rounds)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"a run with {random[0]} needs seed= (a whole number >= 0) so that it "
                         f"can be repeated, not {seed!r}")  # fmt: skip
    if (
        isinstance(first_stream, bool)
        or not isinstance(first_stream, numbers.Integral)
        or (first_stream < 0)
    ):
        raise ValueError(f"first_stream must be a whole number >= 0, not {first_stream!r}")
    if tol.grad is not None:
        raise ValueError(f"tol.grad cannot be used with {random[0]}: a noisy gradient norm would "
                         "stop a start by luck; use tol.fun (f - f*), or no tolerance")  # fmt: skip
    n = math.prod(batch_shape)
    from descentlab.problems.stochastic.finite_sum import MinibatchSampler
    from descentlab.problems.stochastic.streams import StartStreams

    def streams(purpose: str) -> StartStreams:
        return StartStreams(int(seed), n, int(first_stream), purpose)

    rounds = RegretTracker(problem, streams("online"), batch_shape) if online else None
    sampler = None
    if batch_size is not None:
        sampler = MinibatchSampler(problem.n_examples, int(batch_size), streams("minibatch"))
    return Evaluator(problem, batch_shape, noise, streams("noise"), rounds, sampler)


def _check_batch_size(problem: Problem, batch_size: object) -> None:
    if not isinstance_loaded(problem, _S + "finite_sum", "FiniteSum"):
        raise ValueError(f"batch_size applies to finite sums (data sets), not to {problem.name!r}")
    n = problem.n_examples
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or not (1 <= batch_size <= n)
    ):
        raise ValueError(f"batch_size must be a whole number in [1, {n}] (the examples of "
                         f"{problem.name!r}), not {batch_size!r}")  # fmt: skip
