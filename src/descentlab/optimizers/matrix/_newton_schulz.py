"""The Newton-Schulz iteration Muon orthogonalizes its momentum with, batched over starts."""

from __future__ import annotations

from descentlab._namespace import namespace

#: Keller Jordan's quintic coefficients: the slope at zero as large as convergence allows.
COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def transposed(a):
    return namespace(a).swapaxes(a, -1, -2)


def orthogonalized(g, steps: int, coefficients, eps, eps_floor: bool, dtype: str = "input"):
    """About ``U V^T`` of ``g = U S V^T`` (``(..., p, q)``): ``steps`` iterations of
    ``X = a X + (b A + c A A) X``, ``A = X X^T``, from ``X = g / ||g||_F`` (wide: a tall ``g``
    is transposed, and back). ``eps_floor``: divide by ``max(||g||, eps)`` (PyTorch) instead of
    ``||g|| + eps`` (optax). ``dtype="bfloat16"`` runs it all in bfloat16, as
    ``torch.optim.Muon`` does (the answer comes back in ``g``'s dtype)."""
    xp = namespace(g)
    if dtype == "bfloat16":
        low = xp.astype(g, _bfloat16(xp))
        return xp.astype(orthogonalized(low, steps, coefficients, eps, eps_floor), g.dtype)
    tall = g.shape[-2] > g.shape[-1]
    x = transposed(g) if tall else g
    size = xp.sqrt(xp.sum(x * x, axis=(-2, -1), keepdims=True))
    x = x / (xp.maximum(size, eps) if eps_floor else size + eps)
    a, b, c = coefficients
    # a X + (b A + c A A) X = (A (c A + b I) + a I) X: the scalars on the smaller (p, p)
    # matrices, three elementwise passes an iteration instead of five (they cost as much as a
    # third of the matrix products in bfloat16 on a CPU)
    eye = xp.eye(x.shape[-2], dtype=x.dtype)
    a_eye, b_eye = a * eye, b * eye
    for _ in range(steps):
        gram = x @ transposed(x)
        x = (gram @ (c * gram + b_eye) + a_eye) @ x
    return transposed(x) if tall else x


def _bfloat16(xp):
    """bfloat16 in ``xp`` (NumPy has none of its own: ml_dtypes', which JAX installs)."""
    if hasattr(xp, "bfloat16"):
        return xp.bfloat16
    try:
        import ml_dtypes
    except ImportError:
        raise ValueError("ns_dtype='bfloat16' on NumPy arrays needs ml_dtypes (pip install "
                         "ml_dtypes, or descentlab[jax])") from None  # fmt: skip
    return ml_dtypes.bfloat16
