"""
Tuning with Optuna
==================

``dl.tune`` asks Optuna's TPE sampler for a batch of settings at a time, runs each batch as one
vectorized run from every seed and scores a setting by its median iterations to the target. The
result holds the best settings beside the optimizer's defaults.
"""

import matplotlib.pyplot as plt

import descentlab as dl

tuning = dl.tune("rosenbrock", "adam", {"alpha": "log:1e-4:1", "beta1": "lin:0.5:0.99"},
                 budget=48, batch=16, seeds=3, n_iter=2000, target=1e-6)  # fmt: skip
print("best:", tuning.best)

trials = tuning.trials
fig, ax = plt.subplots(figsize=(6, 4))
points = ax.scatter(trials["alpha"], trials["beta1"], c=trials["score"], cmap="viridis_r")
ax.set(xscale="log", xlabel="alpha", ylabel="beta1", title="trials, coloured by score")
fig.colorbar(points, label="median iterations to 1e-6")

# %%
# The best settings beside the defaults, on the same seeds:
tuning.reference
