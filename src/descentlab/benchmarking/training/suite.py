"""The training suite: every entrant on every workload under both rulesets, resumable.

``quick`` (about a minute: three small workloads, three optimizers, 3 trials a study),
``default`` (the nine workloads and the AlgoPerf baselines with a few newer optimizers, within
ten minutes on 2 cores), ``full`` (every registered optimizer). Targets come from
``targets.json`` (set once by ``scripts/training_targets.py`` from the tuned baselines, as
AlgoPerf sets them) unless given.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any, NamedTuple

from descentlab._version import __version__
from descentlab.benchmarking.entrants import parse_entrants
from descentlab.benchmarking.training.budgets import (
    BUDGETS,
    SCHEDULES,
    run_budget_cell,
    schedules_for,
)
from descentlab.benchmarking.training.harness import SEED, plan, run_cell
from descentlab.benchmarking.training.natives import NATIVES, native_entrant
from descentlab.benchmarking.training.protocol import RULESETS
from descentlab.benchmarking.training.results import TrainingResults
from descentlab.benchmarking.training.store import TrainingStore, cell_hash
from descentlab.benchmarking.training.workloads import WORKLOADS, get_workload, target_floor

BASELINES = ("adamw", "nadam", "nesterov", "momentum")
TIERS: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    "quick": (("least-squares-diabetes", "softmax-digits", "mlp-digits"),
              ("adam", "nesterov", "schedule-free-adamw")),
    "default": (tuple(WORKLOADS), (*BASELINES, "schedule-free-adamw", "muon", "prodigy")),
    "full": (tuple(WORKLOADS), None),  # None: every registered optimizer
}  # fmt: skip


def committed_targets() -> dict[str, float]:
    text = resources.files("descentlab.benchmarking.training").joinpath("targets.json")
    return {k: float(v) for k, v in json.loads(text.read_text())["targets"].items()}


def check_targets(targets: dict[str, float], workloads: Sequence[str]) -> None:
    """Every workload has a target its metric can reach: accuracy in (0, 1], a loss above
    the split's floor (where known)."""
    for name in workloads:
        if name not in targets:
            raise ValueError(f"no target for workload {name!r}: give one, or run "
                             "scripts/training_targets.py")  # fmt: skip
        value, workload = targets[name], get_workload(name)
        if not math.isfinite(value):
            raise ValueError(f"target of {name!r} must be a finite number, not {value!r}")
        if workload.higher_is_better and not 0 < value <= 1:
            raise ValueError(f"target of {name!r} is an accuracy: it must be in (0, 1], "
                             f"not {value!r}")  # fmt: skip
        floor = target_floor(workload)
        if not workload.higher_is_better and value <= floor:
            raise ValueError(f"target of {name!r} ({value!r}) is at or below the lowest "
                             f"validation loss any parameters reach ({floor:.6g}): it cannot "
                             "be reached")  # fmt: skip


class Job(NamedTuple):
    """One cell to run: what a Dask worker is handed (plain, picklable)."""

    workload: str
    entrant: Any
    ruleset: str
    schedule: str | None
    target: float
    quick: bool
    engine: str

    def definition(self, suite: str) -> dict[str, Any]:
        """What the cell's store key is the hash of."""
        workload = get_workload(self.workload)
        plain = {"suite": suite, "workload": self.workload, "steps": workload.steps,
                 "batch_size": workload.batch_size, "entrant": self.entrant.label,
                 "ruleset": self.ruleset, "seed": SEED,
                 "plan": plan(self.entrant, self.ruleset, self.quick) if self.schedule is None
                 else BUDGETS, "target": self.target, "engine": self.engine,
                 "version": __version__}  # fmt: skip
        return plain | ({"schedule": self.schedule} if self.schedule else {})

    @property
    def label(self) -> str:
        where = f", {self.schedule}" if self.schedule else ""
        return f"{self.entrant.label} on {self.workload} ({self.ruleset}{where})"


def run_job(job: Job) -> dict[str, Any]:
    workload = get_workload(job.workload)
    if job.schedule is not None:
        return run_budget_cell(workload, job.entrant, job.engine, job.schedule)
    return run_cell(workload, job.entrant, job.ruleset, job.target, job.quick, job.engine)


def run_training_suite(tier: str = "default", *, optimizers: Sequence[str] | None = None,
                       workloads: Sequence[str] | None = None,
                       rulesets: Sequence[str] = RULESETS,
                       targets: dict[str, float] | None = None, store=None,
                       engine: str = "numpy", schedules: Sequence[str] = SCHEDULES,
                       workers: int | None = None, client: object = None,
                       progress=None) -> TrainingResults:  # fmt: skip
    """Run the suite (cells already in ``store`` are read, not rerun) and its results;
    ``schedules`` are the budgets' step-size schedules; ``workers`` (a local Dask cluster on
    127.0.0.1) or ``client`` run the cells in parallel, each written to the store as it
    finishes; ``progress(done, total, label)`` is told of every cell."""
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
    names, default_entrants = TIERS[tier]
    names = list(workloads) if workloads is not None else list(names)
    for name in names:
        get_workload(name)
    from descentlab.optimizers import OPTIMIZERS

    entrants = _entrants(optimizers or default_entrants or list(OPTIMIZERS))
    for ruleset in rulesets:
        if ruleset not in (*RULESETS, "budgets"):
            raise ValueError(f"ruleset must be one of {', '.join(RULESETS)}, budgets, not "
                             f"{ruleset!r}")  # fmt: skip
    _check_schedules(schedules)
    targets = {**committed_targets(), **(targets or {})}
    check_targets(targets, names)
    suite = f"training-{tier}"
    kept = store if isinstance(store, TrainingStore) else None
    if kept is not None:
        _check_store(kept, suite)
    jobs = [Job(w, e, r, schedule, targets[w], tier == "quick", engine)
            for w in names for e in entrants for r in rulesets
            for schedule in (schedules_for(e, schedules) if r == "budgets" else
                             (None,))]  # fmt: skip
    keys = [cell_hash(job.definition(suite)) for job in jobs]
    cells = [kept.done(key) if kept is not None else None for key in keys]
    pending = [k for k, cell in enumerate(cells) if cell is None]
    _tell(progress, len(jobs) - len(pending), len(jobs), "stored cells")
    from descentlab.sweeps.distributed import cluster

    with cluster(client, workers if pending else None) as dask_client:  # none: all stored
        for done, (k, cell) in enumerate(_each(pending, jobs, dask_client), start=1):
            if kept is not None:
                kept.keep(keys[k], suite, cell)
            cells[k] = cell
            _tell(progress, len(jobs) - len(pending) + done, len(jobs), jobs[k].label)
    return TrainingResults(cells, {n: targets[n] for n in names}, tier)


def _each(pending: list[int], jobs: list[Job], client) -> Iterator[tuple[int, dict]]:
    """``(index, cell)`` of each pending job: here in order, or from Dask as they finish."""
    if client is None:
        for k in pending:
            yield k, run_job(jobs[k])
        return
    from descentlab.sweeps.distributed import run_on

    for index, cell in run_on(client, [jobs[k] for k in pending], run_job):
        yield pending[index], cell


def _tell(progress, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress(done, total, label)


def _check_schedules(schedules: Sequence[str]) -> None:
    unknown = [s for s in schedules if s not in SCHEDULES]
    if unknown or not schedules:
        raise ValueError(f"schedules must be some of {', '.join(SCHEDULES)}, not "
                         f"{', '.join(map(repr, unknown)) or 'none'}")  # fmt: skip


def _entrants(names: Sequence[str]) -> list:
    """Registered optimizers (``adam``, ``gd+armijo``) and PyTorch's natives as controls
    (``torch.adam``, ``torch.sgd-momentum``)."""
    names = [names] if isinstance(names, str) else list(names)
    natives = [native_entrant(n) for n in names if n in NATIVES]
    return parse_entrants([n for n in names if n not in NATIVES]) + natives if \
        len(natives) < len(names) else natives  # fmt: skip


def _check_store(store: TrainingStore, suite: str) -> None:
    """A store that holds another suite's training cells, or another benchmark, is refused:
    its results stay as they are."""
    others = store.suites() - {suite}
    benchmarks = []
    if "benchmarks" in store.tables():
        with store._reading() as db:
            benchmarks = db.execute("SELECT name FROM benchmarks").fetchall()
    held = sorted(others) + [f"benchmark {row[0]!r}" for row in benchmarks]
    if held:
        raise ValueError(f"store {store.path!r} holds {', '.join(held)}, not {suite}: give "
                         "another --store (nothing in it was changed)")  # fmt: skip
