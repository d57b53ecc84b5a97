"""What theory says about gradient descent and the heavy ball on a quadratic with curvature in
``[mu, L]`` (the Hessian's extreme eigenvalues; the catalog's quadratics know theirs).

- gradient descent is stable for ``0 < alpha < 2 / L`` and fastest at ``alpha = 2 / (L + mu)``,
  contracting by ``(kappa - 1) / (kappa + 1)`` per step, ``kappa = L / mu``;
- the heavy ball ``x+ = x - alpha g + beta (x - x_prev)`` (the first tutorial's momentum with a
  constant step) is stable for ``0 <= beta < 1`` and ``0 < alpha < 2 (1 + beta) / L``, and
  fastest at Polyak's ``alpha = 4 / (sqrt(L) + sqrt(mu))**2``,
  ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2``, contracting by
  ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` per step.

Polyak (1964); Nocedal & Wright, Numerical Optimization (2006); Goh, "Why Momentum Really
Works", Distill (2017).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Quadratic:
    """The curvature range ``[mu, L]`` of a strongly convex quadratic."""

    mu: float
    L: float

    @property
    def kappa(self) -> float:
        return self.L / self.mu

    @property
    def gd_limit(self) -> float:
        """The largest stable step of gradient descent."""
        return 2.0 / self.L

    @property
    def gd_step(self) -> float:
        return 2.0 / (self.L + self.mu)

    @property
    def gd_rate(self) -> float:
        return (self.kappa - 1.0) / (self.kappa + 1.0)

    def heavy_ball_limit(self, beta):
        """The largest stable step of the heavy ball at momentum ``beta`` (number or array)."""
        return 2.0 * (1.0 + beta) / self.L

    @property
    def polyak(self) -> tuple[float, float]:
        """Polyak's optimal ``(alpha, beta)``."""
        return 4.0 / (math.sqrt(self.L) + math.sqrt(self.mu)) ** 2, self.heavy_ball_rate**2

    @property
    def heavy_ball_rate(self) -> float:
        root = math.sqrt(self.kappa)
        return (root - 1.0) / (root + 1.0)
