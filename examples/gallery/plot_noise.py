"""
Noise, minibatches and online problems
======================================

The same optimizers on gradients that lie: Gaussian noise added to an exact gradient,
minibatches of a finite sum (logistic regression on scikit-learn's digits), and an online
problem scored by regret. Every start draws from its own stream, so a start gives the same run
alone or in a batch, on either engine.
"""

import matplotlib.pyplot as plt

import descentlab as dl

sphere = dl.get_function("sphere", dim=10)
noise = dl.GradientNoise(sigma=0.5)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for name, optimizer in {
    "gd": dl.GradientDescent(step_size=0.05),
    "adam": dl.Adam(alpha=0.05),
}.items():
    run = dl.minimize(sphere, optimizer, n_iter=400, seed=0, starts=50, record=5, noise=noise)
    axes[0].semilogy(run.path_iter, run.path_fun.mean(axis=1), label=name)
axes[0].set(
    title="sphere, gradient noise sigma 0.5", xlabel="iteration", ylabel="mean f over 50 starts"
)
axes[0].legend()

logistic = dl.get_function("logistic-digits")
for batch in [16, 128, None]:
    run = dl.minimize(logistic, dl.Adam(alpha=0.01), n_iter=300, seed=0, batch_size=batch, record=5)
    axes[1].plot(run.path_iter, run.path_fun, label=f"batch {batch or 'full'}")
axes[1].set(title="logistic regression on digits", xlabel="iteration", ylabel="loss")
axes[1].legend()
fig.tight_layout()
