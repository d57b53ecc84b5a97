"""
The compiled engine: JAX
========================

``engine="jax"`` compiles the whole run (gradient, optimizer step, tolerances, status, record)
into one program, spread over the CPU's cores. It runs the same update code as the NumPy
engine and gives the same results to rounding.
"""

import time

import numpy as np

import descentlab as dl

problem = dl.get_function("himmelblau")
settings = dict(n_iter=2000, seed=0, starts=20_000, record="none", tol=dl.Tolerance(grad=1e-6))
for engine in ["numpy", "jax", "jax"]:  # the second JAX call reuses the compiled program
    began = time.perf_counter()
    result = dl.minimize(problem, dl.Adam(alpha=0.05), engine=engine, **settings)
    seconds, converged = time.perf_counter() - began, np.mean(result.status == "converged")
    print(f"{engine:5s} {seconds:6.2f} s, converged {converged:.1%}")

numpy_run = dl.minimize(problem, dl.Adam(alpha=0.05), **{**settings, "starts": 200})
jax_run = dl.minimize(problem, dl.Adam(alpha=0.05), engine="jax", **{**settings, "starts": 200})
print("same statuses:", bool(np.all(numpy_run.status == jax_run.status)))
print("largest difference in x:", float(np.abs(numpy_run.x - jax_run.x).max()))
