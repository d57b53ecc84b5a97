"""
Step-size schedules
===================

A schedule makes the step size a function of the step count ``t``. ``plot_schedules`` draws any
set of them; each schedule is passed where a step size goes (``step_size=``, ``alpha=``).
"""

import descentlab as dl
from descentlab import schedules as sch
from descentlab.plot.schedules import plot_schedules

curves = {
    "constant": sch.Constant(0.1),
    "exponential 0.99": sch.ExponentialDecay(0.1, 0.99),
    "inverse time": sch.InverseTimeDecay(0.1, 0.05),
    "inverse sqrt": sch.InverseSqrtDecay(0.1),
    "cosine, warm-up 50": sch.Warmup(sch.CosineDecay(0.1, 450), 50),
}
plot_schedules(curves, 500)

problem = dl.get_function("rosenbrock")
for name, schedule in curves.items():
    run = dl.minimize(problem, dl.Adam(alpha=schedule), n_iter=500, x0=[-1.0, 1.0])
    print(f"{name:20s} f after 500 steps: {float(run.fun):.3e}")
