"""
Convergence against the work done
=================================

``plot_convergence`` draws ``f - f*`` per iteration, or against the evaluations spent
(``against="nfev"``), which is the fair axis when some optimizers search along a line. Here
gradient descent with an Armijo line search against a fixed step and Nesterov's momentum on an
ill-conditioned quadratic.
"""

import descentlab as dl
from descentlab import plot

problem = dl.get_function("quadratic", dim=10, kappa=100)
runs = {
    "gd, step 1/L": dl.minimize(problem, dl.GradientDescent(step_size=0.01), n_iter=600, seed=0),
    "gd + armijo": dl.minimize(problem, "gd", step_rule=dl.Armijo(), n_iter=300, seed=0),
    "nesterov": dl.minimize(problem, dl.Nesterov(step_size=0.01, momentum=0.8), n_iter=600, seed=0),
}
plot.plot_convergence(problem, runs, against="nfev")
for name, run in runs.items():
    print(
        f"{name:12s} f - f* = {float(run.fun) - problem.minimum:.2e} after {run.nfev} evaluations"
    )
