"""
Prodigy: a step size that estimates itself
==========================================

Learning-rate-free methods replace the step size by an estimate ``d`` of the distance from the
start to the solution, grown from a tiny ``d0`` as the gradients show how far the run has gone
(Prodigy: Mishchenko & Defazio, 2024; D-Adaptation before it). The number you give,
``step_size``, multiplies the estimate: 1 is the method as published. Here ``d`` over the
steps of training a network on the digits, from three ``d0`` a thousand-fold apart: they
settle on the same scale within a few dozen steps, which is the point.
"""

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl

problem = dl.get_function("mlp-digits", hidden=16)
x0 = np.random.RandomState(0).uniform(*problem.bounds.T)
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for d0 in (1e-8, 1e-6, 1e-4):
    optimizer = dl.Prodigy(d0=d0)
    x, state, d, loss = x0, optimizer.init(x0), [], []
    for _ in range(300):
        x, state = optimizer.step(x, problem.gradient(x), state)
        d.append(float(np.ravel(state.d)[0]))  # one start: its estimate
        loss.append(float(problem.f(x)))
    left.loglog(np.arange(1, 301), d, label=f"d0 = {d0:g}")
    right.semilogy(loss, label=f"d0 = {d0:g}")
left.set(xlabel="step", ylabel="d (the estimated step size)", title="Prodigy's estimate")
right.set(xlabel="step", ylabel="training loss", title="mlp-digits, full batch")
left.legend()
right.legend()
fig.tight_layout()
print("d after 300 steps:", d[-1])
