"""Classic two-dimensional test functions."""

from __future__ import annotations

import math

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.functions._cite import sfu
from descentlab.problems.functions._entry import FunctionEntry


def _xy(p: np.ndarray):
    return p[..., 0], p[..., 1]


def _stack(gx, gy) -> np.ndarray:
    xp = namespace(gx)
    return xp.stack(xp.broadcast_arrays(gx, gy), axis=-1)


def beale(p):
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(p):
    x, y = _xy(p)
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    gx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y**2
    return _stack(gx, gy)


def booth(p):
    x, y = _xy(p)
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def booth_grad(p):
    x, y = _xy(p)
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return _stack(2 * a + 4 * b, 4 * a + 2 * b)


def matyas(p):
    x, y = _xy(p)
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def matyas_grad(p):
    x, y = _xy(p)
    return _stack(0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x)


def himmelblau(p):
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def himmelblau_grad(p):
    x, y = _xy(p)
    a, b = x**2 + y - 11, x + y**2 - 7
    return _stack(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def three_hump_camel(p):
    x, y = _xy(p)
    return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2


def three_hump_camel_grad(p):
    x, y = _xy(p)
    return _stack(4 * x - 4.2 * x**3 + x**5 + y, x + 2 * y)


def six_hump_camel(p):
    x, y = _xy(p)
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def six_hump_camel_grad(p):
    x, y = _xy(p)
    return _stack(8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3)


def _goldstein_price_parts(x, y):
    s = x + y + 1
    q1 = 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    t = 2 * x - 3 * y
    q2 = 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    return s, q1, t, q2


def goldstein_price(p):
    s, q1, t, q2 = _goldstein_price_parts(*_xy(p))
    return (1 + s**2 * q1) * (30 + t**2 * q2)


def goldstein_price_grad(p):
    x, y = _xy(p)
    s, q1, t, q2 = _goldstein_price_parts(x, y)
    a, b = 1 + s**2 * q1, 30 + t**2 * q2
    da_dx = 2 * s * q1 + s**2 * (-14 + 6 * x + 6 * y)
    da_dy = 2 * s * q1 + s**2 * (-14 + 6 * x + 6 * y)
    db_dx = 4 * t * q2 + t**2 * (-32 + 24 * x - 36 * y)
    db_dy = -6 * t * q2 + t**2 * (48 - 36 * x + 54 * y)
    return _stack(da_dx * b + a * db_dx, da_dy * b + a * db_dy)


def mccormick(p):
    x, y = _xy(p)
    return namespace(x).sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1


def mccormick_grad(p):
    x, y = _xy(p)
    c = namespace(x).cos(x + y)
    return _stack(c + 2 * (x - y) - 1.5, c - 2 * (x - y) + 2.5)


def _points(*rows):
    array = np.array(rows, dtype=float)
    return lambda d: array


SQUARE_4_5 = ((-4.5, 4.5), (-4.5, 4.5))
SQUARE_10 = ((-10.0, 10.0), (-10.0, 10.0))
SQUARE_5 = ((-5.0, 5.0), (-5.0, 5.0))
MCCORMICK_MIN = (0.5 - math.pi / 3, -0.5 - math.pi / 3)

TWO_DIM = [
    FunctionEntry(
        name="beale",
        f=beale,
        grad=beale_grad,
        domain=SQUARE_4_5,
        minimum=0.0,
        minimizers=_points((3.0, 0.5)),
        formula="f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        description="Flat plateau with sharp ridges at the corners.",
        citation=sfu("Beale Function"),
        dim=2,
    ),
    FunctionEntry(
        name="booth",
        f=booth,
        grad=booth_grad,
        domain=SQUARE_10,
        minimum=0.0,
        minimizers=_points((1.0, 3.0)),
        formula="f = (x + 2y - 7)^2 + (2x + y - 5)^2",
        description="A convex quadratic bowl, tilted.",
        citation=sfu("Booth Function"),
        dim=2,
    ),
    FunctionEntry(
        name="matyas",
        f=matyas,
        grad=matyas_grad,
        domain=SQUARE_10,
        minimum=0.0,
        minimizers=_points((0.0, 0.0)),
        formula="f = 0.26 (x^2 + y^2) - 0.48 xy",
        description="A flat, narrow convex valley along x = y (condition number 25).",
        citation=sfu("Matyas Function"),
        dim=2,
    ),
    FunctionEntry(
        name="himmelblau",
        f=himmelblau,
        grad=himmelblau_grad,
        domain=SQUARE_5,
        minimum=0.0,
        minimizers=_points(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ),
        formula="f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        description="Four global minima of equal value; which one a start finds depends on "
        "where it starts.",
        citation="Himmelblau, Applied Nonlinear Programming (1972)",
        dim=2,
    ),
    FunctionEntry(
        name="three-hump-camel",
        f=three_hump_camel,
        grad=three_hump_camel_grad,
        domain=SQUARE_5,
        minimum=0.0,
        minimizers=_points((0.0, 0.0)),
        formula="f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2",
        description="Three local minima, the global one at the origin.",
        citation=sfu("Three-Hump Camel Function"),
        dim=2,
    ),
    FunctionEntry(
        name="six-hump-camel",
        f=six_hump_camel,
        grad=six_hump_camel_grad,
        domain=((-3.0, 3.0), (-2.0, 2.0)),
        minimum=-1.0316284534898774,
        minimizers=_points(
            (0.08984201310031807, -0.7126564030207396),
            (-0.08984201310031807, 0.7126564030207396),
        ),
        formula="f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2",
        description="Six local minima, two of them global.",
        citation=sfu("Six-Hump Camel Function"),
        dim=2,
    ),
    FunctionEntry(
        name="goldstein-price",
        f=goldstein_price,
        grad=goldstein_price_grad,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        minimum=3.0,
        minimizers=_points((0.0, -1.0)),
        formula="f = [1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]"
        " [30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
        description="Values over five orders of magnitude; several local minima.",
        citation=f"Goldstein & Price, Math. Comp. 25 (1971); {sfu('Goldstein-Price Function')}",
        dim=2,
    ),
    FunctionEntry(
        name="mccormick",
        f=mccormick,
        grad=mccormick_grad,
        domain=((-1.5, 4.0), (-3.0, 4.0)),
        minimum=-math.sqrt(3) / 2 - math.pi / 3,
        minimizers=_points(MCCORMICK_MIN),
        formula="f = sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
        description="A smooth valley; minimum at (1/2 - pi/3, -1/2 - pi/3).",
        citation=sfu("McCormick Function"),
        dim=2,
    ),
]
