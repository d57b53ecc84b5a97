"""The Newton-Schulz iteration Muon orthogonalizes its momentum with, batched over starts."""

from __future__ import annotations

from descentlab._namespace import namespace

#: Keller Jordan's quintic coefficients: the slope at zero as large as convergence allows.
COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def transposed(a):
    return namespace(a).swapaxes(a, -1, -2)


def orthogonalized(g, steps: int, coefficients, eps, eps_floor: bool):
    """About ``U V^T`` of ``g = U S V^T`` (``(..., p, q)``): ``steps`` iterations of
    ``X = a X + (b A + c A A) X``, ``A = X X^T``, from ``X = g / ||g||_F`` (wide: a tall ``g``
    is transposed, and back). ``eps_floor``: divide by ``max(||g||, eps)`` (PyTorch) instead of
    ``||g|| + eps`` (optax)."""
    xp = namespace(g)
    tall = g.shape[-2] > g.shape[-1]
    x = transposed(g) if tall else g
    size = xp.sqrt(xp.sum(x * x, axis=(-2, -1), keepdims=True))
    x = x / (xp.maximum(size, eps) if eps_floor else size + eps)
    a, b, c = coefficients
    for _ in range(steps):
        gram = x @ transposed(x)
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return transposed(x) if tall else x
