"""
Saving a run and continuing it
==============================

A run carries its optimizer's state, so ``resume=`` continues it: 100 steps, then 100 more,
equal bit for bit to 200 straight. The command line does the same through a run file
(``run ... --json a.json``, then ``run ... --resume a.json``), whose settings it keeps.
"""

import numpy as np

import descentlab as dl
from descentlab import plot

problem = dl.get_function("rosenbrock")
adam = dl.Adam(alpha=0.05)
first = dl.minimize(problem, adam, n_iter=100, seed=0)
both = dl.minimize(problem, adam, n_iter=100, resume=first)
straight = dl.minimize(problem, adam, n_iter=200, seed=0)
print("equal to 200 straight:", bool(np.array_equal(both.x, straight.x)), both.x)
plot.plot_contour(problem, both)
