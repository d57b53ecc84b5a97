"""
Many starts: which minimum does each find?
==========================================

``starts=400`` moves 400 starts as one batch. ``plot_starts`` maps where they ended, with a
sample of their paths, and ``summarize`` groups the final points into distinct minima matched
to the catalog's known ones.
"""

import descentlab as dl
from descentlab import plot
from descentlab.multistart import summarize

problem = dl.get_function("himmelblau")
result = dl.minimize(
    problem, dl.Adam(alpha=0.05), n_iter=2000, seed=0, starts=400, record=10,
    tol=dl.Tolerance(grad=1e-8),
)  # fmt: skip
plot.plot_starts(problem, result)
print("\n".join(summarize(result, problem).lines()))
