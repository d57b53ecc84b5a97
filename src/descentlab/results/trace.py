"""The tutorials' trace: ``>i f(x) = value`` per iteration, then ``Done!`` and the result.

The point is printed as NumPy prints the array (``str(x)``), the value with ``%.5f``, and the
last line with ``%f``, exactly as the tutorials' ``print`` calls do. With several starts each
line carries the start's index: ``>i [j] f(x) = value``. A value too large for fixed notation to
be read (``%f`` of 1e300 is 301 digits) is printed with an exponent instead (``%.5e``).
"""

from __future__ import annotations

import sys
from typing import TextIO

import numpy as np

from descentlab.results.result import Result


class TutorialTrace:
    """Writes the trace of a run to ``file`` (standard output by default)."""

    def __init__(self, file: TextIO | None = None) -> None:
        self._file = file

    def _write(self, line: str) -> None:
        (self._file or sys.stdout).write(line + "\n")

    def iteration(self, i: int, x: np.ndarray, fx: np.ndarray) -> None:
        if x.ndim == 1:
            self._write(">%d f(%s) = %s" % (i, x, _value(fx, "%.5f")))
            return
        for j, (xj, fj) in enumerate(zip(x.reshape(-1, x.shape[-1]), fx.ravel(), strict=True)):
            self._write(">%d [%d] f(%s) = %s" % (i, j, xj, _value(fj, "%.5f")))

    def finish(self, result: Result) -> None:
        self._write("Done!")
        x, fun = result.x, result.fun
        if x.ndim == 1:
            self._write("f(%s) = %s" % (x, _value(fun, "%f")))
            return
        for j, (xj, fj) in enumerate(zip(x.reshape(-1, x.shape[-1]), fun.ravel(), strict=True)):
            self._write("[%d] f(%s) = %s" % (j, xj, _value(fj, "%f")))


#: Beyond this magnitude a value is printed with an exponent (fixed notation would need more
#: than 16 digits before the point, none of them meaningful).
_FIXED_LIMIT = 1e16


def _value(value, fixed: str) -> str:
    """``value`` in the tutorials' fixed notation, or ``%.5e`` when it is too large for it."""
    number = float(value)
    return fixed % number if abs(number) < _FIXED_LIMIT or number != number else "%.5e" % number
