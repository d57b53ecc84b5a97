"""A 2-D slice of a problem's landscape about a point, with recorded paths projected on it.

The grid is a batch of points ``center + a u + b w`` evaluated like many starts (in chunks,
on either engine), so a network's slice costs a few hundred batched forward passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from descentlab._validation import one_of, whole
from descentlab.landscape.directions import (
    explained_share,
    filter_normalized,
    principal_directions,
    project,
)
from descentlab.problems.problem import Problem
from descentlab.results.result import Result

KINDS = ("pca", "filter")
CHUNK = 64


@dataclass(frozen=True)
class Slice:
    """The objective on a grid of the plane through ``center`` along ``directions``.

    ``values[i, j]`` is ``f(center + a[j] u + b[i] w)``; ``paths[name]`` the recorded path's
    plane coordinates ``(K, 2)``; ``shares[name]`` the share of its movement the plane
    explains; ``variance`` the share of all paths' movement each principal direction explains
    (``pca`` slices)."""

    problem: str
    kind: str
    center: np.ndarray = field(repr=False)
    directions: np.ndarray = field(repr=False)
    a: np.ndarray = field(repr=False)
    b: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    paths: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    shares: dict[str, float] = field(default_factory=dict)
    variance: np.ndarray | None = None


def loss_slice(problem: Problem, paths: Mapping[str, object] | None = None, *,
               kind: str = "pca", center=None, points: int = 31, margin: float = 0.25,
               extent: float = 1.0, engine: str = "numpy", seed: int = 0) -> Slice:  # fmt: skip
    """The slice of ``problem`` along ``kind`` directions, with ``paths`` (names to results
    that recorded a path, or ``(K, d)`` arrays) drawn on it.

    ``pca``: the paths' two principal directions about ``center`` (default: the first path's
    last point, as Li et al.); the grid covers the paths with ``margin`` to spare.
    ``filter``: two filter-normalized random directions (seeds ``seed``, ``seed + 1``) about
    ``center`` (default: the first path's last point), the grid ``[-extent, extent]^2``.
    """
    one_of("kind", kind, KINDS)
    points = whole("points", points, least=3)
    tracks = {name: _track(name, value) for name, value in (paths or {}).items()}
    if center is None:
        if not tracks:
            raise ValueError("center is needed when no paths are given")
        center = _last_finite(next(iter(tracks.values())))
    center = np.asarray(center, dtype=float)
    variance = None
    if kind == "pca":
        if not tracks:
            raise ValueError("kind='pca' needs at least one recorded path")
        directions, variance = principal_directions(list(tracks.values()), center)
    else:
        structure = problem.structure
        directions = np.stack([filter_normalized(center, structure, seed + k) for k in (0, 1)])
    planar = {name: project(track, center, directions) for name, track in tracks.items()}
    a, b = _grid(planar, points, margin, extent if kind == "filter" or not planar else None)
    mesh = center + a[None, :, None] * directions[0] + b[:, None, None] * directions[1]
    values = evaluate(problem, mesh.reshape(-1, center.size), engine).reshape(points, points)
    shares = {name: explained_share(track, center, directions) for name, track in tracks.items()}
    return Slice(problem.name, kind, center, directions, a, b, values, planar, shares, variance)


def _track(name: str, value: object) -> np.ndarray:
    """A recorded path ``(K, d)``: a result's (its first start's, for a batch), or an array."""
    if isinstance(value, Result):
        if value.path is None:
            raise ValueError(f"paths[{name!r}] recorded no path: run it with record='all'")
        value = value.path if value.path.ndim == 2 else value.path.reshape(
            value.path.shape[0], -1, value.path.shape[-1])[:, 0]  # fmt: skip
    track = np.asarray(value, dtype=float)
    if track.ndim != 2:
        raise ValueError(f"paths[{name!r}] must be a result or a (K, d) array, not shape "
                         f"{track.shape}")  # fmt: skip
    return track


def _last_finite(track: np.ndarray) -> np.ndarray:
    finite = track[np.all(np.isfinite(track), axis=1)]
    return finite[-1] if len(finite) else track[0]


def _grid(planar, points: int, margin: float, extent: float | None):
    if extent is not None:
        line = np.linspace(-extent, extent, points)
        return line, line.copy()
    every = np.concatenate(list(planar.values()))
    every = every[np.all(np.isfinite(every), axis=1)]
    low, high = every.min(axis=0), every.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-12)
    return np.linspace(low[0] - pad[0], high[0] + pad[0], points), np.linspace(
        low[1] - pad[1], high[1] + pad[1], points)  # fmt: skip


def evaluate(problem: Problem, x: np.ndarray, engine: str = "numpy") -> np.ndarray:
    """``f`` at each row of ``x`` ``(n, d)``, ``CHUNK`` rows at a time."""
    one_of("engine", engine, ("numpy", "jax"))
    if engine == "jax":
        f = _jax_objective(problem, min(CHUNK, len(x)), x.shape[1])  # one program per shape
    else:
        f = problem.prepared_for(x).f
    return np.concatenate([np.asarray(f(x[i : i + CHUNK]), dtype=float)
                           for i in range(0, len(x), CHUNK)])  # fmt: skip


def _jax_objective(problem: Problem, n: int, d: int):
    import jax

    from descentlab.engines.jax_engine import setup  # noqa: F401  (64-bit mode)
    from descentlab.engines.jax_engine.problem import traced_problem

    return jax.jit(traced_problem(problem, n, d, np.float64).f)
