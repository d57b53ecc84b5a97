"""Sums over a start's coordinates, one per start (``(..., 1)``: they broadcast against the
points): the dot products and norms the step-size estimates are made of. Over a bridge's flat
buffer of parameters they are over every parameter at once, as the twins' are."""

from __future__ import annotations

from descentlab._namespace import namespace


def total(a):
    """``sum_i a_i`` per start."""
    return namespace(a).sum(a, axis=-1, keepdims=True)


def dot(a, b):
    """``<a, b>`` per start."""
    return total(a * b)


def norm(a):
    """``||a||`` per start."""
    return namespace(a).sqrt(dot(a, a))


def estimate(numerator, denominator, previous):
    """``numerator / denominator``, or ``previous`` where the denominator is 0 (no gradient
    yet: the estimate waits, as the twins skip such a step)."""
    xp = namespace(denominator)
    safe = xp.where(denominator > 0, denominator, 1.0)
    return xp.where(denominator > 0, numerator / safe, previous)
