"""Stored cells as a tidy pandas DataFrame: one row per cell, hyperparameters as columns."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from descentlab.sweeps.store import COLUMNS

#: The columns after the hyperparameters, in order.
RESULT_COLUMNS = ("seed", "final_gap", "start_gap", "iterations", "gradients", "status",
                  "seconds", "n_iter", "target", "cell")  # fmt: skip


def to_frame(rows: list[tuple]):
    """A DataFrame of stored cells (tuples in :data:`~descentlab.sweeps.store.COLUMNS` order)."""
    import pandas as pd

    if not rows:
        return pd.DataFrame(columns=["problem", "optimizer", *RESULT_COLUMNS])
    data = dict(zip(COLUMNS, (list(column) for column in zip(*rows, strict=True)), strict=True))
    labels = {text: _label(json.loads(text)) for text in set(data["problem"])}
    parsed = {text: json.loads(text) for text in set(data["settings"])}  # each setting once
    names = _declared_order({name for s in parsed.values() for name in s})
    cells = {text: [_cell(s.get(name, np.nan)) for name in names] for text, s in parsed.items()}
    by_row = list(zip(*(cells[text] for text in data["settings"]), strict=True)) if names else []
    frame = pd.DataFrame({
        "problem": [labels[text] for text in data["problem"]],
        "optimizer": data["optimizer"],
        **{name: list(column) for name, column in zip(names, by_row, strict=True)},
        "seed": np.asarray(data["seed"], dtype=np.int64),
        "final_gap": _floats(data["final_gap"]),
        "start_gap": _floats(data["start_gap"]),
        "iterations": pd.array(data["iterations"], dtype="Int64"),
        "gradients": pd.array(data["gradients"], dtype="Int64"),
        "status": data["status"],
        "seconds": np.asarray(data["seconds"], dtype=float),
        "n_iter": np.asarray(data["n_iter"], dtype=np.int64),
        "target": _floats(data["target"]),
        "cell": data["hash"],
    })  # fmt: skip
    return frame


def _declared_order(names: set[str]) -> list[str]:
    """Hyperparameters in the order the optimizers declare them (step size first)."""
    from descentlab.optimizers import OPTIMIZERS

    declared = [h.name for cls in OPTIMIZERS.values() for h in cls.hyperparameters()]
    ordered = [name for name in dict.fromkeys(declared) if name in names]
    return ordered + sorted(names - set(ordered))


def _cell(value: Any) -> Any:
    """A setting as a table cell: numbers and strings as they are, a schedule as its JSON."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _label(key: dict[str, Any]) -> str:
    parameters = "".join(f", {k}={v:g}" if isinstance(v, float) else f", {k}={v}"
                         for k, v in key["parameters"].items())  # fmt: skip
    return f"{key['function']} (d={key['dim']}{parameters})"


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)
