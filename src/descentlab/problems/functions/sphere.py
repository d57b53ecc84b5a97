"""The sphere: the tutorials' bowls ``x**2`` (1-D) and ``x**2 + y**2`` (2-D) in any dimension."""

from __future__ import annotations

import numpy as np

from descentlab.problems.functions._entry import FunctionEntry


def sphere(x: np.ndarray) -> np.ndarray:
    return (x**2).sum(axis=-1)


def sphere_grad(x: np.ndarray) -> np.ndarray:
    return x * 2.0


SPHERE = FunctionEntry(
    name="sphere",
    f=sphere,
    grad=sphere_grad,
    domain=((-1.0, 1.0),),
    minimum=0.0,
    minimizers=lambda d: np.zeros((1, d)),
    formula="f(x) = sum_i x_i^2",
    description="Convex bowl; the tutorials' x^2 on [-1, 1] (dim 1) and x^2 + y^2 (dim 2).",
    curvature=lambda d: (2.0, 2.0),
    citation=(
        "Surjanovic & Bingham, Virtual Library of Simulation Experiments (SFU), 'Sphere Function'"
    ),
)
