"""Every optimizer on three catalog problems, with documented settings.

Each cell runs 8 seeded starts (seed 0, uniform in the problem's domain) for up to 20,000
iterations and passes when every start reaches ``f - f* <= 1e-8``. The problems:

- ``sphere``: d = 5 on [-1, 1]^5, condition number 1;
- ``quadratic``: d = 5, condition number 100, rotated (rotation_seed 0), on [-1, 1]^5;
- ``rosenbrock``: d = 2 on [-2.048, 2.048]^2, whose corners have gradients near 10^4.

A cell marked xfail is a known failure: the reason says what goes wrong. ``strict=True`` makes
the table fail if such a cell starts passing, so the reasons stay true.
"""

import numpy as np
import pytest

import descentlab as dl

PROBLEMS = {
    "sphere": dl.get_function("sphere", dim=5),
    "quadratic": dl.get_function("quadratic", dim=5, kappa=100, rotation_seed=0),
    "rosenbrock": dl.get_function("rosenbrock", dim=2),
}
DECAY = dl.ExponentialDecay  # initial * rate**(t - 1)


def fails(reason, **hyperparameters):
    return pytest.param(hyperparameters, marks=pytest.mark.xfail(strict=True, reason=reason))


AMSGRAD_MEMORY = (
    "the running maximum of v keeps the huge gradients of the corners, so steps in the "
    "valley stay tiny: f - f* ~ 1e-4 to 1 after 20,000 iterations"
)

# optimizer -> (sphere, quadratic, rosenbrock) hyperparameters
SETTINGS = {
    "gd": (
        {"step_size": 0.1},
        {"step_size": 0.01},
        fails(
            "stable steps (<= 2e-4 from the corners) crawl along the valley: f - f* ~ 1e-2 "
            "after 20,000 iterations",
            step_size=2e-4,
        ),
    ),
    "momentum": (
        {"step_size": 0.01, "momentum": 0.9},
        {"step_size": 0.01, "momentum": 0.9},
        {"step_size": 1e-4, "momentum": 0.95},
    ),
    "nesterov": (
        {"step_size": 0.01, "momentum": 0.9},
        {"step_size": 0.01, "momentum": 0.9},
        {"step_size": 1e-4, "momentum": 0.95},
    ),
    "adagrad": (
        {"step_size": 0.5},
        {"step_size": 0.5},
        fails(
            "the squared gradients of the walls, summed forever, shrink the steps in the "
            "valley: f - f* ~ 1e-6 after 20,000 iterations",
            step_size=2.0,
        ),
    ),
    "rmsprop": (
        {"step_size": DECAY(0.01, rate=0.999)},
        {"step_size": DECAY(0.01, rate=0.999)},
        {"step_size": DECAY(0.01, rate=0.999)},
    ),
    "adadelta": (
        {},
        fails("its unit-free steps grow from sqrt(eps) too slowly: f - f* ~ 1", step_size=1.0),
        fails("its unit-free steps grow from sqrt(eps) too slowly: f - f* ~ 1", step_size=1.0),
    ),
    "adam": ({"alpha": 0.1}, {"alpha": 0.1}, {"alpha": 0.1}),
    "adamw": (
        {"alpha": 0.1, "weight_decay": 0.0},  # weight decay would move the minimum
        {"alpha": 0.1, "weight_decay": 0.0},
        {"alpha": 0.1, "weight_decay": 0.0},
    ),
    "adamax": ({"alpha": 0.1}, {"alpha": 0.1}, {"alpha": 0.1}),
    "nadam": ({"alpha": 0.01}, {"alpha": 0.01}, {"alpha": 0.001}),
    "radam": ({"alpha": 0.1}, {"alpha": 0.01}, {"alpha": 0.001}),
    "amsgrad": ({"alpha": 0.01}, {"alpha": 0.1}, fails(AMSGRAD_MEMORY, alpha=0.05)),
    "amsgrad-pytorch": ({"alpha": 0.1}, {"alpha": 0.1}, fails(AMSGRAD_MEMORY, alpha=0.05)),
    "amsgrad-optax": ({"alpha": 0.1}, {"alpha": 0.1}, fails(AMSGRAD_MEMORY, alpha=0.05)),
    "yogi": (
        {"alpha": 0.1},
        {"alpha": 0.1},
        fails("like AMSGrad, v forgets the corners slowly: f - f* ~ 1e-4", alpha=0.05),
    ),
    "adabelief": ({"alpha": 0.1}, {"alpha": 0.1}, {"alpha": 0.1}),
    "lion": (
        {"alpha": DECAY(0.01, rate=0.999)},  # a constant step would circle the minimum
        {"alpha": DECAY(0.01, rate=0.999)},
        {"alpha": DECAY(0.01, rate=0.999)},
    ),
}


def cell(name, problem, setting):
    """A table cell: plain hyperparameters, or a known failure made by :func:`fails`."""
    if isinstance(setting, dict):
        return pytest.param(name, problem, setting, id=f"{name}-{problem}")
    return pytest.param(name, problem, *setting.values, marks=setting.marks, id=f"{name}-{problem}")


CELLS = [
    cell(name, problem, setting)
    for name, settings in SETTINGS.items()
    for problem, setting in zip(PROBLEMS, settings, strict=True)
]


def test_the_table_covers_every_optimizer():
    assert set(SETTINGS) == set(dl.OPTIMIZERS)


@pytest.mark.parametrize(("name", "problem", "hyperparameters"), CELLS)
def test_converges(name, problem, hyperparameters):
    result = dl.minimize(
        PROBLEMS[problem],
        dl.get_optimizer(name, **hyperparameters),
        n_iter=20_000,
        seed=0,
        starts=8,
        tol=dl.Tolerance(fun=1e-8),
        record="none",
    )
    assert np.all(result.status == "converged"), np.max(result.fun) - PROBLEMS[problem].minimum
