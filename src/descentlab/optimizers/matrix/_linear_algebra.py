"""The matrix algebra of the preconditioned methods, batched over starts (``(..., p, p)``):
eigenbases, inverse roots and the power-iteration refresh, in the namespace of the input."""

from __future__ import annotations

from descentlab._namespace import namespace


def transposed(a):
    return namespace(a).swapaxes(a, -1, -2)


def outer(g, axis: int):
    """``G G^T`` (``axis`` 0: ``(p, p)``) or ``G^T G`` (``axis`` 1: ``(q, q)``) of a matrix ``g``
    (``(..., p, q)``); ``g g^T`` of a vector (``(..., n)``, ``axis`` 0)."""
    if g.ndim >= 2 and axis == 1:
        return transposed(g) @ g
    return g @ transposed(g)


def vector_outer(g):
    """``g g^T`` of a vector (``(..., n)`` to ``(..., n, n)``)."""
    return g[..., :, None] * g[..., None, :]


def eigenbasis(m):
    """The eigenvectors of the symmetric ``m``, by decreasing eigenvalue (as SOAP keeps them)."""
    xp = namespace(m)
    eye = xp.eye(m.shape[-1], dtype=m.dtype)
    _, q = xp.linalg.eigh(m + 1e-30 * eye)
    return xp.flip(q, axis=-1)


def inverse_root(m, power: float):
    """``m**(-1/power)`` of the positive semidefinite ``m`` by its singular values."""
    xp = namespace(m)
    u, s, vh = xp.linalg.svd(m, full_matrices=False)
    return (u * (s ** (-1.0 / power))[..., None, :]) @ vh


def refreshed_basis(m, q):
    """One step of power iteration from the basis ``q`` towards ``m``'s eigenvectors, with the
    columns ordered by their estimated eigenvalues (decreasing), and that order: SOAP's cheap
    refresh of an eigenbasis (a QR instead of an eigendecomposition)."""
    xp = namespace(m)
    product = m @ q
    estimate = xp.sum(q * product, axis=-2)
    order = xp.flip(xp.argsort(estimate, axis=-1), axis=-1)
    ordered = xp.take_along_axis(product, order[..., None, :], axis=-1)
    basis, _ = xp.linalg.qr(ordered)
    return basis, order
