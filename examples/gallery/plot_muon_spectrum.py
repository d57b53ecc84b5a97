"""
Muon: the update's spectrum before and after Newton-Schulz
==========================================================

Muon (Jordan et al., 2024) updates each weight matrix along ``U V^T`` of its momentum
``M = U S V^T``: every direction the gradient uses moves by the same amount, however small its
singular value. Five Newton-Schulz iterations approximate it without an SVD. Here the singular
values of the first layer's gradient of a network on the digits, before and after, and what
that does to training: Muon (its AdamW fallback on the biases) against Adam, both at their
default step sizes on ``deep-mlp-digits``, whose ``structure`` names its four weight matrices.
"""

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl
from descentlab.optimizers.matrix._newton_schulz import COEFFICIENTS, orthogonalized

problem = dl.get_function("deep-mlp-digits")
x0 = np.random.RandomState(0).uniform(*problem.bounds.T)
first = problem.structure.blocks[0]  # W1, 64 inputs x 32 units
gradient = problem.gradient(x0)[: first.size].reshape(first.shape)
after = orthogonalized(gradient, 5, COEFFICIENTS, 1e-8, eps_floor=False)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.semilogy(np.linalg.svd(gradient, compute_uv=False) / np.linalg.norm(gradient), "o-",
              label="gradient / its norm")  # fmt: skip
left.semilogy(np.linalg.svd(after, compute_uv=False), "s-", label="after Newton-Schulz")
left.set(xlabel="index", ylabel="singular value", title=f"{first.name} {first.shape}")
left.legend()
for optimizer in (dl.Adam(), dl.Muon()):
    result = dl.minimize(problem, optimizer, n_iter=300, x0=x0, record="all")
    right.semilogy(result.path_fun, label=optimizer.name)
right.set(xlabel="step", ylabel="training loss", title="deep-mlp-digits, full batch")
right.legend()
fig.tight_layout()
