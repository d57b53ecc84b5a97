"""
The compiled engine: JAX
========================

``engine="jax"`` compiles the whole run (gradient, optimizer step, tolerances, status, record)
into one program, spread over the CPU's cores. It runs the same update code as the NumPy
engine and gives the same results to rounding.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

import descentlab as dl

problem = dl.get_function("himmelblau")
settings = dict(n_iter=2000, seed=0, starts=20_000, record="none", tol=dl.Tolerance(grad=1e-6))
timings = {}
for label, engine in [("numpy", "numpy"), ("jax, first call", "jax"), ("jax, again", "jax")]:
    began = time.perf_counter()  # the first JAX call compiles; the second reuses the program
    result = dl.minimize(problem, dl.Adam(alpha=0.05), engine=engine, **settings)
    timings[label] = time.perf_counter() - began
    converged = np.mean(result.status == "converged")
    print(f"{label:16s} {timings[label]:6.2f} s, converged {converged:.1%}")

fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(timings), list(timings.values()))
ax.set(xlabel="seconds for 20,000 starts x 2,000 steps (this build's machine)")
ax.invert_yaxis()
fig.tight_layout()

numpy_run = dl.minimize(problem, dl.Adam(alpha=0.05), **{**settings, "starts": 200})
jax_run = dl.minimize(problem, dl.Adam(alpha=0.05), engine="jax", **{**settings, "starts": 200})
print("same statuses:", bool(np.all(numpy_run.status == jax_run.status)))
print("largest difference in x:", float(np.abs(numpy_run.x - jax_run.x).max()))
