"""The training benchmark: which optimizer, with how much tuning, for a network.

- :mod:`~descentlab.benchmarking.training.workloads`: the workloads (data in
  :mod:`~descentlab.benchmarking.training.data`, DeepOBS's quadratic in
  :mod:`~descentlab.benchmarking.training.quadratic_deep`);
- :mod:`~descentlab.benchmarking.training.protocol`: AlgoPerf's external-tuning and
  self-tuning rulesets and its score;
- :mod:`~descentlab.benchmarking.training.harness`: one study as one batched run;
- :mod:`~descentlab.benchmarking.training.suite`: the tiers, targets, store and resume;
- :mod:`~descentlab.benchmarking.training.results`: times, scores and metrics.

``dl.benchmark("training", tier="quick")`` or ``descentlab benchmark --suite training --quick``.
"""

from __future__ import annotations

from descentlab.benchmarking.training.budgets import SCHEDULES
from descentlab.benchmarking.training.results import TrainingResults
from descentlab.benchmarking.training.store import TrainingStore
from descentlab.benchmarking.training.suite import TIERS, run_training_suite
from descentlab.benchmarking.training.workloads import WORKLOADS, Workload, get_workload


def training_benchmark(tier: str = "default", *, optimizers=None, workloads=None, store=None,
                       engine=None, progress=None, targets=None,
                       rulesets=("external", "self"), schedules=SCHEDULES, workers=None,
                       client=None) -> TrainingResults:  # fmt: skip
    """:func:`~descentlab.benchmarking.training.suite.run_training_suite` with ``store`` a
    :class:`TrainingStore` or a path (opened and closed here)."""
    own = store is not None and not isinstance(store, TrainingStore)
    opened = TrainingStore(store) if own else store
    try:
        return run_training_suite(tier, optimizers=optimizers, workloads=workloads,
                                  targets=targets, store=opened, engine=engine or "numpy",
                                  rulesets=rulesets, schedules=schedules, workers=workers,
                                  client=client, progress=progress)  # fmt: skip
    finally:
        if own:
            opened.close()


__all__ = ["TIERS", "WORKLOADS", "TrainingResults", "TrainingStore", "Workload", "get_workload",
           "run_training_suite", "training_benchmark"]  # fmt: skip
