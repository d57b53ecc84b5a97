"""Stored cells as a tidy pandas DataFrame: one row per cell, hyperparameters as columns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.optimizers import OPTIMIZERS
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
    _, first_rows = np.unique(setting_codes, return_index=True)
    for settings, row in zip(parsed, first_rows.tolist(), strict=True):
        _fill_added(data["optimizer"][row], settings)
    labels = np.asarray([_label(json.loads(text)) for text in problem_texts], dtype=object)
    return _frame(labels[problem_codes], data["optimizer"], parsed, setting_codes, {
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


def _fill_added(optimizer: str, settings: dict[str, Any]) -> None:
    """A cell stored before one of its optimizer's hyperparameters was added ran at that
    hyperparameter's default (the keys leave it out there): say so in the table."""
    if optimizer in OPTIMIZERS:
        for info in OPTIMIZERS[optimizer].hyperparameters():
            if info.added:
                settings.setdefault(info.name, info.default)


@dataclass(frozen=True)
class Part:
    """Cells just run, as arrays: what :func:`parts_frame` makes a table of without the store's
    row tuples. ``settings`` holds the distinct settings (as JSON would give them back) and
    ``codes`` each cell's index into them; an iteration count of -1 is "not reached"."""

    problem: dict[str, Any]  # the stored problem key (``short_key``)
    optimizer: str
    settings: list[dict[str, Any]]
    codes: np.ndarray
    seeds: np.ndarray
    final_gap: np.ndarray
    start_gap: np.ndarray
    iterations: np.ndarray
    gradients: np.ndarray
    status: list[str]
    seconds: np.ndarray
    n_iter: int
    target: float | None
    hashes: list[str]


@collector_paused()
def parts_frame(parts: list[Part]):
    """The table of cells just run, in the order of ``parts``: equal to :func:`to_frame` of the
    same cells' stored rows (tested), without making and parsing their texts and tuples."""
    import pandas as pd

    if not parts:
        return to_frame([])
    sizes = [len(part.codes) for part in parts]
    offsets = np.cumsum([0, *(len(part.settings) for part in parts)])[:-1]

    def joined(name, dtype=None):
        return np.concatenate([np.asarray(getattr(part, name), dtype=dtype) for part in parts])

    def repeated(values, dtype=None):
        return np.repeat(np.asarray(values, dtype=dtype), sizes)

    def counts(name):
        values = joined(name, np.int64)
        return pd.arrays.IntegerArray(values, values < 0)

    labels = [_label(json.loads(json.dumps(part.problem, sort_keys=True))) for part in parts]
    return _frame(
        repeated(labels, object),
        [part.optimizer for part, size in zip(parts, sizes, strict=True) for _ in range(size)],
        [setting for part in parts for setting in part.settings],
        np.concatenate([part.codes + offset for part, offset in zip(parts, offsets, strict=True)]),
        {
            "seed": joined("seeds", np.int64),
            "final_gap": joined("final_gap", float),
            "start_gap": joined("start_gap", float),
            "iterations": counts("iterations"),
            "gradients": counts("gradients"),
            "status": [status for part in parts for status in part.status],
            "seconds": joined("seconds", float),
            "n_iter": repeated([part.n_iter for part in parts], np.int64),
            "target": repeated([np.nan if p.target is None else p.target for p in parts], float),
            "cell": [cell for part in parts for cell in part.hashes],
        },
    )  # fmt: skip


def _frame(problem, optimizer, settings: list[dict[str, Any]], codes: np.ndarray,
           results: dict[str, Any]):  # fmt: skip
    """The table: problem and optimizer, each hyperparameter from the distinct ``settings`` and
    each row's code into them, then the results in :data:`RESULT_COLUMNS` order."""
    import pandas as pd

    names = _declared_order({name for s in settings for name in s})
    return pd.DataFrame({
        "problem": problem,
        "optimizer": optimizer,
        **{name: _column([_cell(s.get(name, np.nan)) for s in settings], codes)
           for name in names},
        **{name: results[name] for name in RESULT_COLUMNS},
    })  # fmt: skip


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
