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

from descentlab.experiments import (
    adam_amsgrad,
    curvature,
    effective_step,
    flat_spots,
    logistic,
    noisy_gradients,
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
    )
}


def get(name: str) -> Experiment:
    """The experiment called ``name``; a clear error listing them otherwise."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}: choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def run(name: str, quick: bool = False, progress: Progress | None = None) -> Finding:
    """Run the experiment ``name`` (``quick``: a smaller design that takes seconds)."""
    return get(name)(quick=quick, progress=progress)


__all__ = [
    "DEPENDS",
    "EXPERIMENTS",
    "NOT_SUPPORTED",
    "SUPPORTED",
    "Check",
    "Experiment",
    "Finding",
    "Progress",
    "Verdict",
    "get",
    "run",
]
