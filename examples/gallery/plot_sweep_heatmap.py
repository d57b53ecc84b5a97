"""
A sweep and its heatmap
=======================

``dl.sweep`` runs a grid of settings as one vectorized batch, one row per setting and seed.
``plot_sweep`` draws the median iterations to the target over two hyperparameters, with the
heavy ball's stability boundary and Polyak's optimal setting on the catalog's quadratics. Give
``store="file.db"`` to keep finished cells: a rerun skips them.
"""

import descentlab as dl
from descentlab.plot.sweep import plot_sweep

frame = dl.sweep(
    ("quadratic", {"dim": 5, "kappa": 100}),
    "momentum",
    {"step_size": "log:1e-3:1:40", "momentum": "lin:0:0.99:40"},  # 1,600 settings
    seeds=3,
    n_iter=500,
    target=1e-8,
)
plot_sweep(frame, "step_size", "momentum")
frame.sort_values("iterations").head()
