"""
Step rules: line searches, Polyak and Barzilai-Borwein
======================================================

A step rule chooses each step's length from the problem itself. Armijo backtracks until the
value drops enough; strong Wolfe also asks the slope to flatten; Polyak's step uses the known
minimum ``f*``; Barzilai-Borwein fits a step to the last two gradients. ``plot_step_sizes``
shows the lengths each rule chose.
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("quadratic", dim=10, kappa=100)
rules = {
    "armijo": dl.Armijo(),
    "wolfe": dl.Wolfe(),
    "polyak": dl.Polyak(),
    "bb-long": dl.BarzilaiBorwein("long"),
}
runs = {
    name: dl.minimize(
        problem, "gd", step_rule=rule, n_iter=300, seed=0, tol=dl.Tolerance(fun=1e-10)
    )
    for name, rule in rules.items()
}
plot.plot_step_sizes(runs)
for name, run in runs.items():
    steps, status = int(run.nit), str(run.status)
    print(f"{name:8s} {status:10s} after {steps:4d} steps: {run.nfev} values, {run.njev} gradients")
