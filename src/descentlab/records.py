"""Runs saved as JSON: the schema ``descentlab.run/1`` that ``--json`` writes.

::

    {
      "schema": "descentlab.run/1",
      "version": "0.1.0",
      "problem":   {"name", "dim", "bounds", "minimum", "minimizers"},
      "optimizer": {"name", "hyperparameters"},
      "settings":  {"seed", "n_iter", "starts", "tol": {"grad", "fun"}},
      "result":    {"x", "fun", "grad_norm", "nit", "status", "message", "nfev", "njev", "time",
                    "path": {"iteration", "x", "fun", "grad_norm", "starts"}   (on request)}
    }

Arrays are nested lists shaped as in :class:`~descentlab.result.Result`; non-finite numbers
(a diverged start's values) are written as ``null`` so the file is strict JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from descentlab.optimizers import Optimizer
from descentlab.problem import Problem
from descentlab.result import Result

SCHEMA = "descentlab.run/1"


def run_record(
    problem: Problem,
    optimizer: Optimizer,
    result: Result,
    settings: dict[str, Any],
    include_path: bool = False,
) -> dict[str, Any]:
    """Everything needed to understand or redraw a run, as JSON-ready data."""
    from descentlab import __version__

    return {
        "schema": SCHEMA,
        "version": __version__,
        "problem": {
            "name": problem.name,
            "dim": problem.dim,
            "bounds": None if problem.bounds is None else problem.bounds.tolist(),
            "minimum": problem.minimum,
            "minimizers": None if problem.minimizers is None else problem.minimizers.tolist(),
        },
        "optimizer": {"name": optimizer.name, "hyperparameters": optimizer.settings()},
        "settings": settings,
        "result": result.to_dict(include_path=include_path),
    }


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    return value


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(_finite_or_none(record), allow_nan=False, indent=1)


def save(record: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(dumps(record) + "\n", encoding="utf-8")


def load(path: str | Path) -> dict[str, Any]:
    """Read a saved run, checking that it is one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a descentlab run (schema {SCHEMA!r})")
    return data
