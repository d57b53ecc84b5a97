import math

import numpy as np
import pytest

from descentlab.schedules import (
    Constant,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    make_schedule,
    value_at,
)


def test_values():
    assert [Constant(0.3)(t) for t in (1, 5)] == [0.3, 0.3]
    assert [ExponentialDecay(1.0, 0.5)(t) for t in (1, 2, 3)] == [1.0, 0.5, 0.25]
    assert ExponentialDecay(1.0, 0.5, decay_steps=2)(3) == 0.5
    assert [InverseTimeDecay(1.0, 1.0)(t) for t in (1, 2, 4)] == [1.0, 0.5, 0.25]
    assert InverseSqrtDecay(0.1)(4) == pytest.approx(0.1 / math.sqrt(4))


def test_array_initial_broadcasts_per_row():
    value = value_at(ExponentialDecay(np.array([1.0, 2.0]), 0.5), 2)
    assert value.shape == (2, 1)
    assert value.ravel().tolist() == [0.5, 1.0]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Constant(0), "initial must be finite and > 0"),
        (lambda: ExponentialDecay(0.1, 1.5), r"rate must be in \(0, 1\]"),
        (lambda: ExponentialDecay(0.1, 0.0), "rate must be finite and > 0"),
        (lambda: InverseTimeDecay(0.1, -1.0), "rate must be finite and >= 0"),
        (lambda: InverseSqrtDecay(0.1, decay_steps=0), "decay_steps must be finite and > 0"),
        (lambda: make_schedule("sawtooth", 0.1), "schedule must be one of"),
        (lambda: make_schedule("exponential", 0.1), "needs a decay rate"),
    ],
)
def test_validation(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_make_schedule_kinds():
    assert isinstance(make_schedule("inverse-sqrt", 0.1), InverseSqrtDecay)
    assert make_schedule("inverse-time", 1.0, 1.0)(2) == 0.5
