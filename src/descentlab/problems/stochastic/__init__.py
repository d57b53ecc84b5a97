"""Stochastic, online and constrained settings: noisy gradients, minibatches, online problems.

Randomness is per start and seeded (:mod:`descentlab.problems.stochastic.streams`), so many
starts are independent replicates and any start can be rerun alone.
"""

from descentlab.problems.stochastic.noise import NOISE_KINDS, GradientNoise
from descentlab.problems.stochastic.streams import StartStreams

__all__ = ["NOISE_KINDS", "GradientNoise", "StartStreams"]
