"""
AMSGrad, and why it exists
==========================

Adam scales each coordinate's step by a running average of squared gradients, ``v``: where
gradients have been large the step is small, and the other way round. Reddi, Kale and Kumar
(2018) showed that this average can *forget* a rare large gradient quickly, so that the step
grows exactly where it should stay small, and built a simple problem on which Adam converges to
the worst point. AMSGrad keeps the largest ``v`` seen so far, ``vhat = max(vhat, v)``, so the
step size never grows. The second tutorial runs AMSGrad on ``x**2 + y**2`` over ``[-1, 1]^2``
from seed 1, with ``alpha = 0.007``, ``beta1 = 0.9`` (decayed as ``beta1**t``) and
``beta2 = 0.99``.
"""

# %%
# The tutorial's run
# ------------------
# Its 100 iterations print as the tutorial printed them (the trace was made without the
# ``1e-8`` the tutorial's code adds to ``sqrt(vhat)``: see the explanation page on reproducing
# the tutorials).
import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl
from descentlab import plot
from descentlab.tutorials import TUTORIALS

amsgrad = TUTORIALS["amsgrad"]
result = amsgrad.run(verbose=True)

# %%
# The search on the contours and on the surface
# ---------------------------------------------
plot.plot_contour(amsgrad.problem, result, cmap="jet")

# %%
plot.plot_surface(amsgrad.problem, result)

# %%
# The step each coordinate took
# -----------------------------
# AMSGrad's steps are about ``alpha`` long while the gradient keeps its sign, whatever its size:
# the update divides ``m`` by ``sqrt(vhat)``.
steps = np.abs(np.diff(result.path, axis=0))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(1, len(steps) + 1), steps, label=["x", "y"])
ax.axhline(0.007, color="grey", lw=0.8, ls="--", label="alpha")
ax.set(xlabel="iteration", ylabel="|step| per coordinate")
ax.legend()

# %%
# Where Adam goes wrong
# ---------------------
# Reddi et al.'s online problem (their Section 5): on ``[-1, 1]`` the loss is ``1010 x`` once
# every 101 rounds and ``-10 x`` otherwise, so the average loss ``10 x / 101`` is least at
# ``x = -1``. Adam's ``v`` forgets the rare large gradient long before it comes again, and the
# frequent ``-10`` gradients push ``x`` to ``+1``, the worst point. The catalog has the problem
# as ``reddi-online``; ``project=True`` keeps ``x`` inside the bounds, and the step decays as
# ``alpha / sqrt(t)`` as in the paper (the ``adam-amsgrad`` experiment runs the whole design).
online = dl.get_function("reddi-online")
alpha = dl.InverseSqrtDecay(0.5)
runs = {
    name: dl.minimize(online, optimizer, n_iter=60_000, x0=[0.0], record=60, project=True)
    for name, optimizer in {
        "adam": dl.Adam(alpha=alpha, beta1=0.9, beta2=0.99),
        "amsgrad": dl.AMSGrad(alpha=alpha, beta1=0.9, beta2=0.99, beta1_decay="constant"),
    }.items()
}
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, run in runs.items():
    ax.plot(run.path_iter, run.path[:, 0], label=name)
ax.axhline(-1.0, color="grey", lw=0.8, ls="--", label="the minimum")
ax.set(xlabel="round", ylabel="x")
ax.legend()
for name, run in runs.items():
    print(f"{name:8s} ends at x = {run.x[0]: .3f}")
