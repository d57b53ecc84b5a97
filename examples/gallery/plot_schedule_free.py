"""
Schedule-free: three points, one run
====================================

Schedule-free SGD (Defazio et al., 2024) keeps three sequences. ``z`` takes plain gradient
steps, ``x`` is a running average of the ``z`` s (weighted by the step sizes squared), and the
gradient is taken at ``y``, between them: ``y = (1 - beta) z + beta x``. Users evaluate ``x``:
``dl.minimize`` records and reports it, and the PyTorch bridge's ``eval()`` puts it in the
model. Here the three paths on an ill-conditioned quadratic, from the same start: ``z`` zig-zags
across the valley as gradient descent would, ``x`` averages the zig-zag away.
"""

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl
from descentlab import plot

problem = dl.get_function("quadratic", dim=2, kappa=25.0, rotation_seed=3)
optimizer = dl.ScheduleFreeSGD(step_size=0.07, beta=0.9)
x = np.array([-0.9, 0.8])
state = optimizer.init(x)
paths = {"z (the steps)": [x], "y (gradients taken here)": [x], "x (evaluated)": [x]}
for _ in range(60):
    x, state = optimizer.step(x, problem.gradient(x), state)  # x is the runner's y
    paths["z (the steps)"].append(state.z)
    paths["y (gradients taken here)"].append(x)
    paths["x (evaluated)"].append(optimizer.evaluation_point(x, state))

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot.plot_contour(problem, ax=left, colorbar=False)
for (name, path), style in zip(paths.items(), ["o-", ".-", "s-"], strict=True):
    points = np.array(path)
    left.plot(points[:, 0], points[:, 1], style, ms=3, lw=1, label=name)
left.legend(loc="lower right", fontsize=8)
for name, path in paths.items():
    right.semilogy([problem.f(p) - problem.minimum for p in path], label=name)
right.set(xlabel="step", ylabel="f - f*", title="the averaged x descends smoothly")
right.legend(fontsize=8)
fig.tight_layout()

# %%
# The run through ``dl.minimize`` reports the evaluated point: its final ``x`` is the average.
result = dl.minimize(problem, optimizer, n_iter=60, x0=[-0.9, 0.8])
print("minimize's final x:", result.x, " the average above:", paths["x (evaluated)"][-1])
