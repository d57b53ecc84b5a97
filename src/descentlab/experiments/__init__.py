"""The tutorials' and papers' claims, checked by experiments anyone can rerun.

Each experiment states a claim and where it comes from, runs a seeded design, draws one
figure and gives a verdict computed from its own data (``supported``, ``not supported`` or
``depends``, with the numbers that decide it)::

    >>> from descentlab import experiments
    >>> finding = experiments.run("step-size", quick=True)   # doctest: +SKIP
    >>> finding.verdict.outcome                              # doctest: +SKIP
    'supported'
"""

from __future__ import annotations

import os

from descentlab.experiments import (
    adam_amsgrad,
    crowded_valley,
    curvature,
    edge_of_stability,
    effective_step,
    flat_spots,
    learning_rate_free,
    logistic,
    muon_adamw,
    noisy_gradients,
    schedule_free,
    step_size,
    training,
)
from descentlab.experiments._base import (
    DEPENDS,
    NOT_SUPPORTED,
    SUPPORTED,
    Check,
    Experiment,
    Finding,
    Progress,
    Verdict,
)
from descentlab.experiments.store import FindingStore

EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        step_size,
        curvature,
        noisy_gradients,
        flat_spots,
        adam_amsgrad,
        effective_step,
        logistic,
        training,
        edge_of_stability,
        muon_adamw,
        schedule_free,
        learning_rate_free,
    )
} | crowded_valley.EXPERIMENTS_BY_NAME


def get(name: str) -> Experiment:
    """The experiment called ``name``; a clear error listing them otherwise."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}: choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def run(name: str, quick: bool = False, progress: Progress | None = None,
        store: str | os.PathLike | None = None) -> Finding:  # fmt: skip
    """Run the experiment ``name`` (``quick``: a smaller design that takes seconds); with
    ``store`` (a store's path, such as ``"descentlab.db"``) the finding is kept there too
    (read them back with ``FindingStore(path).findings()``)."""
    experiment = get(name)
    if store is None:
        return experiment(quick=quick, progress=progress)
    with FindingStore(store) as keeper:  # a bad store is refused before the run
        finding = experiment(quick=quick, progress=progress)
        keeper.save(finding)
    return finding


__all__ = [
    "DEPENDS",
    "EXPERIMENTS",
    "NOT_SUPPORTED",
    "SUPPORTED",
    "Check",
    "Experiment",
    "Finding",
    "FindingStore",
    "Progress",
    "Verdict",
    "get",
    "run",
]
