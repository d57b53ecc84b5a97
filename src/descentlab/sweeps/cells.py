"""The cells of a sweep and the one vectorized run that computes a chunk of them.

A cell is one (problem, optimizer, full setting, seed, iterations, target): the smallest unit
the store keeps. Its hash is the SHA-256 of its configuration as canonical JSON (sorted keys,
floats as their shortest exact repr; the problem as the digest of its key) followed by its
seed, so the same cell asked for by two sweeps is computed once. A chunk is any set of cells
of one plan; all of them go through :func:`descentlab.minimize` as one batch, one row per cell,
with the hyperparameters as arrays over the rows. Rows never interact, so a cell's numbers do
not depend on the chunk it ran in (the tests check this bit for bit).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descentlab.optimizers import OPTIMIZERS, get_optimizer
from descentlab.problems.starts import uniform_starts
from descentlab.results.result import Status
from descentlab.runner import Tolerance, minimize
from descentlab.sweeps.collector import collector_paused
from descentlab.sweeps.grid import Grid
from descentlab.sweeps.problems import SweepProblem, problem_digest
from descentlab.sweeps.texts import json_texts

#: Bump when what a cell's numbers mean or how cells are keyed changes, so old stores are not
#: mistaken for new. 2: a problem is hashed by its key's digest, and a user's own problem's key
#: holds the fingerprint of its values (version 1 keyed it by name, bounds and minimum only).
CELL_FORMAT = 2

#: The numbers a cell ends with, in the store's and the DataFrame's order.
METRICS = ("final_gap", "start_gap", "iterations", "gradients", "status", "seconds")


@dataclass(frozen=True)
class Plan:
    """Every setting of ``grid`` for one optimizer on one problem, from each seed's start."""

    problem: SweepProblem
    optimizer: str
    grid: Grid
    seeds: tuple[int, ...]
    n_iter: int
    target: float | None
    fixed: tuple[tuple[str, Any], ...] = ()
    engine: str = "numpy"
    _columns: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_settings(self) -> int:
        return len(self.grid)

    @property
    def n_cells(self) -> int:
        return self.n_settings * len(self.seeds)

    def columns(self) -> dict[str, np.ndarray]:
        """The swept hyperparameters, one value per setting (computed once)."""
        if not self._columns:
            self._columns.update(self.grid.columns())
        return self._columns

    def base_settings(self) -> dict[str, Any]:
        """Every hyperparameter of the optimizer not on the grid: the fixed ones or defaults."""
        defaults = {h.name: h.default for h in OPTIMIZERS[self.optimizer].hyperparameters()}
        settings = {**defaults, **dict(self.fixed)}
        built = get_optimizer(self.optimizer, **settings).settings()
        return {name: value for name, value in built.items() if name not in self.grid.names}

    @collector_paused()
    def cell_hashes(self) -> list[str]:
        """The hash of every cell, setting-major (setting 0 with each seed, then setting 1...)."""
        common = {
            "format": CELL_FORMAT,
            "problem": problem_digest(self.problem.key()),
            "optimizer": self.optimizer,
            "n_iter": self.n_iter,
            "target": self.target,
        }
        if self.engine != "numpy":  # equal to rounding, not bit for bit: kept apart
            common["engine"] = self.engine
        base, columns = OPTIMIZERS[self.optimizer].keyed(self.base_settings()), self.columns()

        def config(values):
            return {**common, "settings": {**base, **values}}

        texts = json_texts(config, columns, range(self.n_settings), separators=(",", ":"))
        seeds = [f"|seed={seed}".encode() for seed in self.seeds]
        hashes = []
        for text in texts:
            setting = hashlib.sha256(text.encode())
            for seed in seeds:  # the setting's text hashed once, each seed's tail after it
                cell = setting.copy()
                cell.update(seed)
                hashes.append(cell.hexdigest())
        return hashes


@dataclass(frozen=True)
class Chunk:
    """Cells of one plan to run together: flat cell indices (``setting * n_seeds + seed``)."""

    plan: Plan
    cells: np.ndarray


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk's run found, one entry per cell of the chunk."""

    cells: np.ndarray
    final_gap: np.ndarray
    start_gap: np.ndarray
    iterations: np.ndarray  # -1 where the target was not reached
    gradients: np.ndarray  # -1 where the target was not reached
    status: np.ndarray
    seconds: np.ndarray


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every cell of ``chunk`` as one batch of starts (the unit of work of a sweep)."""
    plan = chunk.plan
    problem = plan.problem.build()
    setting, seed_index = np.divmod(chunk.cells, len(plan.seeds))
    x0 = seed_starts(problem, plan.seeds)[seed_index]
    arrays = {name: values[setting] for name, values in plan.columns().items()}
    result = run_rows(problem, plan.optimizer, {**dict(plan.fixed), **arrays}, x0, plan.n_iter,
                      plan.target, plan.engine)  # fmt: skip
    return ChunkResult(np.asarray(chunk.cells), *result)


def seed_starts(problem, seeds) -> np.ndarray:
    """The tutorials' start ``lo + rand(d) * (hi - lo)`` of each seed, one row per seed."""
    return np.stack([uniform_starts(problem.bounds, None, seed) for seed in seeds])


def run_rows(problem, optimizer: str, hyperparameters: dict[str, Any], x0: np.ndarray,
             n_iter: int, target: float | None,
             engine: str | None = None) -> tuple[np.ndarray, ...]:  # fmt: skip
    """One batch: row ``k`` starts at ``x0[k]`` with the ``k``-th value of each array
    hyperparameter. Returns final gap, start gap, iterations and gradients to the target (-1:
    not reached), status and each row's share of the wall time."""
    optimizer_ = get_optimizer(optimizer, **hyperparameters)
    floor = problem.minimum if problem.minimum is not None else 0.0
    tol = None if target is None else Tolerance(fun=target)
    began = time.perf_counter()
    result = minimize(problem, optimizer_, n_iter=n_iter, x0=x0, tol=tol, record="none",
                      engine=engine)  # fmt: skip
    seconds = time.perf_counter() - began
    reached = result.status == Status.CONVERGED.value
    iterations = np.where(reached, result.nit, -1)
    return (
        np.asarray(result.fun, dtype=float) - floor,
        np.asarray(problem.f(x0), dtype=float) - floor,
        iterations,
        iterations.copy(),  # one gradient per update for every optimizer here
        np.asarray(result.status, dtype=object),
        np.full(len(x0), seconds / max(len(x0), 1)),
    )
