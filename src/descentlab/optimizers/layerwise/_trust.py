"""The trust ratio both layer-wise methods scale a block's update by."""

from __future__ import annotations

from descentlab._namespace import namespace
from descentlab._structure import Block, block_norm, for_block


def trust_scaled(block: Block, x, u, coefficient=1.0, eps=0.0):
    """``u * coefficient ||x|| / (||u|| + eps)`` on one block; the update as it is where either
    norm is 0 (a block of zeros, or no update), as optax's ``scale_by_trust_ratio``."""
    xp = namespace(u)
    coefficient, eps = for_block(coefficient, block), for_block(eps, block)
    x_norm, u_norm = block_norm(x, block), block_norm(u, block)
    zero = (x_norm == 0) | (u_norm == 0)
    ratio = coefficient * x_norm / xp.where(zero, 1.0, u_norm + eps)
    return u * xp.where(zero, 1.0, ratio)
