"""An ill-conditioned quadratic: the bowl whose condition number you choose."""

from __future__ import annotations

import functools
import math

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.functions._entry import FunctionEntry


@functools.lru_cache(maxsize=64)
def _curvature(d: int, kappa: float, rotation_seed: int | None):
    """Eigenvalues spread geometrically from 1 to kappa, and the rotation (None: the axes)."""
    eigenvalues = kappa ** (np.arange(d) / (d - 1)) if d > 1 else np.ones(1)
    if rotation_seed is None:
        return eigenvalues, None
    q, r = np.linalg.qr(np.random.RandomState(rotation_seed).normal(size=(d, d)))
    return eigenvalues, q * np.sign(np.diag(r))  # sign fix: a unique, Haar-distributed Q


def _rotate(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``x @ matrix`` row by row in the same order for any batch (einsum, not BLAS, whose
    batched and single-vector products round differently): a start gives the same path alone
    or in a batch, bit for bit."""
    return namespace(x).einsum("...i,ij->...j", x, matrix)


def _along_axes(x: np.ndarray, kappa: float, rotation_seed: int | None):
    xp = namespace(x)
    eigenvalues, rotation = _curvature(x.shape[-1], kappa, rotation_seed)
    eigenvalues = xp.asarray(eigenvalues, dtype=x.dtype)
    if rotation is not None:
        rotation = xp.asarray(rotation, dtype=x.dtype)
    return eigenvalues, rotation, (x if rotation is None else _rotate(x, rotation))


def quadratic_entry(kappa: float = 100.0, rotation_seed: int | None = None) -> FunctionEntry:
    """``f(x) = 1/2 sum_i lambda_i (Q^T x)_i^2`` with ``lambda_i = kappa**(i/(d-1))``."""
    if not (isinstance(kappa, (int, float)) and math.isfinite(kappa) and kappa >= 1):
        raise ValueError(f"kappa must be a finite number >= 1, not {kappa!r}")
    if rotation_seed is not None and (
        isinstance(rotation_seed, bool)
        or not isinstance(rotation_seed, int)
        or not 0 <= rotation_seed < 2**32
    ):
        raise ValueError(
            f"rotation_seed must be a whole number in [0, 2**32) or None, not {rotation_seed!r}"
        )

    def f(x: np.ndarray) -> np.ndarray:
        eigenvalues, _, y = _along_axes(x, kappa, rotation_seed)
        return 0.5 * namespace(x).sum(eigenvalues * y**2, axis=-1)

    def grad(x: np.ndarray) -> np.ndarray:
        eigenvalues, rotation, y = _along_axes(x, kappa, rotation_seed)
        scaled = eigenvalues * y
        return scaled if rotation is None else _rotate(scaled, rotation.T)

    rotated = "axes" if rotation_seed is None else f"rotated by the seeded Q (seed {rotation_seed})"
    return FunctionEntry(
        name="quadratic",
        f=f,
        grad=grad,
        domain=((-1.0, 1.0),),
        minimum=0.0,
        minimizers=lambda d: np.zeros((1, d)),
        formula="f(x) = 1/2 sum_i lambda_i (Q^T x)_i^2, lambda_i = kappa^(i/(d-1))",
        description=f"Condition number kappa = {kappa:g}, eigenvectors along the {rotated}; "
        "parameters kappa and rotation_seed.",
        citation="Nocedal & Wright, Numerical Optimization (2006), sec. 3.3 (steepest descent "
        "on quadratics)",
        variant=quadratic_entry,
        parameters=(("kappa", kappa), ("rotation_seed", rotation_seed)),
        curvature=lambda d: (1.0, float(kappa) if d > 1 else 1.0),
    )


QUADRATIC = quadratic_entry()
