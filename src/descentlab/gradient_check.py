"""The path the README taught for gradient checks: see :mod:`descentlab.engines.gradient_check`."""

from descentlab.engines.gradient_check import GradientCheck, check_gradient

__all__ = ["GradientCheck", "check_gradient"]
