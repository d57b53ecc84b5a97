"""The arguments of :func:`descentlab.minimize`, checked and put in the form the engines run:
the convenient forms (a name for an optimizer, a function for a problem, a number for a
tolerance), the optimizer bound to the problem's structure, the run to continue, the box, the
recording and the memory a run needs."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from descentlab import memory
from descentlab._lazy import isinstance_loaded
from descentlab.optimizers import Optimizer, get_optimizer
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


@dataclass(frozen=True)
class Tolerance:
    """Stopping tolerances; a start converges when any given one is met.

    grad : stop when the gradient norm ``||g(x)||`` is at most this.
    fun : stop when ``f(x) - f*`` is at most this (needs the problem's known ``minimum``).
    """

    grad: float | None = None
    fun: float | None = None

    def __post_init__(self) -> None:
        for name in ("grad", "fun"):
            value = getattr(self, name)
            if value is not None and not (
                isinstance(value, numbers.Real)
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            ):
                raise ValueError(f"tol.{name} must be a finite number >= 0, not {value!r}")


def convenient_forms(problem, optimizer, tol) -> tuple[Problem, Optimizer, Tolerance]:
    """Accept ``"adam"`` for ``get_optimizer("adam")``, a function for ``Problem(f)`` and a
    number for ``Tolerance(grad=...)``; refuse anything else with what is expected."""
    if isinstance(optimizer, str):
        optimizer = get_optimizer(optimizer)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a descentlab optimizer (dl.Adam(...)) or its name ('adam'), "
            f"not {type(optimizer).__name__}"
        )
    if not isinstance(problem, Problem):
        if not callable(problem):
            raise TypeError(
                f"problem must be a dl.Problem or a function f(x), not {type(problem).__name__}"
            )
        problem = Problem(problem, name=getattr(problem, "__name__", "problem"))
    if tol is None:
        tol = Tolerance()
    elif isinstance(tol, numbers.Real) and not isinstance(tol, bool):
        tol = Tolerance(grad=tol)
    elif not isinstance(tol, Tolerance):
        raise TypeError(
            f"tol must be a dl.Tolerance(grad=..., fun=...), a number (a gradient tolerance) "
            f"or None, not {tol!r}"
        )
    return problem, optimizer, tol


def bound(optimizer: Optimizer, problem: Problem, d: int, project, step_rule) -> Optimizer:
    """The optimizer for this problem's parameter structure (a matrix-aware or layer-wise
    method reads it; a problem without one is one vector of ``d`` coordinates), and refusals
    of what a method that evaluates another point than it steps cannot do."""
    if optimizer.uses_structure:
        from descentlab._structure import Structure

        structure = getattr(problem, "structure", None) or Structure.vector(d)
        if structure.dim != d:
            raise ValueError(f"the problem's structure has {structure.dim} coordinates, the "
                             f"points {d}")  # fmt: skip
        optimizer = optimizer.bound(structure)
    if type(optimizer).evaluation_point is not Optimizer.evaluation_point:
        projected = isinstance(project, bool | np.bool_) and bool(project)
        for what, given in (("project=True", projected), ("a step rule", step_rule is not None)):
            if given:
                raise ValueError(f"{optimizer.name} evaluates another point than the one it "
                                 f"steps (see its evaluation_point), so {what} cannot shape its "
                                 "steps: drop it")  # fmt: skip
    return optimizer


def check_step_rule(rule, optimizer: Optimizer, problem: Problem, noise, batch_size,
                     resume) -> None:  # fmt: skip
    if rule is None:
        return
    if not isinstance_loaded(rule, "descentlab.optimizers.step_rules", "StepRule"):
        raise TypeError(f"step_rule must be dl.Armijo(), dl.Wolfe(), dl.Polyak() or "
                        f"dl.BarzilaiBorwein(), not {rule!r}")  # fmt: skip
    name = type(rule).__name__
    if rule.needs_minimum and problem.minimum is None:
        raise ValueError(f"{name}'s step needs the problem's known minimum f*, and "
                         f"{problem.name!r} has none")  # fmt: skip
    if rule.gradient_descent_only and optimizer.name != "gd":
        raise ValueError(f"{name}'s step is a step size for gradient descent (gd), not for "
                         f"{optimizer.name}")  # fmt: skip
    if type(optimizer).scale_update is Optimizer.scale_update:
        optimizer.scale_update(None, None)  # raises, saying which optimizers can
    if noise is not None or batch_size is not None:
        raise ValueError(f"{name} needs the exact gradient and values: drop noise and batch_size")
    if resume is not None and rule.initial_memory(1, 1):
        raise ValueError(f"resume: {name}'s step remembers the previous point and gradient, which "
                         "a run does not keep, so a continued run would not be the same: run it "
                         "again with a larger n_iter")  # fmt: skip


def resumed_points(resume, x0, starts, noise, batch_size, problem) -> np.ndarray:
    """The final points of the run to continue, after refusing what cannot continue exactly."""
    if not isinstance(resume, Result):
        raise TypeError(f"resume must be the Result of an earlier run, not {resume!r}")
    if x0 is not None or starts is not None:
        raise ValueError("resume continues from the run's own final points: drop x0 and starts")
    from descentlab.problems.stochastic.online import OnlineProblem

    if noise is not None or batch_size is not None or isinstance(problem, OnlineProblem):
        raise ValueError(
            "resume continues deterministic runs only: noise, minibatches and online problems "
            "draw by iteration number"
        )
    x = np.array(resume.x, dtype=float)
    if problem.dim is not None and x.shape[-1] != problem.dim:
        raise ValueError(f"resume: the run has {x.shape[-1]} coordinates, the problem "
                         f"{problem.dim}")  # fmt: skip
    return x


def projection_box(problem: Problem, project: object) -> np.ndarray | None:
    if not isinstance(project, bool | np.bool_):
        raise TypeError(f"project must be True or False, not {project!r}")
    if not project:
        return None
    if problem.bounds is None:
        raise ValueError("project=True needs a problem with bounds to project on")
    return problem.bounds.T.copy()


def check_memory(optimizer, shape: tuple[int, ...], n_iter, recorder, record_limit) -> None:
    """Refuse a run whose recording or arrays (points of ``shape``) would not fit."""
    if isinstance(record_limit, bool) or not isinstance(record_limit, numbers.Integral):
        raise TypeError(f"record_limit must be a whole number of bytes, not {record_limit!r}")
    n, d = math.prod(shape[:-1]), shape[-1]
    if recorder is not None:
        rows = n_iter // recorder.every + 1 + (n_iter % recorder.every != 0)
        memory.check_recording(rows, recorder.n_starts, d, int(record_limit))
    state = optimizer.init(np.zeros(d))
    memory.check_working_memory(n, d, len(state) - 1)


def check_n_iter(n_iter: object) -> int:
    if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
        raise ValueError(f"n_iter must be a whole number >= 1, not {n_iter!r}")
    return int(n_iter)


def check_record(record: object) -> int | None:
    if record is None or record == "none":
        return None
    if record == "all":
        return 1
    if isinstance(record, numbers.Integral) and not isinstance(record, bool) and record >= 1:
        return int(record)
    raise ValueError(f"record must be 'all', 'none', None or a whole number >= 1, not {record!r}")
