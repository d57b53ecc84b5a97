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

from descentlab._trees import is_record
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
    with np.errstate(all="ignore"):  # the shapes a step gives each field: what must be saved
        shaped = optimizer.step(x, np.zeros_like(x), fresh)[1]
    values = {name: _filled(name, getattr(shaped, name), saved["fields"][name])
              for name in expected}  # fmt: skip
    return fresh._replace(count=int(count), **values)


def _filled(name: str, template: Any, value: Any) -> Any:
    """The saved ``value`` of the state field ``name`` in the form of ``template`` (the field
    after a step): an inner state from its mapping, a tuple per block from its list, an array
    of the template's shape, a number where it holds one."""
    if is_record(template):
        if not isinstance(value, dict) or sorted(value) != sorted(template._fields):
            raise ValueError(f"resume: state field {name} must hold {sorted(template._fields)}")
        return type(template)(**{key: _filled(f"{name}.{key}", getattr(template, key), value[key])
                                 for key in template._fields})  # fmt: skip
    if isinstance(template, tuple):
        if not isinstance(value, list) or len(value) != len(template):
            raise ValueError(f"resume: state field {name} must be a list of {len(template)}")
        return tuple(_filled(f"{name}[{k}]", t, v)
                     for k, (t, v) in enumerate(zip(template, value, strict=True)))  # fmt: skip
    if isinstance(template, numbers.Integral) and not isinstance(template, bool):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"resume: state field {name} must be a whole number >= 0")
        return int(value)
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"resume: state field {name} is not numbers") from None
    shape = np.shape(template)
    if array.ndim == 0 and not shape:
        return float(array)
    if array.shape != shape:
        raise ValueError(f"resume: state field {name} has shape {array.shape}, which does not "
                         f"fit the points: it must be {shape}")  # fmt: skip
    return array
