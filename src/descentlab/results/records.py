"""Runs saved as JSON: the schema ``descentlab.run/2`` that ``--json`` writes (``/1`` files,
which lack the optimizer's state, are still read).

::

    {
      "schema": "descentlab.run/2",
      "version": "0.1.0",
      "problem":   {"name", "dim", "bounds", "minimum", "minimizers"},
      "optimizer": {"name", "hyperparameters"},
      "settings":  {"seed", "n_iter", "starts", "tol": {"grad", "fun"}},
      "result":    {"x", "fun", "grad_norm", "nit", "status", "message", "nfev", "njev", "time",
                    "path": {"iteration", "x", "fun", "grad_norm", "starts"}   (on request),
                    "state": {"optimizer", "type", "count", "fields"}}   (to continue it)
    }

Arrays are nested lists shaped as in :class:`~descentlab.results.result.Result`; non-finite numbers
(a diverged start's values) are written as ``null`` so the file is strict JSON.

A run file may come from anywhere, so :func:`load` trusts nothing in it: its size, its JSON,
every field's type (:mod:`descentlab.results.schema`) and every array's shape are checked, and
any fault is one :class:`RunFileError` naming the file and the field. Loading never imports or
evaluates anything; rebuilding the run's problem is the caller's (the CLI rebuilds catalog
functions and expressions only).
"""

from __future__ import annotations

import json
import math
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from descentlab.optimizers import Optimizer
from descentlab.problems.problem import Problem
from descentlab.results.result import Result, Status
from descentlab.results.versions import SCHEMA, SCHEMAS

if TYPE_CHECKING:  # pydantic is imported by load(), which needs it: writing a file does not
    from descentlab.results.schema import RunRecord

#: Larger files are refused before they are read.
MAX_FILE_BYTES = 256 * 2**20


def run_record(
    problem: Problem,
    optimizer: Optimizer,
    result: Result,
    settings: dict[str, Any],
    include_path: bool = False,
) -> dict[str, Any]:
    """Everything needed to understand or redraw a run, as JSON-ready data."""
    from descentlab._version import __version__

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


def finite_or_none(value: Any) -> Any:
    """``value`` (nested lists and dicts) with non-finite floats as None, for strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    return value


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(finite_or_none(record), allow_nan=False, indent=1)


def save(record: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(dumps(record) + "\n", encoding="utf-8")


class RunFileError(ValueError):
    """A file that is not a valid run record; the message names the file and the fault."""


@dataclass(frozen=True)
class SavedRun:
    """A checked run file: its fields, and the result rebuilt as a :class:`Result`."""

    record: RunRecord
    result: Result


def load(path: str | Path) -> SavedRun:
    """Read and check a saved run; raise :class:`RunFileError` for anything wrong with it."""
    path = Path(path)

    def fault(what: str) -> RunFileError:
        return RunFileError(f"{path} is not a valid run record: {what}")

    content = _bounded_read(path, fault)
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise fault("it is not UTF-8 text") from None
    except RecursionError:
        raise fault("its JSON is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise fault(f"invalid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("schema") not in SCHEMAS:
        raise fault(f"it does not say schema {' or '.join(map(repr, SCHEMAS))}")
    import pydantic

    from descentlab.results.schema import RunRecord

    try:
        record = RunRecord.model_validate(data)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise fault(f"{where}: {first['msg']}") from None
    except RecursionError:
        raise fault("it is nested too deeply") from None
    try:
        result = _result(record)
    except (ValueError, TypeError, RecursionError) as error:
        raise fault(str(error)) from None
    return SavedRun(record, result)


def _bounded_read(path: Path, fault) -> bytes:
    """The file's bytes, reading at most ``MAX_FILE_BYTES + 1`` whatever the file claims: a
    device, a pipe or a symlink to ``/dev/zero`` is refused, never read to the end."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise fault("it is not a regular file (a device, a pipe or a folder)")
    with path.open("rb") as file:
        content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise fault(f"it has more than the {MAX_FILE_BYTES:,} bytes allowed")
    return content


def _array(name: str, value: Any, dtype: type) -> np.ndarray:
    try:
        array = np.array(value, dtype=dtype)
    except (ValueError, TypeError, RecursionError):
        raise ValueError(f"{name} is not a rectangular array of {dtype.__name__}s") from None
    except OverflowError:  # a whole number beyond 64 bits
        raise ValueError(f"{name} holds a number too large to read") from None
    if dtype is object and not all(isinstance(v, str) for v in array.ravel()):
        raise ValueError(f"{name} must hold text only")
    return array


def _shaped(name: str, value: Any, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    array = _array(name, value, dtype)
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    return array


def _result(record: RunRecord) -> Result:
    """The result part as a :class:`Result`, every array checked against the others."""
    part = record.result
    x = _array("result.x", part.x, float)
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"result.x must have shape (..., d), not {x.shape}")
    batch, d = x.shape[:-1], x.shape[-1]
    if record.problem.dim is not None and d != record.problem.dim:
        raise ValueError(f"result.x has {d} coordinates, but problem.dim is {record.problem.dim}")
    status = _shaped("result.status", part.status, object, batch)
    known = {s.value for s in Status}
    if not set(status.ravel()) <= known:
        raise ValueError(f"result.status must be among {', '.join(sorted(known))}")
    path = part.path
    return Result(
        x=x,
        fun=_shaped("result.fun", part.fun, float, batch),
        grad_norm=_shaped("result.grad_norm", part.grad_norm, float, batch),
        nit=_shaped("result.nit", part.nit, int, batch),
        status=status,
        message=_shaped("result.message", part.message, object, batch),
        **(_path(path, batch, d) if path is not None else _no_path()),
        nfev=part.nfev,
        njev=part.njev,
        time=part.time,
        regret=None if part.regret is None else _shaped("result.regret", part.regret, float, batch),
        state=None if part.state is None else part.state.model_dump(),
        optimizer=record.optimizer.name,
    )


def _no_path() -> dict[str, Any]:
    return {"path": None, "path_fun": None, "path_grad_norm": None,
            "path_iter": np.zeros(0, dtype=int), "record_starts": None,
            "path_regret": None, "path_step": None}  # fmt: skip


def _path(path, batch: tuple[int, ...], d: int) -> dict[str, Any]:
    iteration = _array("result.path.iteration", path.iteration, int)
    if iteration.ndim != 1 or iteration.size == 0 or (np.diff(iteration) <= 0).any():
        raise ValueError("result.path.iteration must be a non-empty increasing list")
    n = int(np.prod(batch, dtype=int))
    starts = None if path.starts is None else _array("result.path.starts", path.starts, int)
    if starts is not None and (starts.ndim != 1 or ((starts < 0) | (starts >= n)).any()):
        raise ValueError(f"result.path.starts must be indices in [0, {n})")
    rows = (len(iteration), *(batch if starts is None else (len(starts),)))
    return {
        "path": _shaped("result.path.x", path.x, float, (*rows, d)),
        "path_fun": _shaped("result.path.fun", path.fun, float, rows),
        "path_grad_norm": _shaped("result.path.grad_norm", path.grad_norm, float, rows),
        "path_iter": iteration,
        "record_starts": starts,
        "path_regret": None
        if path.regret is None
        else _shaped("result.path.regret", path.regret, float, rows),
        "path_step": None
        if path.step is None
        else _shaped("result.path.step", path.step, float, rows),
    }
