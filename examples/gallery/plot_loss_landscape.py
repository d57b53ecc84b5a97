"""
A network's loss landscape with three optimizers' paths
=======================================================

A network has thousands of coordinates, so its landscape is seen along a plane. Li et al.
(2018) give two: the plane of the first two principal directions of the optimizers' own paths
(centred on where the first one ended), on which each path is drawn with the share of its
movement that the plane explains; and a plane of two random directions rescaled filter by
filter to the weights' own norms ("filter normalization"), which shows the loss around a
solution at the scale of the network's layers. The grid of the plane is a batch of points,
evaluated like many starts.

Here Adam, Muon and heavy-ball momentum train the one-hidden-layer network on the digits
(``mlp-digits``, 2,410 weights) from the same start, full batch, 300 steps each.
"""

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl

problem = dl.get_function("mlp-digits")
start = dl.uniform_starts(problem.bounds, 1, 0)[0]
optimizers = {
    "Adam": dl.Adam(alpha=0.01),
    "Muon": dl.Muon(),
    "Momentum": dl.Momentum(step_size=0.1, momentum=0.9),
}
runs = {name: dl.minimize(problem, optimizer, n_iter=300, x0=start, record=10)
        for name, optimizer in optimizers.items()}  # fmt: skip

principal = dl.landscape.loss_slice(problem, runs, kind="pca", points=31)
around_adam = dl.landscape.loss_slice(problem, {"Adam": runs["Adam"]}, kind="filter",
                                      points=31, extent=1.0)  # fmt: skip

fig = plt.figure(figsize=(15, 5), layout="constrained")
dl.plot.plot_landscape(principal, ax=fig.add_subplot(1, 3, 1))
dl.plot.plot_landscape_surface(principal, ax=fig.add_subplot(1, 3, 2, projection="3d"))
dl.plot.plot_landscape(around_adam, ax=fig.add_subplot(1, 3, 3))
for name, share in principal.shares.items():
    print(f"{name}: {share:.0%} of its movement lies in the principal plane")
print("the principal directions explain", np.round(principal.variance, 3), "of the movement")

# %%
# The same plane, the paths moving over it (a GIF: the contours are drawn once).

dl.plot.save_animation(dl.plot.animate_landscape(principal, frames=30), "landscape.gif", fps=8)
