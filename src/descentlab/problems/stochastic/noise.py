"""Noisy gradients: what the optimizer sees is the exact gradient perturbed by seeded noise.

========================  ==============================================================
``kind="gaussian"``       ``g + sigma * z``,          ``z ~ N(0, I)``
``kind="relative"``       ``g * (1 + sigma * z)``,    multiplicative: small where ``g`` is
``kind="student-t"``      ``g + sigma * t``,          ``t`` Student's t with ``df`` degrees of
                                                      freedom (heavy tails; variance
                                                      ``df / (df - 2)`` for ``df > 2``)
========================  ==============================================================

Each start draws from its own stream (:mod:`descentlab.problems.stochastic.streams`); the
draw for the gradient at iteration ``i`` sits at a fixed place in that stream, so a start sees
the same noise alone or in any batch, and a rerun is bit-identical.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from descentlab.problems.stochastic.streams import StartStreams

NOISE_KINDS = ("gaussian", "relative", "student-t")


@dataclass(frozen=True)
class GradientNoise:
    """Seeded noise on every gradient; ``sigma`` its scale, ``df`` the Student-t's freedom."""

    sigma: float
    kind: str = "gaussian"
    df: int = 3

    def __post_init__(self) -> None:
        sigma = self.sigma
        if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
            raise TypeError(f"noise sigma must be a number, not {sigma!r}")
        if not (math.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"noise sigma must be finite and >= 0, not {sigma!r}")
        if self.kind not in NOISE_KINDS:
            raise ValueError(
                f"noise kind must be one of {', '.join(NOISE_KINDS)}, not {self.kind!r}"
            )
        df = self.df
        if isinstance(df, bool) or not isinstance(df, numbers.Integral) or not 1 <= df <= 100:
            raise ValueError(f"noise df must be a whole number in [1, 100], not {df!r}")
        object.__setattr__(self, "sigma", float(sigma))

    def draws_per_gradient(self, d: int) -> int:
        """Normal variates one gradient of ``d`` coordinates uses, per start."""
        return d * (self.df + 1) if self.kind == "student-t" else d

    def perturb(self, g: np.ndarray, streams: StartStreams, iteration: int) -> np.ndarray:
        """The gradient ``g`` (shape ``batch + (d,)``) as seen at ``iteration``."""
        count = self.draws_per_gradient(g.shape[-1])
        z = streams.normal(iteration * count, count).reshape((*g.shape[:-1], count))
        return self.apply(g, z, self.sigma)

    def apply(self, g, z, sigma, xp=np):
        """``g`` perturbed by the normal numbers ``z`` (``(..., draws_per_gradient(d))``) at the
        scale ``sigma`` (this noise's own, or a traced one), in the namespace ``xp``: both
        engines perturb with this code."""
        if self.kind == "gaussian":
            return g + sigma * z
        if self.kind == "relative":
            return g * (1.0 + sigma * z)
        d = g.shape[-1]
        squares = z[..., d : 2 * d] * z[..., d : 2 * d]  # chi-squared: summed in a fixed order
        for k in range(2, self.df + 1):
            squares = squares + z[..., k * d : (k + 1) * d] * z[..., k * d : (k + 1) * d]
        return g + sigma * z[..., :d] / xp.sqrt(squares / self.df)

    def describe(self) -> dict:
        return {"kind": self.kind, "sigma": self.sigma, "df": self.df}
