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
from collections.abc import Sequence
from importlib import resources

from descentlab._version import __version__
from descentlab.benchmarking.entrants import parse_entrants
from descentlab.benchmarking.training.budgets import BUDGETS, run_budget_cell
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


def run_training_suite(tier: str = "default", *, optimizers: Sequence[str] | None = None,
                       workloads: Sequence[str] | None = None,
                       rulesets: Sequence[str] = RULESETS,
                       targets: dict[str, float] | None = None, store=None,
                       engine: str = "numpy", progress=None) -> TrainingResults:  # fmt: skip
    """Run the suite (cells already in ``store`` are read, not rerun) and its results;
    ``progress(done, total, label)`` is told of every cell."""
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
    targets = {**committed_targets(), **(targets or {})}
    check_targets(targets, names)
    suite = f"training-{tier}"
    if isinstance(store, TrainingStore):
        _check_store(store, suite)
    quick = tier == "quick"
    cells = []
    jobs = [(w, e, r) for w in names for e in entrants for r in rulesets]
    for done, (name, entrant, ruleset) in enumerate(jobs, start=1):
        workload = get_workload(name)
        definition = {"suite": suite, "workload": name, "steps": workload.steps,
                      "batch_size": workload.batch_size, "entrant": entrant.label,
                      "ruleset": ruleset, "seed": SEED,
                      "plan": plan(entrant, ruleset, quick) if ruleset in RULESETS else BUDGETS,
                      "target": targets[name], "engine": engine,
                      "version": __version__}  # fmt: skip
        key = cell_hash(definition)
        cell = store.done(key) if isinstance(store, TrainingStore) else None
        if cell is None:
            cell = run_budget_cell(workload, entrant, engine) if ruleset == "budgets" else \
                run_cell(workload, entrant, ruleset, targets[name], quick, engine)  # fmt: skip
            if isinstance(store, TrainingStore):
                store.keep(key, suite, cell)
        cells.append(cell)
        if progress is not None:
            progress(done, len(jobs), f"{entrant.label} on {name} ({ruleset})")
    return TrainingResults(cells, {n: targets[n] for n in names}, tier)


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
