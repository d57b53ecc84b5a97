"""Calling the user's code: what it raises becomes one error that names the function.

An exception raised *inside* the user's objective, gradient or callback is a
:class:`UserFunctionError` (the runner records it as the status ``error``, the command line
exits 1); descentlab's own checks of what the code returned (:mod:`~descentlab.problems.outputs`)
pass through as they are.
"""

from __future__ import annotations

from collections.abc import Callable

from descentlab.problems.outputs import OutputError


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
    except Exception as error:
        raise as_user_error(function, error) from error


def as_user_error(function: str, error: Exception) -> Exception:
    """What to raise for ``error`` from the user's ``function``: our own output checks (from
    finite differences) as they are, anything else as a UserFunctionError."""
    if isinstance(error, OutputError):
        return error
    if isinstance(error, ValueError) and "read-only" in str(error):
        error = ValueError(f"{error} (descentlab hands out its points read-only so that the "
                           "record stays right: change a copy, x = x.copy())")  # fmt: skip
    return UserFunctionError(function, error)
