"""
Sharpness along training: the edge of stability
===============================================

The seeds' lesson: gradient descent at step size ``eta`` is stable on a quadratic only while
its curvature stays below ``2 / eta``. Inside a network, Cohen et al. (2021) found that full-
batch gradient descent pushes the sharpness (the top Hessian eigenvalue) up until it reaches
``2 / eta``, and then trains on at that edge. ``dl.landscape.sharpness_along`` measures the
sharpness at a run's recorded points by Lanczos on Hessian-vector products (the Hessian of
2,410 weights is never formed), and ``plot_sharpness`` draws it with the ``2 / eta`` line.

Here gradient descent trains ``mlp-digits`` on half the squared error to the one-hot targets
(Cohen et al.'s setting) at two step sizes, as one batch; ``descentlab experiment
edge-of-stability`` turns the picture into a verdict.
"""

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl

problem = dl.get_function("mlp-digits", loss="squared-error")
etas = np.array([0.3, 0.5])
start = np.tile(dl.uniform_starts(problem.bounds, 1, 0), (len(etas), 1))
result = dl.minimize(problem, dl.GradientDescent(step_size=etas), n_iter=1200, x0=start,
                     record=60)  # fmt: skip
result = dl.landscape.sharpness_along(problem, result, iterations=20)

fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7), sharex=True, layout="constrained")
for k, eta in enumerate(etas):
    dl.plot.plot_sharpness(result, step_size=eta, start=k, ax=top, label=f"eta = {eta}",
                           color=f"C{k}")  # fmt: skip
    bottom.semilogy(result.path_iter, result.path_fun[:, k], color=f"C{k}")
bottom.set(xlabel="iteration", ylabel="training loss")
bottom.grid(True, alpha=0.3)
print("eta x sharpness / 2 at the end:", np.round(result.path_sharpness[-1, :, 0] * etas / 2, 3))
