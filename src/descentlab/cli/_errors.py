"""How a command ends when it cannot do what was asked, after doing what it could."""

from __future__ import annotations


class CommandFailed(Exception):
    """End the command with one line on standard error and ``exit_code``.

    For failures that are not usage errors: the user's function raised during the run (1),
    a check failed (1), Ctrl-C (130). Raised after the partial results were written.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
