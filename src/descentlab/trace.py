"""The tutorials' trace: ``>i f(x) = value`` per iteration, then ``Done!`` and the result.

The point is printed as NumPy prints the array (``str(x)``), the value with ``%.5f``, and the
last line with ``%f``, exactly as the tutorials' ``print`` calls do. With several starts each
line carries the start's index: ``>i [j] f(x) = value``.
"""

from __future__ import annotations

import sys
from typing import TextIO

import numpy as np

from descentlab.result import Result


class TutorialTrace:
    """Writes the trace of a run to ``file`` (standard output by default)."""

    def __init__(self, file: TextIO | None = None) -> None:
        self._file = file

    def _write(self, line: str) -> None:
        (self._file or sys.stdout).write(line + "\n")

    def iteration(self, i: int, x: np.ndarray, fx: np.ndarray) -> None:
        if x.ndim == 1:
            self._write(">%d f(%s) = %.5f" % (i, x, fx))
            return
        for j, (xj, fj) in enumerate(zip(x.reshape(-1, x.shape[-1]), fx.ravel(), strict=True)):
            self._write(">%d [%d] f(%s) = %.5f" % (i, j, xj, fj))

    def finish(self, result: Result) -> None:
        self._write("Done!")
        x, fun = result.x, result.fun
        if x.ndim == 1:
            self._write("f(%s) = %f" % (x, fun))
            return
        for j, (xj, fj) in enumerate(zip(x.reshape(-1, x.shape[-1]), fun.ravel(), strict=True)):
            self._write("[%d] f(%s) = %f" % (j, xj, fj))
