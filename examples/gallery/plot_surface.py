"""
The surface in 3-D
==================

The same search drawn on the surface ``z = f(x, y)``: momentum on Himmelblau's function, whose
four minima are equally deep.
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("himmelblau")
result = dl.minimize(problem, dl.Momentum(step_size=0.005, momentum=0.8), n_iter=200, x0=[0.0, 0.0])
ax = plot.plot_surface(problem, result)
ax.view_init(elev=45, azim=-120)
print(result.x, result.status)
