"""The runner's calls of the user's code: checked, counted, on read-only points.

Every call of the objective or the gradient that feeds a run goes through an
:class:`Evaluator`, which

- hands the function a read-only array, so a function that writes into its input fails
  loudly instead of corrupting the recorded path;
- checks the result (real numbers of the right shape, see :mod:`descentlab.outputs`);
- turns an exception raised *inside* the user's code into a :class:`UserFunctionError`,
  which the runner records as the status ``error`` (the run and its path so far are kept).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from descentlab.outputs import OutputError, as_gradient, as_values
from descentlab.problem import Problem


class UserFunctionError(Exception):
    """The user's objective, gradient or callback raised ``original``."""

    def __init__(self, function: str, original: BaseException) -> None:
        self.function = function
        self.original = original
        detail = str(original)
        name = type(original).__name__
        super().__init__(f"the {function} raised {name}" + (f": {detail}" if detail else ""))


def call_user(function: str, call: Callable, *args):
    """``call(*args)``, with anything it raises (but output errors) as a UserFunctionError."""
    try:
        return call(*args)
    except OutputError:
        raise
    except ValueError as error:
        if "read-only" in str(error):
            error = ValueError(f"{error} (descentlab hands out its points read-only so that the "
                               "record stays right: change a copy, x = x.copy())")  # fmt: skip
        raise UserFunctionError(function, error) from error
    except Exception as error:
        raise UserFunctionError(function, error) from error


class Evaluator:
    """Evaluates ``problem`` for a batch of shape ``batch_shape`` and counts the calls."""

    def __init__(self, problem: Problem, batch_shape: tuple[int, ...]) -> None:
        self._f = problem.f
        self._grad = problem.gradient
        self.batch_shape = batch_shape
        self.nfev = 0
        self.njev = 0

    def value(self, x: np.ndarray) -> np.ndarray:
        x.flags.writeable = False
        raw = call_user("objective", self._f, x)
        self.nfev += 1
        return as_values(raw, self.batch_shape)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        x.flags.writeable = False
        raw = call_user("gradient", self._grad, x)
        self.njev += 1
        return as_gradient(raw, x.shape)
