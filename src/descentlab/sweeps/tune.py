"""``tune(problem, optimizer, space, budget)``: Optuna's TPE, its trials run in batches.

Optuna asks for ``batch`` trials at a time; their settings become array hyperparameters of one
vectorized run (every trial from every seed's start), and each trial is told its score. A trial
whose starts mostly diverge or grow is told it was pruned: the runner stopped its diverged
starts the moment they did, and TPE learns to avoid the region without a number that would
distort its model.

Scores (lower is better; the median over seeds, or with ``over="worst"`` the worst seed, for
settings that must work from every start):

- ``iterations``: iterations to ``f - f* <= target``; a start that does not reach it costs
  ``n_iter`` plus ``n_iter`` for every decade its final gap is above the target, so settings
  that fail still rank by how close they came;
- ``gap``: ``log10`` of the final ``f - f*``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.optimizers import OPTIMIZERS
from descentlab.sweeps.cells import run_rows, seed_starts
from descentlab.sweeps.grid import check_grid, numeric_hyperparameters, parse_axis
from descentlab.sweeps.problems import as_sweep_problem
from descentlab.sweeps.sweep import _fixed_for, _seeds, _whole

METRICS = ("iterations", "gap")
AGGREGATES = ("median", "worst")
NEEDS_OPTUNA = "tuning needs Optuna: pip install 'descentlab[tune]'"


class NoTrialScored(ValueError):
    """Every trial was pruned (its starts diverged or grew): no setting has a score."""


@dataclass(frozen=True)
class Range:
    """Where a hyperparameter is searched: ``log:LO:HI``, ``lin:LO:HI`` or listed values."""

    name: str
    kind: str  # "log", "lin" or "choice"
    low: float = 0.0
    high: float = 0.0
    choices: tuple[float, ...] = ()

    def distribution(self):
        optuna = _optuna()
        if self.kind == "choice":
            return optuna.distributions.CategoricalDistribution(self.choices)
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.kind == "log")


def parse_range(name: str, spec: object) -> Range:
    """A search range from ``log:1e-5:1``, ``lin:0:0.99`` or ``0.9,0.99`` (or a list)."""
    if isinstance(spec, str) and spec.strip().startswith(("log:", "lin:")):
        kind, *parts = spec.strip().split(":")
        if len(parts) != 2:
            raise ValueError(f"space of {name}: expected {kind}:LO:HI (a range has no count), "
                             f"got {spec!r}")  # fmt: skip
        low, high = parse_axis(name, f"{parts[0]},{parts[1]}").values
        if not low < high:
            raise ValueError(f"space of {name}: LO must be below HI, got {spec!r}")
        if kind == "log" and low <= 0:
            raise ValueError(f"space of {name}: a log range needs LO > 0, got {spec!r}")
        return Range(name, kind, low, high)
    return Range(name, "choice", choices=parse_axis(name, spec).values)


def default_space(optimizer: str) -> dict[str, str]:
    """The space ``compare --tune`` searches: the step size on a log scale from 1e-5 to 1 (for
    a learning-rate-free method, whose step size multiplies its own estimate, from 0.01 to
    10), and the momentum from 0 to 0.99 where the optimizer has one."""
    cls = OPTIMIZERS[optimizer]
    infos = cls.hyperparameters()
    scale = "log:0.01:10" if cls.family == "learning-rate-free" else "log:1e-5:1"
    space = {h.name: scale for h in infos if h.schedule}
    if not space:  # a wrapper (Lookahead, SAM): the step is its inner optimizer's
        raise ValueError(f"{optimizer} has no step size of its own (it wraps another "
                         "optimizer), so there is no default space to tune: give one of its "
                         "own hyperparameters, or tune the optimizer it wraps")  # fmt: skip
    if any(h.name == "momentum" for h in infos):
        space["momentum"] = "lin:0:0.99"
    return space


@dataclass
class Tuning:
    """What :func:`tune` found.

    best : the best trial's settings; best_score : its score.
    trials : DataFrame, one row per trial (number, settings, score, state, reached).
    reference : DataFrame comparing the best settings with the defaults and, where a tutorial
        used this optimizer, the tutorial's settings, on the same seeds.
    """

    optimizer: str
    best: dict[str, float]
    best_score: float
    trials: Any
    reference: Any
    metric: str


def tune(
    problem: object,
    optimizer: str,
    space: Mapping[str, object] | None = None,
    budget: int = 64,
    *,
    metric: str = "iterations",
    seeds: int | list[int] = 5,
    n_iter: int = 500,
    target: float = 1e-8,
    batch: int = 16,
    seed: int = 0,
    over: str = "median",
    hyper: Mapping[str, object] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Tuning:
    """Search ``space`` for the settings of ``optimizer`` that score best on ``problem``.

    ``space`` maps hyperparameters to ranges (``{"step_size": "log:1e-5:1", "momentum":
    "lin:0:0.99"}``; default :func:`default_space`); ``budget`` is the number of trials, asked
    ``batch`` at a time; ``seed`` seeds the sampler, so a tuning repeats exactly.
    """
    optuna = _optuna()
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {optimizer!r}")
    space = default_space(optimizer) if space is None else space
    ranges = [parse_range(n, s) for n, s in space.items()]
    _check_space(ranges, optimizer)
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if over not in AGGREGATES:
        raise ValueError(f"over must be one of {', '.join(AGGREGATES)}, not {over!r}")
    budget, batch = _whole("budget", budget, 1), _whole("batch", batch, 1)
    if (
        isinstance(target, bool)
        or not isinstance(target, int | float)
        or not (math.isfinite(target) and target > 0)
    ):
        raise ValueError(f"target must be a finite number > 0 (a score counts the decades a "
                         f"start ends above it), not {target!r}")  # fmt: skip
    spec = as_sweep_problem(problem)
    built = spec.build()
    if built.minimum is None:
        raise ValueError(
            f"tuning needs the known minimum of {spec.label}, which has none: "
            "give it (Problem(..., minimum=...); on the command line --minimum)"
        )
    run = _Evaluator(built, optimizer, _fixed_for(optimizer, hyper or {}), _seeds(seeds),
                     _whole("n_iter", n_iter, 1), float(target), metric, over)  # fmt: skip
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))  # fmt: skip
    distributions = {r.name: r.distribution() for r in ranges}
    told = 0
    while told < budget:
        trials = [study.ask(distributions) for _ in range(min(batch, budget - told))]
        scores, shaky, _ = run.scores([t.params for t in trials])
        for trial, score, bad in zip(trials, scores, shaky, strict=True):
            if bad:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            else:
                study.tell(trial, float(score))
        told += len(trials)
        if progress is not None:
            progress(told, budget, f"tuning {optimizer}")
    return _report(study, run, optimizer, metric)


class _Evaluator:
    """Scores settings: all of them, from every seed's start, in one batch."""

    def __init__(self, problem, optimizer, fixed, seeds, n_iter, target, metric, over) -> None:
        self.problem, self.optimizer, self.fixed = problem, optimizer, fixed
        self.starts = seed_starts(problem, seeds)
        self.n_iter, self.target, self.metric = n_iter, target, metric
        self.aggregate = np.median if over == "median" else np.max

    def scores(self, settings: list[dict[str, float]]):
        """Per setting: score, whether most starts diverged or grew, and how many reached."""
        n_seeds = len(self.starts)
        names = sorted({name for s in settings for name in s})
        arrays = {name: np.repeat([s[name] for s in settings], n_seeds) for name in names}
        x0 = np.tile(self.starts, (len(settings), 1))
        gap, start_gap, iterations, _, status, _ = run_rows(
            self.problem, self.optimizer, {**self.fixed, **arrays}, x0, self.n_iter, self.target
        )
        cost = self._cost(gap, iterations).reshape(len(settings), n_seeds)
        unstable = ((status == "diverged") | (gap > start_gap)).reshape(len(settings), n_seeds)
        reached = (iterations >= 0).reshape(len(settings), n_seeds).sum(axis=1)
        return self.aggregate(cost, axis=1), unstable.mean(axis=1) > 0.5, reached

    def _cost(self, gap: np.ndarray, iterations: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            decades = np.log10(np.maximum(gap, 1e-300))
        decades = np.where(np.isfinite(decades), decades, np.inf)
        if self.metric == "gap":
            return decades
        short = np.maximum(decades - math.log10(self.target), 0.0)
        return np.where(iterations >= 0, iterations, self.n_iter * (1.0 + short))


def _report(study, run: _Evaluator, optimizer: str, metric: str) -> Tuning:
    import pandas as pd

    optuna = _optuna()
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not done:
        raise NoTrialScored(
            f"every trial of {optimizer} diverged: narrow the space towards smaller steps"
        )
    best = min(done, key=lambda t: (t.value, t.number))
    trials = pd.DataFrame([{"trial": t.number, **t.params, "score": t.value,
                            "state": t.state.name.lower()} for t in study.trials])  # fmt: skip
    defaults = numeric_hyperparameters(optimizer)
    searched = {name: defaults[name] for name in best.params}
    labelled = {"tuned": dict(best.params), "defaults": searched}
    tutorial = _tutorial_settings(optimizer, best.params)
    if tutorial:
        labelled["tutorial"] = {**searched, **tutorial}
    scores, shaky, reached = run.scores(list(labelled.values()))
    reference = pd.DataFrame([
        {"settings": label, **_shown(optimizer, values), "score": score, "reached": int(r),
         "seeds": len(run.starts), "unstable": bool(bad)}
        for (label, values), score, bad, r in zip(labelled.items(), scores, shaky, reached,
                                                  strict=True)
    ])  # fmt: skip
    return Tuning(optimizer, dict(best.params), float(best.value), trials, reference, metric)


def _tutorial_settings(optimizer: str, searched: Mapping[str, float]) -> dict[str, float]:
    """The first tutorial's values of the searched hyperparameters, if it used this optimizer."""
    from descentlab.tutorials import TUTORIALS

    for tutorial in TUTORIALS.values():
        if tutorial.optimizer.name == optimizer:
            settings = tutorial.optimizer.settings()
            return {name: settings[name] for name in searched if name in settings}
    return {}


def _shown(optimizer: str, values: Mapping[str, float]) -> dict[str, float]:
    """Every numeric hyperparameter: the given value or the default."""
    return {**numeric_hyperparameters(optimizer), **values}


def _check_space(ranges: list[Range], optimizer: str) -> None:
    from descentlab.sweeps.grid import Axis, Grid

    if not ranges:
        raise ValueError("space must name at least one hyperparameter to tune")
    check_grid(Grid(tuple(Axis(r.name, (0.0,), "list") for r in ranges)), [optimizer])


def _optuna():
    try:
        import optuna
    except ImportError:
        raise ImportError(NEEDS_OPTUNA) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna
