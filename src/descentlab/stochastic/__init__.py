"""Stochastic, online and constrained settings: noisy gradients, minibatches, online problems.

Randomness is per start and seeded (:mod:`descentlab.stochastic.streams`), so many starts are
independent replicates and any start can be rerun alone.
"""

from descentlab.stochastic.noise import NOISE_KINDS, GradientNoise
from descentlab.stochastic.streams import StartStreams

__all__ = ["NOISE_KINDS", "GradientNoise", "StartStreams"]
