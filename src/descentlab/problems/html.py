"""How a :class:`~descentlab.Problem` shows itself in a notebook: what it is as a small table,
and its values along the box's diagonal (in 1-D, the function itself) as a small picture."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from descentlab import _html

if TYPE_CHECKING:
    from descentlab.problems.problem import Problem


def problem_html(problem: Problem) -> str:
    """The HTML view of ``problem``."""
    rows = [("dimension", "any" if problem.dim is None else str(problem.dim))]
    if problem.bounds is not None:
        bounds = np.asarray(problem.bounds, dtype=float)
        pairs = (f"[{_html.number(lo, 4)}, {_html.number(hi, 4)}]" for lo, hi in bounds[:4])
        shown = ", ".join(pairs)
        rows.append(("bounds", shown + (", ..." if len(bounds) > 4 else "")))
    if problem.minimum is not None:
        rows.append(("f*", _html.number(problem.minimum)))
    if problem.minimizers is not None:
        minimizers = np.asarray(problem.minimizers, dtype=float)
        rows.append(("minimizers", "; ".join(_html.vector(m, 4) for m in minimizers[:3])
                     + ("; ..." if len(minimizers) > 3 else "")))  # fmt: skip
    rows.append(("gradient", _gradient_kind(problem)))
    return _html.table(f"Problem {problem.name}", rows, _picture(problem))


def _gradient_kind(problem: Problem) -> str:
    if problem.grad is None:
        return "central differences"
    if isinstance(problem.grad, str):
        return f"automatic ({problem.grad})"
    return "given" if problem.has_exact_gradient else type(problem.grad).__name__


#: The largest dimension whose diagonal is drawn: 101 points of it stay under a megabyte.
PICTURE_MAX_DIM = 1000


def _picture(problem: Problem) -> str:
    """The values along the diagonal, when that is cheap: one call on 101 points of a function
    known to be vectorized, of at most :data:`PICTURE_MAX_DIM` coordinates, whose values are not
    dear (a full data set). A view must cost little: it never probes a function not known to
    be vectorized, nor calls one point by point."""
    if problem.bounds is None or problem.vectorized is not True or problem.costly_values:
        return ""
    bounds = np.asarray(problem.bounds, dtype=float)
    if bounds.shape[0] > PICTURE_MAX_DIM:
        return ""
    steps = np.linspace(0.0, 1.0, 101)[:, None]
    points = bounds[:, 0] + steps * (bounds[:, 1] - bounds[:, 0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.asarray(problem.f(points), dtype=float).reshape(-1)
    except Exception:  # a notebook view must not raise; the run will say what is wrong
        return ""
    if values.size != steps.size:
        return ""
    where = "f(x) over the bounds" if bounds.shape[0] == 1 else "f along the box's diagonal"
    return _html.labelled(_html.polyline(steps[:, 0], values, label=where), where)
