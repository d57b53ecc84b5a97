"""Each optimizer against hand-derived numbers, its hyperparameters, and its validation."""

import dataclasses
import math

import numpy as np
import pytest

from descentlab import (
    OPTIMIZERS,
    AMSGrad,
    ExponentialDecay,
    GradientDescent,
    InverseSqrtDecay,
    Momentum,
    Structure,
    get_optimizer,
)


def run_steps(optimizer, x, grads):
    """Apply ``optimizer`` to a fixed sequence of gradients; return every iterate."""
    x = np.asarray(x, dtype=float)
    state = optimizer.init(x)
    xs = []
    for g in grads:
        x, state = optimizer.step(x, np.asarray(g, dtype=float), state)
        xs.append(x)
    return xs


def test_gradient_descent_first_steps():
    xs = run_steps(GradientDescent(step_size=0.1), [0.5, -2.0], [[1.0, -4.0], [0.5, 2.0]])
    assert xs[0].tolist() == [0.4, -1.6]
    assert np.allclose(xs[1], [0.35, -1.8], rtol=0, atol=1e-15)


def test_momentum_first_steps():
    # change1 = 0.1*2 = 0.2; change2 = 0.1*1.6 + 0.5*0.2 = 0.26
    xs = run_steps(Momentum(step_size=0.1, momentum=0.5), [1.0], [[2.0], [1.6]])
    assert xs[0][0] == pytest.approx(0.8, rel=1e-15)
    assert xs[1][0] == pytest.approx(0.54, rel=1e-15)


def test_momentum_zero_is_gradient_descent_bit_for_bit():
    rng = np.random.RandomState(0)
    grads = rng.randn(50, 3)
    plain = run_steps(GradientDescent(0.07), np.ones(3), grads)
    heavy = run_steps(Momentum(0.07, momentum=0.0), np.ones(3), grads)
    for a, b in zip(plain, heavy, strict=True):
        assert np.array_equal(a, b)


def test_amsgrad_first_steps_by_hand():
    opt = AMSGrad(alpha=0.1, beta1=0.9, beta2=0.99, eps=0.0)
    xs = run_steps(opt, [1.0], [[2.0], [1.8]])
    # t=1: beta1(1)=0.9, m=0.2, v=0.04, vhat=0.04, x = 1 - 0.1*0.2/0.2
    assert xs[0][0] == pytest.approx(0.9, rel=1e-15)
    # t=2: beta1(2)=0.81, m=0.81*0.2+0.19*1.8=0.504, v=0.99*0.04+0.01*3.24=0.072
    assert xs[1][0] == pytest.approx(0.9 - 0.1 * 0.504 / math.sqrt(0.072), rel=1e-14)


def test_amsgrad_keeps_the_maximum_of_v():
    opt = AMSGrad(alpha=0.1, beta1=0.5, beta2=0.99, eps=0.0, beta1_decay="constant")
    x = np.array([0.0])
    state = opt.init(x)
    _, state = opt.step(x, np.array([2.0]), state)
    _, state = opt.step(x, np.array([0.1]), state)
    assert state.v[0] == pytest.approx(0.99 * 0.04 + 0.01 * 0.01)
    assert state.vhat[0] == pytest.approx(0.04)  # v fell, vhat did not


@pytest.mark.parametrize(
    ("decay", "beta1_at_3"), [("power", 0.9**3), ("constant", 0.9), ("inverse", 0.3)]
)
def test_amsgrad_beta1_decays(decay, beta1_at_3):
    assert AMSGrad(beta1=0.9, beta1_decay=decay).beta1_at(3) == pytest.approx(beta1_at_3)


#: Values that change a step where half the default would not: ADOPT's and Muon's eps floor
#: a norm and Adafactor's eps2 an RMS that gradients and points of size 1 never go below; the
#: wrappers' inner and Muon's fallback are optimizers; None defaults stand for a value derived
#: from the others.
OTHER = {("adopt", "eps"): 10.0, ("muon", "fallback"): "gd", ("muon-pytorch", "fallback"): "gd",
         ("lookahead", "inner"): "gd", ("cautious", "inner"): "gd", ("sam", "inner"): "adam",
         ("muon-pytorch", "eps"): 10.0, ("adafactor", "eps2"): 10.0,
         ("adafactor", "eps1"): 10.0}  # fmt: skip
#: Settings under which every hyperparameter shows: schedule-free's averaging weights depend on
#: weight_lr_power only while the step size grows (a warm-up).
BASE = {"schedule-free-sgd": {"warmup_steps": 4}, "schedule-free-adamw": {"warmup_steps": 4}}
#: A start with a matrix block: what the matrix-aware and layer-wise methods act on.
STRUCTURE = Structure.of([("W", (2, 3)), ("b", (2,))])


def _other_value(name, info):
    if (name, info.name) in OTHER:
        return OTHER[(name, info.name)]
    if info.choices:
        return next(c for c in info.choices if c != info.default)
    if isinstance(info.default, bool):
        return not info.default
    if info.default is None:
        return 0.5
    if isinstance(info.default, int):
        return info.default + 2
    return 0.5 if info.default == 0 else info.default * 0.5


HYPERPARAMETERS = [
    (name, info) for name, cls in OPTIMIZERS.items() for info in cls.hyperparameters()
]


def run_optimizer(name, grads, **hyperparameters):
    """Steps of the registered ``name`` from a start of 8 coordinates (a 2 x 3 matrix and a
    vector of 2, for the methods that read the structure)."""
    optimizer = get_optimizer(name, **{**BASE.get(name, {}), **hyperparameters})
    optimizer = optimizer.bound(STRUCTURE)
    return run_steps(optimizer, np.linspace(0.5, 1.5, 8), grads)


@pytest.mark.parametrize(
    ("name", "info"), HYPERPARAMETERS, ids=[f"{n}-{i.name}" for n, i in HYPERPARAMETERS]
)
def test_every_hyperparameter_changes_the_steps(name, info):
    # Twelve steps: RAdam's rectified (beta2-, eps-dependent) step starts at step 6; SOAP's
    # eigenbases are refreshed every 10. The gradients share a direction, as a descent's do:
    # the learning-rate-free estimates grow only from gradients that agree. Any step may
    # show the change (SAM's rho shows in its ascent steps only).
    grads = 1.0 + np.random.RandomState(0).normal(size=(12, 8))
    default = run_optimizer(name, grads)
    changed = run_optimizer(name, grads, **{info.name: _other_value(name, info)})
    assert any(not np.array_equal(a, b) for a, b in zip(default, changed, strict=True))


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (GradientDescent, {"step_size": 0.0}, "step_size must be finite and > 0, not 0.0"),
        (GradientDescent, {"step_size": -1}, "step_size must be finite and > 0, not -1.0"),
        (GradientDescent, {"step_size": float("nan")}, "step_size must be finite and > 0"),
        (GradientDescent, {"step_size": float("inf")}, "step_size must be finite and > 0"),
        (Momentum, {"momentum": 1.0}, r"momentum must be in \[0, 1\), not 1.0"),
        (Momentum, {"momentum": -0.1}, r"momentum must be in \[0, 1\), not -0.1"),
        (Momentum, {"momentum": [0.5, 1.5]}, r"momentum must be in \[0, 1\), not an array"),
        (AMSGrad, {"beta1": 1.0}, r"beta1 must be in \[0, 1\)"),
        (AMSGrad, {"beta2": 1.5}, r"beta2 must be in \[0, 1\)"),
        (AMSGrad, {"eps": -1e-8}, "eps must be finite and >= 0"),
        (AMSGrad, {"alpha": 0}, "alpha must be finite and > 0"),
        (AMSGrad, {"beta1_decay": "linear"}, "beta1_decay must be one of 'power', 'constant'"),
    ],
)
def test_validation_names_the_argument(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_non_numeric_hyperparameter_is_a_type_error():
    with pytest.raises(TypeError, match="momentum must be a number"):
        Momentum(momentum="fast")


def test_unknown_optimizer_names_the_known_ones():
    with pytest.raises(ValueError, match="optimizer must be one of gd, momentum, nesterov,"):
        get_optimizer("adamm")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizers_are_pure(name):
    opt = get_optimizer(name)
    x = np.array([1.0, -1.0])
    g = np.array([0.5, 0.25])
    state = opt.init(x)
    first = opt.step(x, g, state)
    second = opt.step(x, g, state)
    assert np.array_equal(first[0], second[0])
    assert x.tolist() == [1.0, -1.0] and g.tolist() == [0.5, 0.25]
    assert dataclasses.is_dataclass(opt)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.eps = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "arrays"),
    [
        ("gd", {"step_size": [0.1, 0.2, 0.05]}),
        ("momentum", {"step_size": [0.1, 0.2, 0.05], "momentum": [0.0, 0.5, 0.9]}),
        ("amsgrad", {"alpha": [0.1, 0.01, 0.5], "beta1": [0.9, 0.5, 0.0], "eps": [0, 1e-8, 1e-3]}),
    ],
)
def test_array_hyperparameters_equal_separate_settings(name, arrays):
    rng = np.random.RandomState(1)
    grads = rng.randn(20, 3, 2)
    x0 = rng.randn(3, 2)
    batch = run_steps(get_optimizer(name, **arrays), x0, grads)[-1]
    for k in range(3):
        single = get_optimizer(name, **{key: value[k] for key, value in arrays.items()})
        alone = run_steps(single, x0[k], grads[:, k])[-1]
        assert np.array_equal(batch[k], alone)


def test_schedule_as_step_size():
    opt = GradientDescent(step_size=ExponentialDecay(0.1, rate=0.5))
    xs = run_steps(opt, [1.0], [[1.0], [1.0], [1.0]])
    assert [float(x[0]) for x in xs] == pytest.approx([0.9, 0.85, 0.825])
    ams = AMSGrad(alpha=InverseSqrtDecay(0.1), beta1=0.0, beta2=0.0, eps=0.0)
    xs = run_steps(ams, [0.0], [[1.0]] * 4)  # each step is alpha(t) * sign(g)
    assert -float(xs[-1][0]) == pytest.approx(0.1 * sum(1 / math.sqrt(t) for t in range(1, 5)))


NUMERIC = {
    name: [i for i in cls.hyperparameters() if type(i.default) is float]
    for name, cls in OPTIMIZERS.items()
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_array_hyperparameters_run_many_settings_in_one_pass(name):
    """Every numeric hyperparameter given per row equals each row's setting run alone."""
    rows = [
        {i.name: i.default for i in NUMERIC[name]},
        {i.name: _other_value(name, i) for i in NUMERIC[name]},
    ]
    base = BASE.get(name, {})
    batched = get_optimizer(name, **base, **{k: np.array([rows[0][k], rows[1][k]])
                                             for k in rows[0]}).bound(STRUCTURE)  # fmt: skip
    rng = np.random.RandomState(3)
    x0, grads = rng.normal(size=(2, 8)), 1.0 + rng.normal(size=(12, 2, 8))
    together = run_steps(batched, x0, grads)[-1]
    for row, settings in enumerate(rows):
        alone = get_optimizer(name, **base, **settings).bound(STRUCTURE)
        np.testing.assert_array_equal(together[row], run_steps(alone, x0[row], grads[:, row])[-1])
    assert not np.array_equal(together[0], together[1])


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "message"),
    [
        ("rmsprop", {"centered": 1}, TypeError, "centered must be True or False, not 1"),
        ("nesterov", {"momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\), not 1.0"),
        ("lion", {"beta2": -0.5}, ValueError, r"beta2 must be in \[0, 1\), not -0.5"),
        ("adamw", {"weight_decay": -1}, ValueError, "weight_decay must be finite and >= 0"),
        ("nadam", {"momentum_decay": "x"}, TypeError, "momentum_decay must be a number"),
        ("adagrad", {"initial_accumulator": -1}, ValueError, "initial_accumulator must be"),
        (
            "nesterov",
            {"momentum": ExponentialDecay(1.5, rate=0.5)},
            ValueError,
            r"momentum.initial must be in \[0, 1\)",
        ),
    ],
)
def test_family_validation_names_the_argument(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        get_optimizer(name, **kwargs)


def test_momentum_coefficient_accepts_a_schedule():
    schedule = ExponentialDecay(0.9, rate=0.5)
    grads = [[1.0], [1.0], [1.0]]
    scheduled = run_steps(get_optimizer("nesterov", momentum=schedule), [0.0], grads)
    # By hand: change(t) = 0.1 * g + mu(t) * change(t-1), mu = 0.9, 0.45, 0.225.
    change1 = 0.1
    change2 = 0.1 + 0.45 * change1
    expected2 = -(0.1 + 0.9 * change1) - (0.1 + 0.45 * change2)
    assert scheduled[1][0] == pytest.approx(expected2, rel=1e-15)


def test_tutorial_momentum_accepts_a_momentum_schedule():
    grads = [[1.0], [1.0]]
    scheduled = run_steps(Momentum(0.1, momentum=ExponentialDecay(0.5, rate=0.5)), [0.0], grads)
    # change(1) = 0.1; change(2) = 0.1 + mu(2) * 0.1 with mu(2) = 0.25
    assert scheduled[1][0] == pytest.approx(-(0.1 + 0.1 + 0.25 * 0.1), rel=1e-15)
