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

# name -> (catalog function, dimension, parameters)
TABLE_PROBLEMS = {
    "sphere": ("sphere", 5, ()),
    "quadratic": ("quadratic", 5, (("kappa", 100), ("rotation_seed", 0))),
    "rosenbrock": ("rosenbrock", 2, ()),
}
PROBLEMS = {
    key: dl.get_function(name, dim, **dict(parameters))
    for key, (name, dim, parameters) in TABLE_PROBLEMS.items()
}
DECAY = dl.ExponentialDecay  # initial * rate**(t - 1)


def fails(reason, **hyperparameters):
    return pytest.param(hyperparameters, marks=pytest.mark.xfail(strict=True, reason=reason))


AMSGRAD_MEMORY = (
    "the running maximum of v keeps the huge gradients of the corners, so steps in the "
    "valley stay tiny: f - f* ~ 1e-4 to 1 after 20,000 iterations"
)

SAM_HOVERS = (
    "the gradient is taken a distance rho up the slope, where it does not vanish: the iterates "
    "hover near the minimum and no start reaches 1e-8 (f - f* ~ 1e-6 to 1e-3)"
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
    # The methods since 2018 (on these unstructured problems the matrix-aware ones see one
    # vector: Muon steps it with its AdamW fallback, Shampoo and SOAP with one d x d factor).
    # Each failure's numbers are from the run of its cell's settings.
    "adopt": ({}, {"alpha": 1.0}, {"alpha": 1.0}),
    "ademamix": (
        {},
        {},
        fails(
            "7 of 8 starts converge; the slow momentum (beta3 = 0.9999, ~10^4 steps of "
            "memory) keeps one moving: f - f* ~ 1e-5",
            eta=0.1,
        ),
    ),
    "adan": ({}, {}, {}),
    "lamb": ({}, {}, {"alpha": DECAY(0.1, rate=0.999)}),
    "lars": ({}, {}, {"step_size": 1.0}),
    "prodigy": ({}, {}, {}),
    "dadapt-adamw": ({}, {}, {"step_size": 0.3}),
    "dadapt-sgd": (
        {},
        {"step_size": 0.1},
        fails(
            "no start converges: its estimate of the distance to the minimum grows with "
            "the corners' gradients (~1e4) and the steps it allows stall in the valley: "
            "f - f* ~ 0.2 to 1",
            step_size=0.01,
        ),
    ),
    "dog": (
        {},
        {},
        fails(
            "2 of 8 starts converge: the largest distance travelled from the start sets "
            "the step, too long for the valley: f - f* up to 0.05",
            step_size=1.0,
        ),
    ),
    "schedule-free-sgd": (
        {},
        {"step_size": 0.1},
        fails(
            "as gd, a step the corners' gradients (~1e4) allow is too short for the valley "
            "and a longer one diverges: 7 of 8 starts diverge",
            step_size=0.01,
        ),
    ),
    "schedule-free-adamw": (
        {},
        {},
        fails("4 of 8 starts converge: f - f* up to 1e-5", alpha=0.01),
    ),
    "muon": ({}, {}, {"step_size": 1.0}),
    "muon-pytorch": ({"weight_decay": 0.0},) * 3,  # weight decay would move the minimum
    "adafactor": (
        {},
        {},
        fails("every start stalls at f - f* ~ 1e-2, at each step size tried (0.01 to 0.1)", lr=0.1),
    ),
    "soap": ({"weight_decay": 0.0},) * 3,
    "shampoo": ({"lr": 1.0}, {"lr": 1.0}, fails("2 of 8 starts converge: f - f* up to 1", lr=0.1)),
    "lookahead": ({}, {}, {"inner": dl.Adam(1.0)}),
    "cautious": ({"inner": dl.AdamW(0.01, weight_decay=0.0)},) * 3,
    "sam": (
        {"inner": dl.Momentum(1e-4, 0.95), "rho": 0.01},
        fails(SAM_HOVERS, inner=dl.Momentum(1e-4, 0.95), rho=0.01),
        fails(SAM_HOVERS, inner=dl.Momentum(1e-4, 0.95), rho=0.01),
    ),
}


# The methods up to 2018 run every cell by default; the later ones their Rosenbrock cells (20,000
# iterations each) only under -m slow.
SINCE_2018 = set(list(SETTINGS)[list(SETTINGS).index("adopt") :])


def cell(name, problem, setting):
    """A table cell: plain hyperparameters, or a known failure made by :func:`fails`."""
    slow = (pytest.mark.slow,) if name in SINCE_2018 and problem == "rosenbrock" else ()
    if isinstance(setting, dict):
        return pytest.param(name, problem, setting, marks=slow, id=f"{name}-{problem}")
    return pytest.param(name, problem, *setting.values, marks=(*setting.marks, *slow),
                        id=f"{name}-{problem}")  # fmt: skip


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


# The known failures above, re-examined with tuning: dl.tune searches each optimizer's step
# size (and momentum) with 48 TPE trials on 8 other starts (seeds 1-8, scored by the worst of
# them), then the tuned setting is checked with the table's own protocol. A failure that tuning
# fixes is a failure of the fixed setting, not of the optimizer: Adadelta on the quadratic only
# needed a smaller step (about 0.02). What tuning does not fix stays a strict xfail with what
# was measured; for the methods up to 2018 in every case two of the table's starts, near the
# corners where |g| ~ 1e4, are the ones left.
CORNERS = "from 2 of the 8 starts (the corners)"
TUNED_FAILURES = {
    ("gd", "rosenbrock"): f"the tuned step (1.4e-3) diverges {CORNERS}; the 6 others reach",
    ("adagrad", "rosenbrock"): f"tuned step 0.8: f - f* ~ 1e-4 after 20,000 {CORNERS}",
    ("adadelta", "rosenbrock"): "tuned step 0.015: f - f* ~ 1e-3 from all 8 starts",
    ("amsgrad", "rosenbrock"): "tuned alpha 0.015: 6 of 8 starts end at f - f* up to 3e-2",
    ("amsgrad-pytorch", "rosenbrock"): f"tuned alpha 0.86: f - f* up to 3 {CORNERS}",
    ("amsgrad-optax", "rosenbrock"): f"tuned alpha 0.96: f - f* ~ 4e-6 {CORNERS}",
    ("yogi", "rosenbrock"): f"tuned alpha 0.86: f - f* ~ 3e-2 {CORNERS}",
    ("ademamix", "rosenbrock"): "tuned eta 0.10: 7 of 8 starts converge, one ends at 0.13",
    ("dadapt-sgd", "rosenbrock"): "tuned step 0.95, momentum 0.985: some starts diverge",
    ("dog", "rosenbrock"): "tuned step 0.96: 2 of 8 starts converge, f - f* up to 0.05",
    ("schedule-free-sgd", "rosenbrock"): "tuned step 1.5e-3: 3 of 8 starts diverge",
    ("schedule-free-adamw", "rosenbrock"): "tuned alpha 0.015: 2 of 8 converge, f - f* ~ 3e-6",
    ("adafactor", "rosenbrock"): "tuned lr 1.5e-3: no start converges, f - f* up to 0.5",
    ("shampoo", "rosenbrock"): "tuned lr 0.64: 7 of 8 starts converge, one ends at 3e-3",
}

KNOWN_FAILURES = [
    (name, problem)
    for name, settings in SETTINGS.items()
    for problem, setting in zip(PROBLEMS, settings, strict=True)
    if not isinstance(setting, dict) and dl.OPTIMIZERS[name].family != "wrappers"
]  # a wrapper's step is its inner optimizer's: no default space to tune (SAM's hovering is
# its ascent's, whatever the step)


def tuned_cell(name, problem):
    reason = TUNED_FAILURES.get((name, problem))
    marks = () if reason is None else pytest.mark.xfail(strict=True, reason=reason)
    return pytest.param(name, problem, marks=marks, id=f"{name}-{problem}")


def test_the_tuned_table_re_examines_every_known_failure():
    assert len(KNOWN_FAILURES) == 15
    assert set(TUNED_FAILURES) <= set(KNOWN_FAILURES)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "problem"), [tuned_cell(*cell) for cell in KNOWN_FAILURES])
def test_converges_after_tuning(name, problem):
    pytest.importorskip("optuna")
    from descentlab.sweeps import CatalogProblem
    from descentlab.sweeps.tune import default_space, tune

    spec = CatalogProblem(*TABLE_PROBLEMS[problem])
    tuning = tune(spec, name, default_space(name), budget=48, batch=16, seeds=list(range(1, 9)),
                  n_iter=20_000, target=1e-8, over="worst")  # fmt: skip
    result = dl.minimize(PROBLEMS[problem], dl.get_optimizer(name, **tuning.best), n_iter=20_000,
                         seed=0, starts=8, tol=dl.Tolerance(fun=1e-8), record="none")  # fmt: skip
    gaps = result.fun - PROBLEMS[problem].minimum
    assert np.all(result.status == "converged"), (tuning.best, np.max(gaps), result.nit)
