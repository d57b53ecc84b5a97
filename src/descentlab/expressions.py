"""The path the README taught for typed objectives: see :mod:`descentlab.problems.expressions`."""

from descentlab.problems.expressions import (
    ParsedExpression,
    parse_expression,
    problem_from_expression,
)

__all__ = ["ParsedExpression", "parse_expression", "problem_from_expression"]
