"""Directions to slice a landscape along, and how much of a path a plane explains.

- :func:`filter_normalized`: Li et al. (2018)'s random direction. A Gaussian direction is
  rescaled filter by filter to the norm of the weights' filter, so a slice of a network
  shows its loss at the scale of its own weights (networks whose layers are scaled
  differently compare). A matrix block ``W`` ``(inputs, units)`` (a layer used as ``a W``)
  has one filter per unit, its column; vector blocks (biases) get direction 0, as Li et al.
  do; a problem without matrices is one filter, its whole point.
- :func:`principal_directions`: the first two principal directions of the movement of one
  or several recorded paths about a center (Li et al.'s Section 7: the final point of the
  path), with the share of the movement each explains.
"""

from __future__ import annotations

import numpy as np

from descentlab._structure import Structure


def filter_normalized(center, structure: Structure | None = None, seed: int = 0) -> np.ndarray:
    """A random direction ``(d,)`` with each filter's norm equal to ``center``'s filter's."""
    center = np.asarray(center, dtype=float)
    if center.ndim != 1:
        raise ValueError(f"center must be one point (d,), not shape {center.shape}")
    structure = structure or Structure.vector(center.size)
    if structure.dim != center.size:
        raise ValueError(f"structure has {structure.dim} coordinates, center {center.size}")
    direction = np.random.default_rng(seed).standard_normal(center.size)
    has_matrix = structure.has_matrix
    for block, a, b in structure.spans():
        if len(block.shape) == 2:
            weights = center[a:b].reshape(block.shape)
            random = direction[a:b].reshape(block.shape)
            scale = np.linalg.norm(weights, axis=0) / _nonzero(np.linalg.norm(random, axis=0))
            direction[a:b] = (random * scale).ravel()
        elif has_matrix:
            direction[a:b] = 0.0
        else:
            scale = np.linalg.norm(center[a:b]) or 1.0
            direction[a:b] *= scale / _nonzero(np.linalg.norm(direction[a:b]))
    return direction


def _nonzero(norms):
    return np.where(norms > 0, norms, 1.0)


def filter_norms(point, structure: Structure) -> list[np.ndarray]:
    """Each matrix block's filter (column) norms: what :func:`filter_normalized` matches."""
    point = np.asarray(point, dtype=float)
    return [np.linalg.norm(point[a:b].reshape(block.shape), axis=0)
            for block, a, b in structure.spans() if len(block.shape) == 2]  # fmt: skip


def principal_directions(paths, center) -> tuple[np.ndarray, np.ndarray]:
    """The two leading principal directions ``(2, d)`` (orthonormal) of the paths' points
    about ``center``, and the share of the movement each one explains ``(2,)``."""
    moves = np.concatenate([np.asarray(p, dtype=float) for p in paths]) - center
    moves = moves[np.all(np.isfinite(moves), axis=1)]
    if len(moves) < 2 or moves.shape[1] < 2:
        raise ValueError("principal directions need at least two finite recorded points of "
                         "at least two coordinates")  # fmt: skip
    _, singular, components = np.linalg.svd(moves, full_matrices=False)
    total = float(np.sum(singular**2))
    if total == 0:
        raise ValueError("the paths do not move: there is no principal direction")
    return components[:2], singular[:2] ** 2 / total


def project(points, center, directions) -> np.ndarray:
    """The plane coordinates ``(..., 2)`` of ``points`` (``(..., d)``): least squares, so the
    directions need not be orthogonal."""
    points = np.asarray(points, dtype=float)
    moves = (points - center).reshape(-1, len(center))
    coordinates = np.linalg.solve(directions @ directions.T, directions @ moves.T).T
    return coordinates.reshape(*points.shape[:-1], 2)


def explained_share(path, center, directions) -> float:
    """The share of a path's squared movement about ``center`` that lies in the plane."""
    moves = np.asarray(path, dtype=float) - center
    moves = moves[np.all(np.isfinite(moves), axis=1)]
    coordinates = project(moves + center, center, directions)
    residual = moves - coordinates @ directions
    total = float(np.sum(moves**2))
    return float("nan") if total == 0 else 1.0 - float(np.sum(residual**2)) / total
