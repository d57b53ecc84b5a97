"""
Optimizers side by side
=======================

``plot_comparison`` puts the paths of several runs on one map beside their convergence curves:
the family from the same start on Beale's function.
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("beale")
optimizers = {
    "gd": dl.GradientDescent(step_size=0.005),
    "momentum": dl.Momentum(step_size=0.005, momentum=0.9),
    "rmsprop": dl.RMSProp(step_size=0.01),
    "adam": dl.Adam(alpha=0.05),
    "amsgrad": dl.AMSGrad(alpha=0.05),
}
runs = {
    name: dl.minimize(problem, opt, n_iter=1000, x0=[1.0, 1.5]) for name, opt in optimizers.items()
}
fig = plot.plot_comparison(problem, runs)
fig.set_size_inches(11, 4.5)
