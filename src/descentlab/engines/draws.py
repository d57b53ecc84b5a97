"""What a run draws at random, checked once for both engines: gradient noise, the minibatches
of a finite sum, a random online problem. Each purpose has its own per-start streams
(:mod:`descentlab.problems.stochastic.streams`), so the engines draw the same numbers."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from descentlab._lazy import isinstance_loaded
from descentlab.problems.problem import Problem

_S = "descentlab.problems.stochastic."


@dataclass(frozen=True)
class Draws:
    """A run's randomness: ``noise`` (a GradientNoise or None), ``batch_size`` (a finite sum's
    minibatch, or None), ``online`` (an online problem: the gradient is ``c_t``) and the
    ``seed`` and ``first_stream`` the streams start from (None and 0 when nothing is drawn)."""

    noise: object | None = None
    batch_size: int | None = None
    online: bool = False
    random_problem: bool = False
    seed: int | None = None
    first_stream: int = 0

    @property
    def random(self) -> bool:
        return self.noise is not None or self.batch_size is not None or self.random_problem

    def streams(self, n: int, purpose: str):
        """The ``n`` starts' streams for ``purpose`` ("noise", "minibatch" or "online")."""
        from descentlab.problems.stochastic.streams import StartStreams

        return StartStreams(int(self.seed), n, int(self.first_stream), purpose)


def check_draws(problem: Problem, tol, noise=None, batch_size=None, seed=None,
                first_stream=0) -> Draws:  # fmt: skip
    """The run's :class:`Draws`, after refusing what cannot be done: a gradient tolerance on a
    noisy gradient (it would stop a start by luck), noise on a problem that draws its own, a
    random run without a whole-number seed (it could not be repeated), a batch size on a
    problem that is not a finite sum."""
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
    if not random:
        return Draws(online=online)
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
    return Draws(noise, None if batch_size is None else int(batch_size), online,
                 online and problem.random, int(seed), int(first_stream))  # fmt: skip


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
