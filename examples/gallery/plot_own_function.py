"""
Your own function
=================

A ``dl.Problem`` wraps any function of points ``(..., d) -> (...)``. Give the gradient when you
have it (check it first with ``check_gradient``); without it, central differences are used. A
typed expression gets its exact gradient from SymPy.
"""

import numpy as np

import descentlab as dl
from descentlab import plot
from descentlab.gradient_check import check_gradient


def f(x):
    return np.sum(x**4 - 3 * x**2 + x, axis=-1)


def grad(x):
    return 4 * x**3 - 6 * x + 1


problem = dl.Problem(f, grad=grad, bounds=[(-2.0, 2.0)] * 3, name="quartic wells")
print(check_gradient(problem, seed=0).summary())

result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=1000, seed=0, starts=20, record="none")
print("best value", result.fun.min(), "at", result.x[result.best()].round(4))

# %%
# An expression, with the gradient derived exactly:
from descentlab.expressions import problem_from_expression

camel = problem_from_expression(
    "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", bounds=[(-2, 2), (-2, 2)]
)
fit = dl.minimize(camel, dl.Adam(alpha=0.02), x0=[1.5, -1.0], n_iter=2000)
plot.plot_contour(camel, fit)
fit
