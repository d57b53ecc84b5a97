"""Seeing a problem's landscape: 2-D slices with the optimizers' paths, Hessian-vector
products and sharpness (the top Hessian eigenvalues) along a run.

>>> import descentlab as dl
>>> problem = dl.get_function("rosenbrock")
>>> result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=200, x0=[-1, 1.5], record="all")
>>> plane = dl.landscape.loss_slice(problem, {"Adam": result}, points=11)
>>> plane.values.shape
(11, 11)
>>> float(dl.landscape.top_eigenvalues(problem, [1.0, 1.0])[0])  # doctest: +ELLIPSIS
1001.6...
"""

from __future__ import annotations

from descentlab.landscape.directions import (
    explained_share,
    filter_normalized,
    filter_norms,
    principal_directions,
    project,
)
from descentlab.landscape.hessian import dense_hessian, hessian_vector_product
from descentlab.landscape.sharpness import sharpness_along, top_eigenvalues
from descentlab.landscape.slices import Slice, evaluate, loss_slice

__all__ = ["Slice", "dense_hessian", "evaluate", "explained_share", "filter_normalized",
           "filter_norms", "hessian_vector_product", "loss_slice", "principal_directions",
           "project", "sharpness_along", "top_eigenvalues"]  # fmt: skip
