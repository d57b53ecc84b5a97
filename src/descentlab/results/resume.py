"""Continuing a finished run: its final points and its optimizer's state, in memory or JSON.

``minimize(problem, optimizer, n_iter=100, resume=result)`` goes on from where ``result``
stopped, with the moments, buffers and step count the optimizer had, so 100 + 100 iterations
give the points of 200 bit for bit. A run file keeps the state as plain numbers under
``result.state``::

    {"optimizer": "adam", "type": "AdamState", "count": 100,
     "fields": {"m": [[...]], "v": [[...]]}}
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from descentlab.optimizers import Optimizer
from descentlab.results.result import Result
from descentlab.results.state import state_to_dict


def resumed_state(result: Result, optimizer: Optimizer, x: np.ndarray) -> Any:
    """The state to continue ``result`` with ``optimizer`` from ``x``, checked to fit."""
    saved = result.state
    if saved is None:
        raise ValueError(
            "resume needs a run that kept its optimizer state (a Result of minimize, or a run "
            "file written by this version with --json)"
        )
    if not isinstance(saved, dict):
        saved = state_to_dict(result.optimizer or "", saved)
    if saved["optimizer"] != optimizer.name:
        raise ValueError(f"resume: the run was made by {saved['optimizer']!r}, not "
                         f"{optimizer.name!r}; continue it with the same optimizer")  # fmt: skip
    fresh = optimizer.init(x)
    if saved["type"] != type(fresh).__name__:
        raise ValueError(f"resume: its state is a {saved['type']}, and {optimizer.name} keeps a "
                         f"{type(fresh).__name__}")  # fmt: skip
    expected = [name for name in fresh._fields if name != "count"]
    if sorted(saved["fields"]) != sorted(expected):
        raise ValueError(f"resume: the state has fields {sorted(saved['fields'])}, expected "
                         f"{sorted(expected)}")  # fmt: skip
    count = saved["count"]
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
        raise ValueError(f"resume: the state's count must be a whole number >= 0, not {count!r}")
    values = {name: _field(name, saved["fields"][name], x.shape) for name in expected}
    return fresh._replace(count=int(count), **values)


def _field(name: str, value: Any, shape: tuple[int, ...]) -> float | np.ndarray:
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"resume: state field {name} is not numbers") from None
    if array.ndim == 0:
        return float(array)
    try:
        if np.broadcast_shapes(array.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"resume: state field {name} has shape {array.shape}, which does not "
                         f"fit the points' shape {shape}") from None  # fmt: skip
    return array
