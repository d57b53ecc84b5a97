"""
Gradient descent with momentum
==============================

Gradient descent walks downhill: from a point ``x`` it takes a step against the gradient,
``x <- x - alpha * f'(x)``. On a bowl such as ``f(x) = x**2`` every step shrinks the distance
to the minimum by the same factor, ``1 - 2 * alpha``. Momentum remembers the last step and adds
a share ``beta`` of it to the next one, ``change <- alpha * f'(x) + beta * change``, so that steps
in a steady direction build up speed. The first tutorial compares the two on ``x**2`` over
``[-1, 1]``, from the start that seed 4 draws, with ``alpha = 0.1`` and ``beta = 0.3``.
"""

# %%
# The tutorial's run
# ------------------
# ``descentlab.tutorials.TUTORIALS`` holds the tutorials' settings. Running one with
# ``verbose=True`` prints the trace exactly as the tutorial printed it, one line per iteration.
import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl
from descentlab import plot
from descentlab.tutorials import TUTORIALS

momentum = TUTORIALS["momentum"]
result = momentum.run(verbose=True)

# %%
# Both runs on the objective
# --------------------------
# The line view is the tutorial's picture: the objective, and the search as red dots joined
# in order. Gradient descent alone starts from the same point.
gd = TUTORIALS["gd"].run()
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
plot.plot_line(momentum.problem, gd, ax=axes[0])
axes[0].set_title("gradient descent, alpha = 0.1")
plot.plot_line(momentum.problem, result, ax=axes[1])
axes[1].set_title("momentum 0.3")
fig.tight_layout()

# %%
# How fast each gets there
# ------------------------
# On the log scale a constant factor per step is a straight line. Gradient descent shrinks
# ``|x|`` by ``1 - 2 * 0.1 = 0.8`` a step; momentum's line is steeper.
ax = plot.plot_convergence(momentum.problem, {"gradient descent": gd, "momentum 0.3": result})
ax.set_title("f - f* per iteration")

# %%
# Why the rate is what it is
# --------------------------
# On ``f(x) = x**2`` the heavy ball is a linear recurrence, ``x_{t+1} = (1 + beta - 2 alpha) x_t
# - beta x_{t-1}``, and its rate is the largest root of ``r**2 - (1 + beta - 2 alpha) r + beta``.
alpha, beta = 0.1, 0.3
roots = np.roots([1.0, -(1 + beta - 2 * alpha), beta])
rate = np.abs(roots).max()
measured = (abs(result.path[-1, 0]) / abs(result.path[-11, 0])) ** (1 / 10)
print(f"predicted rate {rate:.4f}, measured over the last 10 steps {measured:.4f}")
print(f"gradient descent's rate {1 - 2 * alpha:.4f}")

# %%
# Beyond the tutorial: every momentum at once
# -------------------------------------------
# Hyperparameters may be arrays that broadcast over starts: one run moves 50 copies of the
# tutorial's start, each with its own momentum, and shows where momentum stops helping.
betas = np.linspace(0.0, 0.95, 50)
start = result.path[0]
many = dl.minimize(
    momentum.problem,
    dl.Momentum(step_size=0.1, momentum=betas),
    x0=np.repeat(start[None, :], betas.size, axis=0),
    n_iter=30,
)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(betas, np.abs(many.x[:, 0]) + 1e-300, "o-", ms=3)
ax.axvline(0.3, color="red", lw=0.8, label="the tutorial's 0.3")
ax.set(xlabel="momentum beta", ylabel="|x| after 30 steps")
ax.legend()
