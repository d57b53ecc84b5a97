"""
One dimension: the line view
============================

In 1-D the objective is a line and the search red dots on it, as the tutorials drew it. Here
gradient descent with a step too long for Forrester's function overshoots the deep minimum's
basin, and a shorter one settles into it.
"""

import matplotlib.pyplot as plt

import descentlab as dl
from descentlab import plot

problem = dl.get_function("forrester")
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, step in zip(axes, [0.002, 0.01], strict=True):
    result = dl.minimize(problem, dl.GradientDescent(step_size=step), n_iter=40, x0=[0.45])
    plot.plot_line(problem, result, ax=ax)
    ax.set_title(f"step size {step}: ends at x = {result.x[0]:.3f}")
fig.tight_layout()
