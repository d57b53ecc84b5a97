"""Classic test functions defined in any dimension d."""

from __future__ import annotations

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.functions._cite import sfu
from descentlab.problems.functions._entry import FunctionEntry

TWO_PI = 2.0 * np.pi


def rosenbrock(x: np.ndarray) -> np.ndarray:
    head, tail = x[..., :-1], x[..., 1:]
    return namespace(x).sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=-1)


def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
    xp, head, tail = namespace(x), x[..., :-1], x[..., 1:]
    inner = tail - head**2
    zero = xp.zeros_like(x[..., :1])
    from_head = xp.concat([-400.0 * head * inner - 2.0 * (1.0 - head), zero], axis=-1)
    return from_head + xp.concat([zero, 200.0 * inner], axis=-1)


def rastrigin(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    return 10.0 * x.shape[-1] + xp.sum(x**2 - 10.0 * xp.cos(TWO_PI * x), axis=-1)


def rastrigin_grad(x: np.ndarray) -> np.ndarray:
    return 2.0 * x + 10.0 * TWO_PI * namespace(x).sin(TWO_PI * x)


def ackley(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    radius = xp.sqrt(xp.mean(x**2, axis=-1))
    waves = xp.mean(xp.cos(TWO_PI * x), axis=-1)
    return -20.0 * xp.exp(-0.2 * radius) - xp.exp(waves) + 20.0 + np.e


def ackley_grad(x: np.ndarray) -> np.ndarray:
    xp, d = namespace(x), x.shape[-1]
    radius = xp.sqrt(xp.mean(x**2, axis=-1, keepdims=True))
    waves = xp.mean(xp.cos(TWO_PI * x), axis=-1, keepdims=True)
    # d(radius)/dx = x / (d * radius); the cone's tip at 0 gets the subgradient 0.
    safe = xp.where(radius > 0, radius, 1.0)
    cone = xp.where(radius > 0, 4.0 * xp.exp(-0.2 * radius) * x / (d * safe), 0.0)
    return cone + xp.exp(waves) * TWO_PI * xp.sin(TWO_PI * x) / d


def styblinski_tang(x: np.ndarray) -> np.ndarray:
    return 0.5 * namespace(x).sum(x**4 - 16.0 * x**2 + 5.0 * x, axis=-1)


def styblinski_tang_grad(x: np.ndarray) -> np.ndarray:
    return 0.5 * (4.0 * x**3 - 32.0 * x + 5.0)


def _griewank_terms(xp, x: np.ndarray):
    root_i = xp.sqrt(xp.arange(1, x.shape[-1] + 1, dtype=x.dtype))
    return xp.cos(x / root_i), root_i


def griewank(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    cosines, _ = _griewank_terms(xp, x)
    return 1.0 + xp.sum(x**2, axis=-1) / 4000.0 - xp.prod(cosines, axis=-1)


def griewank_grad(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    cosines, root_i = _griewank_terms(xp, x)
    # The product of all cosines but the i-th, without dividing by a cosine that may be 0.
    ones = xp.ones_like(cosines[..., :1])
    before = xp.cumprod(xp.concat([ones, cosines[..., :-1]], axis=-1), axis=-1)
    reversed_rest = xp.flip(cosines[..., 1:], axis=-1)
    after = xp.flip(xp.cumprod(xp.concat([ones, reversed_rest], axis=-1), axis=-1), axis=-1)
    return x / 2000.0 + before * after * xp.sin(x / root_i) / root_i


def levy(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    w = 1.0 + (x - 1.0) / 4.0
    first = xp.sin(np.pi * w[..., 0]) ** 2
    middle = (w[..., :-1] - 1.0) ** 2 * (1.0 + 10.0 * xp.sin(np.pi * w[..., :-1] + 1.0) ** 2)
    last = (w[..., -1] - 1.0) ** 2 * (1.0 + xp.sin(TWO_PI * w[..., -1]) ** 2)
    return first + xp.sum(middle, axis=-1) + last


def levy_grad(x: np.ndarray) -> np.ndarray:
    xp = namespace(x)
    w = 1.0 + (x - 1.0) / 4.0
    first = 2.0 * np.pi * xp.sin(np.pi * w[..., :1]) * xp.cos(np.pi * w[..., :1])
    head = w[..., :-1]
    phase = np.pi * head + 1.0
    middle = 2.0 * (head - 1.0) * (1.0 + 10.0 * xp.sin(phase) ** 2) + (
        head - 1.0
    ) ** 2 * 20.0 * np.pi * xp.sin(phase) * xp.cos(phase)
    tip = w[..., -1:]
    last = 2.0 * (tip - 1.0) * (1.0 + xp.sin(TWO_PI * tip) ** 2) + (
        tip - 1.0
    ) ** 2 * 2.0 * TWO_PI * xp.sin(TWO_PI * tip) * xp.cos(TWO_PI * tip)
    # dw_1 gets the first term, dw_1..dw_{d-1} the middle ones, dw_d the last (d = 1: both)
    dw = xp.concat([first, xp.zeros_like(w[..., 1:])], axis=-1)
    dw = dw + xp.concat([middle, xp.zeros_like(tip)], axis=-1)
    dw = dw + xp.concat([xp.zeros_like(head), last], axis=-1)
    return dw / 4.0


ROSENBROCK = FunctionEntry(
    name="rosenbrock",
    f=rosenbrock,
    grad=rosenbrock_grad,
    domain=((-2.048, 2.048),),
    minimum=0.0,
    minimizers=lambda d: np.ones((1, d)),
    formula="f(x) = sum_{i<d} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2",
    description="Curved narrow valley; the chained form of scipy.optimize.rosen. d >= 2.",
    citation=f"Rosenbrock, The Computer Journal 3(3) (1960); {sfu('Rosenbrock Function')}",
    min_dim=2,
)

RASTRIGIN = FunctionEntry(
    name="rastrigin",
    f=rastrigin,
    grad=rastrigin_grad,
    domain=((-5.12, 5.12),),
    minimum=0.0,
    minimizers=lambda d: np.zeros((1, d)),
    formula="f(x) = 10 d + sum_i (x_i^2 - 10 cos(2 pi x_i))",
    description="A bowl covered in a regular grid of local minima.",
    citation=f"Rastrigin (1974); {sfu('Rastrigin Function')}",
)

ACKLEY = FunctionEntry(
    name="ackley",
    f=ackley,
    grad=ackley_grad,
    domain=((-32.768, 32.768),),
    minimum=0.0,
    minimizers=lambda d: np.zeros((1, d)),
    formula="f(x) = -20 exp(-0.2 sqrt(mean x_i^2)) - exp(mean cos(2 pi x_i)) + 20 + e",
    description="Nearly flat outer region, many local minima, a deep hole (a cone tip) at 0.",
    citation=f"Ackley, A Connectionist Machine for Genetic Hillclimbing (1987); "
    f"{sfu('Ackley Function')}",
)

STYBLINSKI_TANG = FunctionEntry(
    name="styblinski-tang",
    f=styblinski_tang,
    grad=styblinski_tang_grad,
    domain=((-5.0, 5.0),),
    minimum=lambda d: -39.16616570377141 * d,
    minimizers=lambda d: np.full((1, d), -2.903534027771177),
    formula="f(x) = 1/2 sum_i (x_i^4 - 16 x_i^2 + 5 x_i)",
    description="Separable, 2^d local minima; the global one at x_i = -2.9035 (f* = -39.166 d).",
    citation=f"Styblinski & Tang, Neural Networks 3(4) (1990); {sfu('Styblinski-Tang Function')}",
)

GRIEWANK = FunctionEntry(
    name="griewank",
    f=griewank,
    grad=griewank_grad,
    domain=((-600.0, 600.0),),
    minimum=0.0,
    minimizers=lambda d: np.zeros((1, d)),
    formula="f(x) = 1 + sum_i x_i^2 / 4000 - prod_i cos(x_i / sqrt(i))",
    description="A wide shallow bowl with countless regularly spaced local minima.",
    citation=f"Griewank, J. Optim. Theory Appl. 34 (1981); {sfu('Griewank Function')}",
)

LEVY = FunctionEntry(
    name="levy",
    f=levy,
    grad=levy_grad,
    domain=((-10.0, 10.0),),
    minimum=0.0,
    minimizers=lambda d: np.ones((1, d)),
    formula="w = 1 + (x - 1)/4; f = sin^2(pi w_1)"
    " + sum_{i<d} (w_i - 1)^2 (1 + 10 sin^2(pi w_i + 1)) + (w_d - 1)^2 (1 + sin^2(2 pi w_d))",
    description="Rugged, many local minima; global minimum at (1, ..., 1).",
    citation=sfu("Levy Function"),
)
