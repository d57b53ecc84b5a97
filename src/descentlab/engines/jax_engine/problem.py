"""A problem's objective and gradient as functions JAX can trace, on a flat batch ``(n, d)``.

- The catalog's functions and gradients and typed expressions are written against the array
  API (expressions are lambdified for ``jax.numpy``): they are used as they are.
- A user's gradient written with ``jax.numpy`` (or array-API calls on its input) is traced as
  it is; without one (finite differences on the NumPy engine) or with ``grad="jax"``, the
  gradient is ``jax.grad`` of the objective.
- A function not declared vectorized is mapped over the points with ``jax.vmap``, which is
  right whether it was written for one point or for a batch.

What JAX cannot trace (NumPy calls on a tracer, Python branches on values, PyTorch: errors of
tracing, which JAX raises as TypeErrors) is found before the run, with an error that says what
failed and suggests the NumPy engine. Any other error the function raises is its own
(:class:`FunctionRaised`): the run then goes to the NumPy engine, which reports it as a status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp

from descentlab.problems.gradients import CentralDifference, JaxGradient, TorchGradient
from descentlab.problems.problem import Problem

_FIX = "write it with jax.numpy operations (jnp.sin(x), x.sum(axis=-1)), or use engine='numpy'"


class NotTraceable(TypeError):
    """A user function JAX cannot trace."""


class FunctionRaised(Exception):
    """A user function raised an error of its own (not one of tracing) while JAX traced it:
    the run goes to the NumPy engine, which reports it as the NumPy engine does (status
    ``error``), or runs the function if it raised only under JAX."""

    def __init__(self, what: str, error: Exception) -> None:
        super().__init__(f"the {what} raised {type(error).__name__}: {error}")
        self.what, self.error = what, error


@dataclass(frozen=True)
class TracedProblem:
    """``f: (n, d) -> (n,)`` and ``grad: (n, d) -> (n, d)`` for the compiled run.

    Hashable by the functions it holds, so that the compiled program of a catalog function is
    found again for every new ``Problem`` of it."""

    f: Callable
    grad: Callable


def traced_problem(problem: Problem, n: int, d: int, dtype) -> TracedProblem:
    """The JAX form of ``problem``, checked on a batch of ``n`` points of ``d`` coordinates."""
    cached = problem._prepared.get("jax")
    if cached is None:
        cached = _build(problem)
        problem._prepared["jax"] = cached
    checked = problem._prepared.setdefault("jax checked", set())
    if (n, d, dtype) not in checked:
        _check_traceable(problem, cached, n, d, dtype)
        checked.add((n, d, dtype))
    return cached


def _build(problem: Problem) -> TracedProblem:
    f = problem.f
    given = problem.grad
    if isinstance(given, TorchGradient):
        raise NotTraceable(
            f"the gradient of {problem.name!r} is computed by PyTorch, which JAX cannot trace: "
            "use grad='jax' with f written in jax.numpy, or engine='numpy'"
        )
    autodiff = given is None or isinstance(given, CentralDifference | JaxGradient)
    if isinstance(given, JaxGradient):
        f = given.f
    if problem.vectorized is True:
        grad = _grad_of_sum(f) if autodiff else given
        return TracedProblem(f, grad)
    per_point_grad = jax.grad(_scalar(f)) if autodiff else given
    return TracedProblem(jax.vmap(_scalar(f)), jax.vmap(per_point_grad))


def _scalar(f: Callable) -> Callable:
    """``f`` on one point, as a scalar (a function written for a batch gives shape ())."""
    return lambda point: jnp.reshape(f(point), ())


def _grad_of_sum(f: Callable) -> Callable:
    """The gradients of a vectorized ``f`` at a batch: the gradient of the sum of its values,
    since each value depends on its own point only."""
    return jax.grad(lambda x: jnp.sum(f(x)))


def _check_traceable(problem: Problem, traced: TracedProblem, n: int, d: int, dtype) -> None:
    points = jax.ShapeDtypeStruct((n, d), dtype)
    for what, function, shape in (("objective", traced.f, (n,)),
                                  ("gradient", traced.grad, (n, d))):  # fmt: skip
        try:
            out = jax.eval_shape(function, points)
        except Exception as error:
            if not isinstance(error, TypeError | jax.errors.JAXIndexError):
                raise FunctionRaised(what, error) from None
            detail = " ".join(f"{type(error).__name__}: {error}".split())[:160]
            raise NotTraceable(
                f"the {what} of {problem.name!r} cannot be traced by JAX ({detail}); {_FIX}"
            ) from None
        if getattr(out, "shape", None) != shape:
            raise NotTraceable(
                f"the {what} of {problem.name!r} must map points of shape (..., d) to shape "
                f"{'(...)' if what == 'objective' else '(..., d)'}: for ({n}, {d}) it gave "
                f"{getattr(out, 'shape', type(out).__name__)}"
            )
