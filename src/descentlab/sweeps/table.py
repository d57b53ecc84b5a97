"""Stored cells as a tidy pandas DataFrame: one row per cell, hyperparameters as columns."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from descentlab.sweeps.collector import collector_paused
from descentlab.sweeps.store import COLUMNS

#: The columns after the hyperparameters, in order.
RESULT_COLUMNS = ("seed", "final_gap", "start_gap", "iterations", "gradients", "status",
                  "seconds", "n_iter", "target", "cell")  # fmt: skip


@collector_paused()
def to_frame(rows: list[tuple]):
    """A DataFrame of stored cells (tuples in :data:`~descentlab.sweeps.store.COLUMNS` order)."""
    import pandas as pd

    if not rows:
        return pd.DataFrame(columns=["problem", "optimizer", *RESULT_COLUMNS])
    data = dict(zip(COLUMNS, (list(column) for column in zip(*rows, strict=True)), strict=True))
    # each distinct problem and setting text parsed once, then spread to its rows by index
    problem_codes, problem_texts = pd.factorize(np.asarray(data["problem"], dtype=object))
    setting_codes, setting_texts = pd.factorize(np.asarray(data["settings"], dtype=object))
    parsed = json.loads("[" + ",".join(setting_texts) + "]")  # one parse, not one per text
    names = _declared_order({name for s in parsed for name in s})
    labels = np.asarray([_label(json.loads(text)) for text in problem_texts], dtype=object)
    frame = pd.DataFrame({
        "problem": labels[problem_codes],
        "optimizer": data["optimizer"],
        **{name: _column([_cell(s.get(name, np.nan)) for s in parsed], setting_codes)
           for name in names},
        "seed": np.asarray(data["seed"], dtype=np.int64),
        "final_gap": np.array(data["final_gap"], dtype=float),  # None -> NaN
        "start_gap": np.array(data["start_gap"], dtype=float),
        "iterations": pd.array(data["iterations"], dtype="Int64"),
        "gradients": pd.array(data["gradients"], dtype="Int64"),
        "status": data["status"],
        "seconds": np.asarray(data["seconds"], dtype=float),
        "n_iter": np.asarray(data["n_iter"], dtype=np.int64),
        "target": np.array(data["target"], dtype=float),
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


def _column(distinct: list[Any], codes: np.ndarray):
    """A hyperparameter's column from its distinct values and each row's code: typed by pandas
    from the distinct values (bool, int, float, str or object, as from the whole column)."""
    import pandas as pd

    return pd.Series(distinct).take(codes).reset_index(drop=True)
