"""Objectives typed as text, such as ``"x**2 + 10*y**2"``, with exact gradients.

The text is parsed by Python's ``ast`` and checked against an allow-list before anything is
built from it: numbers, the variables, ``+ - * / **``, parentheses, the constants ``pi`` and
``e``, and the elementary functions in :data:`FUNCTIONS` applied to one argument. Nothing is
ever passed to ``eval``. The checked tree is turned into a SymPy expression, differentiated
exactly, and compiled to vectorized NumPy functions.

Variables are ``x, y, z`` (in that order) or ``x1, x2, ..., xN``; the dimension is the highest
one used (``"y**2"`` is 2-D, constant in ``x``).
"""

from __future__ import annotations

import ast
import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import sympy

from descentlab._namespace import namespace
from descentlab.problems.problem import Problem

FUNCTIONS = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "arctan": sympy.atan,
}
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
LETTERS = ("x", "y", "z")
MAX_LENGTH = 2000
MAX_DEPTH = 60
#: The largest constant exponent: bigger ones (``9**9**9``) would hang SymPy's exact arithmetic.
MAX_EXPONENT = 100
#: The largest magnitude of a constant part of an expression: beyond it float64 overflows.
MAX_MAGNITUDE = 1e300
#: Messages quote at most this many characters of an expression.
QUOTE_LENGTH = 80
_NOT_REAL = (sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I)

_INDEXED = re.compile(r"x([1-9][0-9]{0,2})$")
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_SUMS = (ast.Add, ast.Sub)
_PRODUCTS = (ast.Mult, ast.Div)
_APPLY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


@dataclass(frozen=True)
class ParsedExpression:
    """A checked expression: the SymPy form, its variables and its gradient."""

    text: str
    expression: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    gradient: tuple[sympy.Expr, ...]

    @property
    def dim(self) -> int:
        return len(self.variables)

    def f(self, x: np.ndarray) -> np.ndarray:
        xp = _namespace_of(x)
        return _evaluate(xp, self._compiled_for(xp)[0], x)

    def grad(self, x: np.ndarray) -> np.ndarray:
        xp = _namespace_of(x)
        parts = [_evaluate(xp, g, x) for g in self._compiled_for(xp)[1]]
        return xp.stack(parts, axis=-1)

    def as_problem(self, bounds: object = None, minimum=None) -> Problem:
        """This expression as a :class:`Problem`; ``bounds`` must have one pair per variable."""
        problem = Problem(
            self.f, self.grad, bounds=bounds, minimum=minimum, name=self.text, vectorized=True
        )
        if problem.dim is not None and problem.dim != self.dim:
            raise ValueError(
                f"bounds must have {self.dim} pairs for the {self.dim} variables of "
                f"{self.text!r}, not {problem.dim}"
            )
        return problem

    @functools.cached_property
    def _compiled(self):
        return self._lambdified("numpy")

    @functools.cached_property
    def _compiled_jax(self):
        return self._lambdified("jax")

    def _compiled_for(self, xp):
        return self._compiled if xp is np else self._compiled_jax

    def _lambdified(self, module: str):
        f = sympy.lambdify(self.variables, self.expression, module)
        return f, [sympy.lambdify(self.variables, g, module) for g in self.gradient]


def _namespace_of(x):
    """NumPy for anything but a JAX array or tracer (lists and numbers included)."""
    return np if isinstance(x, np.ndarray | list | tuple | float | int) else namespace(x)


def _evaluate(xp, function, x: np.ndarray) -> np.ndarray:
    """``function`` of the coordinates of ``x`` (the last axis), one value per point: a
    constant part of the expression broadcasts to the batch."""
    if xp is np:
        x = np.asarray(x, dtype=float)
        value = function(*np.moveaxis(x, -1, 0))
        return np.broadcast_to(np.asarray(value, dtype=float), x.shape[:-1]).copy()
    value = function(*xp.moveaxis(x, -1, 0))
    return xp.broadcast_to(xp.asarray(value, dtype=x.dtype), x.shape[:-1])


def quoted(text: str) -> str:
    """``text`` in quotes for a message, cut to about :data:`QUOTE_LENGTH` characters."""
    return repr(text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 3] + "...")


def parse_expression(text: str) -> ParsedExpression:
    """Check ``text`` against the allow-list and differentiate it, or raise ``ValueError``."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a string, not {text!r}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"expression must be at most {MAX_LENGTH} characters, not {len(text)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        hint = " (write powers as **, not ^)" if "^" in text else ""
        raise ValueError(f"expression {quoted(text)} does not parse: {error.msg}{hint}") from None
    names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
    variables = _variables(text, [n for n in names if n not in FUNCTIONS and n not in CONSTANTS])
    symbols = {s.name: s for s in variables}
    builder = _Builder(text, symbols)
    expression = builder.build(tree.body, depth=0)
    builder.check_real(expression)
    gradient = tuple(sympy.diff(expression, v) for v in variables)
    return ParsedExpression(text, expression, variables, gradient)


def problem_from_expression(text: str, bounds: object = None, minimum=None) -> Problem:
    """The objective ``text`` as a :class:`Problem` with its exact gradient."""
    return parse_expression(text).as_problem(bounds, minimum)


def _variables(text: str, names: list[str]) -> tuple[sympy.Symbol, ...]:
    letters = [n for n in names if n in LETTERS]
    indexed = [n for n in names if _INDEXED.match(n)]
    unknown = [n for n in names if n not in letters and n not in indexed]
    if unknown:
        allowed = "x, y, z or x1..xN, " + ", ".join([*CONSTANTS, *FUNCTIONS])
        raise ValueError(
            f"expression {quoted(text)} uses unknown name {unknown[0]!r}; allowed: {allowed}"
        )
    if letters and indexed:
        raise ValueError(f"expression {quoted(text)} mixes x, y, z with x1, x2, ...: use one style")
    if indexed:
        dim = max(int(_INDEXED.match(n).group(1)) for n in indexed)
        return tuple(sympy.Symbol(f"x{i}", real=True) for i in range(1, dim + 1))
    dim = max((LETTERS.index(n) + 1 for n in letters), default=1)
    return tuple(sympy.Symbol(n, real=True) for n in LETTERS[:dim])


class _Builder:
    """Turns an allowed ``ast`` tree into SymPy, refusing everything else."""

    def __init__(self, text: str, symbols: dict[str, sympy.Symbol]) -> None:
        self.text = text
        self.symbols = symbols

    def refuse(self, what: str) -> ValueError:
        return ValueError(
            f"expression {quoted(self.text)}: {what} is not allowed (allowed: numbers, "
            f"variables, + - * / **, and the functions {', '.join(FUNCTIONS)})"
        )

    def build(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise ValueError(f"expression {quoted(self.text)} is nested more than {MAX_DEPTH} deep")
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _OPERATORS:
                hint = " (write powers as **)" if isinstance(node.op, ast.BitXor) else ""
                raise self.refuse(f"the operator {type(node.op).__name__}{hint}")
            if isinstance(node.op, ast.Pow):
                return self.power(node, depth)
            return self.chain(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.refuse(type(node).__name__)

    def check_real(self, value: sympy.Expr) -> sympy.Expr:
        """Refuse a division by zero, an infinity or a complex number (``sqrt(-1)``)."""
        if value.has(*_NOT_REAL):
            what = "a complex number" if value.has(sympy.I) else "a division by zero or infinity"
            raise ValueError(
                f"expression {quoted(self.text)} contains {what}; it must be real and finite"
            )
        return value

    def check_size(self, value: sympy.Expr) -> sympy.Expr:
        """Refuse a constant too large for floating point (before SymPy builds bigger ones)."""
        if value.is_number:
            self.check_real(value)
            try:
                magnitude = abs(float(value))
            except (OverflowError, TypeError, ValueError):
                magnitude = math.inf
            if not magnitude <= MAX_MAGNITUDE:
                raise self.too_large()
        return value

    def too_large(self) -> ValueError:
        return ValueError(
            f"expression {quoted(self.text)} has a constant part larger than "
            f"{MAX_MAGNITUDE:g}, beyond floating point"
        )

    def number(self, value: object) -> sympy.Expr:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse(f"the constant {value!r}")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.refuse(f"the number {value!r}")
            return sympy.Float(value)
        if abs(value) > 10**15:
            raise self.refuse(f"the integer {value} (more than 15 digits)")
        return sympy.Integer(value)

    def name(self, name: str) -> sympy.Expr:
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in self.symbols:
            return self.symbols[name]
        raise self.refuse(f"the function {name!r} used as a value")

    def power(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        base = self.build(node.left, depth + 1)
        exponent = self.build(node.right, depth + 1)
        if exponent.is_number:
            size = abs(float(exponent))
            if size > MAX_EXPONENT:
                raise self.refuse(f"the exponent {exponent} (larger than {MAX_EXPONENT})")
            if base.is_number and base != 0 and size * math.log10(abs(float(base))) > 300:
                raise self.too_large()
        return self.check_size(base**exponent)

    def chain(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        """``a + b - c + ...`` (or ``a * b / c ...``) as one level, however long: a flat sum
        of many terms is long, not deep."""
        family = _SUMS if type(node.op) in _SUMS else _PRODUCTS
        links = []
        while isinstance(node, ast.BinOp) and type(node.op) in family:
            links.append((node.op, node.right))
            node = node.left
        value = self.build(node, depth + 1)
        for op, operand in reversed(links):
            right = self.build(operand, depth + 1)
            value = self.check_size(_APPLY[type(op)](value, right))
        return value

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise self.refuse(f"calling {called!r}")
        if len(node.args) != 1 or node.keywords:
            raise self.refuse(f"{node.func.id} with other than one argument")
        return self.check_size(FUNCTIONS[node.func.id](self.build(node.args[0], depth + 1)))
