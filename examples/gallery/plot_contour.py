"""
A path on the contours
======================

The 2-D view: contours of the objective (log-spaced where ``f`` spans orders of magnitude), the
search as a white path, the known minima as stars. Adam on Rosenbrock's valley.
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("rosenbrock")
result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=1500, x0=[-1.5, 2.0])
plot.plot_contour(problem, result)
result
