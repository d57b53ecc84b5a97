"""``sweep(problems, optimizers, grid, ...)``: every setting on every problem, kept in a store.

For each (problem, optimizer) pair, the cells not yet in the store are cut into chunks of
settings; each chunk is one vectorized run (:func:`~descentlab.sweeps.cells.run_chunk`), done
here or on Dask workers, and written to the store as it finishes. The answer is read back from
the store, so a rerun that computes nothing returns the same table.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from descentlab import memory
from descentlab.engines import resolve
from descentlab.optimizers import OPTIMIZERS, get_optimizer
from descentlab.sweeps.cells import Chunk, ChunkResult, Plan, run_chunk
from descentlab.sweeps.collector import collector_paused
from descentlab.sweeps.grid import Grid, check_grid, make_grid
from descentlab.sweeps.problems import as_sweep_problem, short_key
from descentlab.sweeps.store import Store, cell_tuples
from descentlab.sweeps.table import Part, parts_frame, to_frame
from descentlab.sweeps.texts import json_texts

#: Cells per chunk when none is asked for: one batch up to this many starts (fewer where the
#: dimension makes a batch bigger than ``CHUNK_BYTES``).
DEFAULT_CHUNK_CELLS = 100_000
#: The most memory one chunk's arrays may take (or a quarter of the memory available).
CHUNK_BYTES = 2**30
#: The most cells one sweep may have: more is a typo, and hashing and storing them would take
#: hours (each cell is a row of the store and of the table).
MAX_CELLS = 10_000_000

#: ``progress(done, total, label)``: cells finished so far (those found in the store included).
ProgressCallback = Callable[[int, int, str], None]


def sweep(
    problems: object,
    optimizers: str | Sequence[str],
    grid: Grid | Mapping[str, object],
    *,
    seeds: int | Sequence[int] = 5,
    n_iter: int = 500,
    target: float | None = 1e-8,
    hyper: Mapping[str, object] | None = None,
    store: Store | str | Path | None = None,
    chunk_size: int | None = None,
    client: object = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    engine: str | None = None,
):
    """Run every setting of ``grid`` for each optimizer on each problem; return a DataFrame.

    Parameters
    ----------
    problems : name, (name, options) pair, Problem, or a list of them
        Catalog names (``"rosenbrock"``), ``("quadratic", {"dim": 2, "kappa": 100})``, or your
        own :class:`~descentlab.Problem` with bounds.
    optimizers : str or list of str
        Registered optimizer names.
    grid : mapping or Grid
        ``{"step_size": "log:1e-4:1:41", "momentum": "lin:0:0.99:34", "beta1": [0.9, 0.95]}``.
        Each optimizer sweeps the axes it has; an axis that no optimizer has is an error.
    seeds : int or list of int
        The starts: seed ``s`` gives the tutorials' start ``lo + rand(d) * (hi - lo)`` of
        ``RandomState(s)``; an int ``n`` means seeds ``0 .. n-1``.
    n_iter : int
        The most iterations per cell.
    target : float or None
        A cell reaches the target when ``f - f* <= target`` (needs the problem's known minimum);
        it stops there, and ``iterations`` is how many updates it took.
    hyper : mapping, optional
        Hyperparameters held fixed: ``{"beta2": 0.99}`` for every optimizer that has it,
        ``{"adam.eps": 0.0}`` for one.
    store : Store, path or None
        Where finished cells go (None: kept nowhere, only returned). Cells already there are
        not run again.
    chunk_size : int, optional
        Settings per chunk (each chunk one batch). Default: all settings in one batch, up to
        100,000 cells; with Dask, enough chunks to keep every worker busy.
    client, workers : Dask
        A ``dask.distributed.Client`` to run chunks on, or ``workers=N`` to start a local
        cluster of N processes on 127.0.0.1 for this call.
    progress : callable, optional
        ``progress(done, total, label)`` after each chunk.
    engine : "numpy", "jax" or None
        Where each chunk runs (None: the default engine). The JAX engine compiles one program
        per chunk size and reuses it; its cells are stored apart from the NumPy engine's (their
        numbers agree to rounding, not bit for bit).

    Returns
    -------
    pandas.DataFrame
        One row per (problem, optimizer, setting, seed): ``problem``, ``optimizer``, every
        hyperparameter, ``seed``, ``final_gap`` (``f - f*`` at the end), ``start_gap``,
        ``iterations`` and ``gradients`` to the target (missing where not reached),
        ``status``, ``seconds`` (the cell's share of its batch's wall time) and ``cell`` (hash).
    """
    plans = make_plans(problems, optimizers, grid, seeds, n_iter, target, hyper,
                       resolve(engine, None))  # fmt: skip
    from descentlab.sweeps.distributed import cluster

    own_store = not isinstance(store, Store)
    opened = (Unkept() if store is None else Store(store)) if own_store else store
    try:
        with cluster(client, workers) as dask_client:
            table = execute(plans, opened, chunk_size, dask_client, progress)
        from descentlab.sweeps.frame import SweepTable

        return SweepTable(table)
    finally:
        if own_store:
            opened.close()


class Unkept:
    """Where a sweep without a store puts its cells: nowhere (it has none to find, and the rows
    it returns are the ones it ran). Writing 100,000 rows and links into SQLite only to read
    them back took longer than the 50,000 runs of the benchmark sweep's batch."""

    keeps = False

    def open_sweep(self, definition: dict[str, Any], hashes: Sequence[str]) -> int:
        return 0

    def finished(self, sweep: int) -> dict[int, tuple]:
        return {}

    def add(self, rows: Sequence[tuple]) -> None:
        pass

    def close(self) -> None:
        pass


def make_plans(problems, optimizers, grid, seeds, n_iter, target, hyper,
               engine: str = "numpy") -> list[Plan]:  # fmt: skip
    """Check every argument and make one :class:`Plan` per (problem, optimizer)."""
    names = [optimizers] if isinstance(optimizers, str) else list(optimizers)
    for name in names:
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
    if not names:
        raise ValueError("optimizers must name at least one optimizer")
    grid = make_grid(grid)
    check_grid(grid, names)
    specs = [as_sweep_problem(p) for p in _listed(problems)]
    seeds = _seeds(seeds)
    n_iter = _whole("n_iter", n_iter, 1)
    if target is not None and not (_real(target) and target >= 0):
        raise ValueError(f"target must be a finite number >= 0 or None, not {target!r}")
    _check_fixed(hyper or {}, names, grid)
    cells = len(grid) * len(seeds) * len(names) * len(specs)
    if cells > MAX_CELLS:
        raise ValueError(
            f"the sweep has {cells:,} cells (settings x seeds x optimizers x problems), more "
            f"than the {MAX_CELLS:,} one sweep may have: fewer values per axis or fewer seeds"
        )
    plans = []
    for spec in specs:
        if target is not None and spec.build().minimum is None:
            raise ValueError(f"target needs the known minimum of {spec.label}, which has none")
        for name in names:
            own = _fixed_for(name, hyper or {})
            axes = grid.only([h.name for h in OPTIMIZERS[name].hyperparameters()])
            plans.append(Plan(spec, name, axes, seeds, n_iter, None if target is None
                              else float(target), tuple(sorted(own.items())),
                              engine))  # fmt: skip
    return plans


def execute(plans: list[Plan], store: Store | Unkept, chunk_size: int | None, client,
            progress: ProgressCallback | None):  # fmt: skip
    """Run the missing cells of every plan into ``store``; return the table of every cell of
    every plan, in order: those found there read back, the others as they were run (straight
    from their arrays when none was found, the case of every new sweep)."""
    total = sum(plan.n_cells for plan in plans)
    done, work, tables = 0, [], []
    for plan in plans:
        hashes = plan.cell_hashes()
        found = store.finished(store.open_sweep(definition(plan), hashes))
        done += len(found)
        missing = np.setdiff1d(np.arange(plan.n_cells), np.fromiter(found, np.int64, len(found)))
        size = _chunk_settings(plan, chunk_size, client)
        work.extend((Chunk(plan, cells), hashes, found) for cells in split(missing, plan, size))
        tables.append(found)
    if progress is not None:
        progress(done, total, "cells")
    reread, parts = any(tables), []
    for (chunk, hashes, found), result in zip_results(work, client):
        if store.keeps:  # (a sweep without a store finds nothing, so it never reads back)
            rows = cell_rows(chunk, hashes, result)
            store.add(rows)
        if reread:
            found.update(zip(chunk.cells.tolist(), rows, strict=True))
        else:
            parts.append((chunk, hashes, result))
        done += len(chunk.cells)
        if progress is not None:
            progress(done, total, f"{chunk.plan.optimizer} on {chunk.plan.problem.label}")
    if not reread:
        order = {id(plan): k for k, plan in enumerate(plans)}
        parts.sort(key=lambda part: (order[id(part[0].plan)], int(part[0].cells[0])))
        return parts_frame([cell_part(*part) for part in parts])
    return to_frame([table[k] for plan, table in zip(plans, tables, strict=True)
                     for k in range(plan.n_cells)])  # fmt: skip


def zip_results(work: list[tuple], client) -> Iterator[tuple[Any, ChunkResult]]:
    """Each piece of work with its result, here in order or from Dask as chunks finish."""
    if client is None:
        for item in work:
            yield item, run_chunk(item[0])
        return
    from descentlab.sweeps.distributed import run_on

    by_index = run_on(client, [item[0] for item in work])
    for index, result in by_index:
        yield work[index], result


def split(missing: np.ndarray, plan: Plan, settings_per_chunk: int) -> list[np.ndarray]:
    """Cut the missing cells into chunks of at most ``settings_per_chunk`` whole settings."""
    if missing.size == 0:
        return []
    setting = missing // len(plan.seeds)
    firsts = np.flatnonzero(np.r_[True, setting[1:] != setting[:-1]])  # where a setting begins
    bounds = [*firsts[::settings_per_chunk], missing.size]
    return [missing[a:b] for a, b in itertools.pairwise(bounds)]


@collector_paused()
def cell_rows(chunk: Chunk, hashes: list[str], result: ChunkResult) -> list[tuple]:
    """The chunk's cells as the store keeps them: identity (hash, problem, optimizer, settings,
    seed, n_iter, target) and numbers, each setting's text made once."""
    plan = chunk.plan
    base, columns = plan.base_settings(), plan.columns()
    problem = json.dumps(short_key(plan.problem.key()), sort_keys=True)
    setting, seed = np.divmod(chunk.cells, len(plan.seeds))
    distinct = np.unique(setting).tolist()
    texts = dict(zip(distinct, json_texts(lambda values: {**base, **values}, columns, distinct),
                     strict=True))  # fmt: skip
    seeds = np.asarray(plan.seeds)[seed].tolist()
    return cell_tuples(result, [hashes[k] for k in chunk.cells.tolist()], problem,
                       plan.optimizer, [texts[i] for i in setting.tolist()], seeds, plan.n_iter,
                       plan.target)  # fmt: skip


def cell_part(chunk: Chunk, hashes: list[str], result: ChunkResult) -> Part:
    """The chunk's cells as arrays for the table: each distinct setting as its stored text
    would parse back (the fixed settings through JSON once, the swept values as floats)."""
    plan = chunk.plan
    setting, seed = np.divmod(chunk.cells, len(plan.seeds))
    distinct, codes = np.unique(setting, return_inverse=True)
    base = json.loads(json.dumps(plan.base_settings()))
    columns = {name: np.asarray(values, float)[distinct].tolist()
               for name, values in plan.columns().items()}  # fmt: skip
    settings = [{**base, **{name: values[k] for name, values in columns.items()}}
                for k in range(len(distinct))]  # fmt: skip
    return Part(short_key(plan.problem.key()), plan.optimizer, settings, codes.reshape(-1),
                np.asarray(plan.seeds, dtype=np.int64)[seed], result.final_gap, result.start_gap,
                result.iterations, result.gradients, [str(s) for s in result.status.tolist()],
                result.seconds, plan.n_iter, plan.target,
                [hashes[k] for k in chunk.cells.tolist()])  # fmt: skip


def definition(plan: Plan) -> dict[str, Any]:
    """A sweep as the store lists it: enough to say what was run and to run it again."""
    return {
        "problem": plan.problem.key(),
        "problem_label": plan.problem.label,
        "optimizer": plan.optimizer,
        "grid": {a.name: {"scale": a.scale, "values": list(a.values)} for a in plan.grid.axes},
        "fixed": {name: plan.base_settings()[name] for name, _ in plan.fixed},
        "seeds": list(plan.seeds),
        "n_iter": plan.n_iter,
        "target": plan.target,
        "engine": plan.engine,
    }


def _chunk_settings(plan: Plan, chunk_size: int | None, client) -> int:
    if chunk_size is not None:
        return _whole("chunk_size", chunk_size, 1)
    largest = max(1, chunk_cells(plan) // len(plan.seeds))
    if client is None:
        return largest
    from descentlab.sweeps.distributed import worker_count

    return max(1, min(largest, math.ceil(plan.n_settings / (4 * worker_count(client)))))


def chunk_cells(plan: Plan) -> int:
    """Cells per chunk: ``DEFAULT_CHUNK_CELLS``, fewer where a batch of that many starts in the
    problem's dimension would take more than ``CHUNK_BYTES`` (or a quarter of the memory
    available) for its arrays."""
    dim = plan.problem.build().dim
    state = len(get_optimizer(plan.optimizer).init(np.zeros(dim))) - 1
    per_cell = memory.working_bytes(1, dim, state)
    available = memory.available_memory()
    budget = CHUNK_BYTES if available is None else min(CHUNK_BYTES, available // 4)
    return int(max(1, min(DEFAULT_CHUNK_CELLS, budget // per_cell)))


def _listed(problems: object) -> list[object]:
    if isinstance(problems, list):
        if not problems:
            raise ValueError("problems must name at least one problem")
        return problems
    return [problems]


def _seeds(seeds: object) -> tuple[int, ...]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        count = _whole("seeds", seeds, 1)
        if count > MAX_CELLS:
            raise ValueError(f"seeds must be at most {MAX_CELLS:,}, not {count:,}")
        return tuple(range(count))
    if isinstance(seeds, Sequence | np.ndarray) and not isinstance(seeds, str):
        chosen = tuple(_whole("seeds", s, 0) for s in seeds)
        if chosen and len(set(chosen)) == len(chosen) and max(chosen) < 2**32:
            return chosen
    raise ValueError(
        f"seeds must be a count >= 1 or a list of distinct seeds in [0, 2**32), not {seeds!r}"
    )


def _fixed_for(optimizer: str, hyper: Mapping[str, object]) -> dict[str, object]:
    """The fixed hyperparameters that apply to ``optimizer``; any that apply to none is an error."""
    known = {h.name for h in OPTIMIZERS[optimizer].hyperparameters()}
    chosen = {}
    for key, value in hyper.items():
        target, dot, name = str(key).rpartition(".")
        if dot and target not in OPTIMIZERS:
            raise ValueError(f"hyper {key!r}: {target!r} is not an optimizer")
        if (not dot or target == optimizer) and name in known:
            chosen[name] = value
    return chosen


def _check_fixed(hyper: Mapping[str, object], names: list[str], grid: Grid) -> None:
    """Every fixed hyperparameter must belong to a swept optimizer and not be on the grid."""
    for key in hyper:
        target, dot, name = str(key).rpartition(".")
        owners = [target] if dot else names
        if not any(name in {h.name for h in OPTIMIZERS[o].hyperparameters()}
                   for o in owners if o in OPTIMIZERS):  # fmt: skip
            raise ValueError(f"hyper {key!r}: no swept optimizer ({', '.join(names)}) has it")
        if name in grid.names:
            raise ValueError(f"hyper {key!r} is also on the grid: sweep it or fix it, not both")


def _whole(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, not {value!r}")
    return int(value)


def _real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
