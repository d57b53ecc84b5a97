"""The crowded valley's claims (Schmidt, Schneider & Hennig, ICML 2021) as checks on a training
suite's own data: each verdict is computed from the numbers of the run it reads, every time.

- *No optimizer dominates every workload*: no entrant is, on every workload, better than every
  other at the large budget (its test metric's 95% interval over the evaluation seeds wholly
  better than each other's).
- *A larger tuning budget helps more than switching optimizer*: on a workload, the median over
  entrants of the gain from one-shot to the large budget is at least the median over entrants
  of the gain from switching, one-shot, to the best one-shot entrant.
- *Schedule-free without a schedule matches a tuned cosine* (Defazio et al. 2024's claim):
  on a workload, schedule-free AdamW (or SGD) at the large budget, no schedule, is not
  clearly worse than AdamW (or heavy-ball momentum) with a cosine schedule at the large
  budget: its test metric's 95% interval is not wholly below the other's.

The first two read the constant schedule's cells (each optimizer as the paper's constant-step
baseline); the third the cosine's. The ``schedule-free`` experiment
(:mod:`descentlab.experiments.schedule_free`) asks the third on its own, with more seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.benchmarking.training.results import TrainingResults
from descentlab.benchmarking.training.workloads import get_workload


@dataclass(frozen=True)
class Claim:
    """A claim, the checks its verdict follows from (condition, holds, evidence), the verdict."""

    claim: str
    checks: list[tuple[str, bool, str]]

    @property
    def verdict(self) -> str:
        held = [holds for _, holds, _ in self.checks]
        if not held:
            return "not tested"
        return "supported" if all(held) else "not supported" if not any(held) else "depends"


#: A schedule-free optimizer and the optimizer whose tuned cosine it claims to match.
SCHEDULE_FREE_TWINS = {"schedule-free-adamw": "adamw", "schedule-free-sgd": "momentum"}


def _signed(results: TrainingResults, budget: str,
            schedule: str = "constant") -> dict[str, dict[str, list[float]]]:  # fmt: skip
    """``[workload][entrant]``: the test metric's median, low and high at ``budget`` under
    ``schedule``, signed so that higher is better (so a loss's interval comes back as
    ``[-median, -high, -low]``)."""
    out: dict[str, dict[str, list[float]]] = {}
    for row in results.budgets():
        if row["budget"] == budget and row["schedule"] == schedule:
            median, low, high = row["test"]
            signed = [median, low, high] if get_workload(row["workload"]).higher_is_better \
                else [-median, -high, -low]  # fmt: skip
            out.setdefault(row["workload"], {})[row["entrant"]] = signed
    return out


def _medians(results: TrainingResults, budget: str) -> dict[str, dict[str, float]]:
    return {w: {e: v[0] for e, v in per.items()} for w, per in _signed(results, budget).items()}


def _clear_winner(per: dict[str, list[float]]) -> str | None:
    """The entrant whose interval lies wholly above every other's, if one does."""
    for entrant, (_, low, _) in per.items():
        if all(low > other[2] for name, other in per.items() if name != entrant):
            return entrant
    return None


def no_optimizer_dominates(results: TrainingResults) -> Claim:
    large = _signed(results, "large")
    winners = {w: _clear_winner(per) for w, per in large.items()}
    found = set(winners.values())
    dominating = [e for e in found if e is not None] if len(found) == 1 else []
    evidence = "; ".join(f"{w}: {e or 'no clear winner (intervals overlap)'}"
                         for w, e in winners.items())  # fmt: skip
    if dominating:
        evidence += f" (dominates: {dominating[0]})"
    checks = [] if len(large) < 2 or len(results.entrants) < 2 else [
        ("no entrant is clearly best at the large budget on every workload", not dominating,
         evidence)]  # fmt: skip
    return Claim("No optimizer dominates every workload.", checks)


def budget_beats_switching(results: TrainingResults) -> Claim:
    one_shot, large = _medians(results, "one-shot"), _medians(results, "large")
    checks = []
    for workload, per in one_shot.items():
        if len(per) < 2:
            continue
        tuning_gain = float(np.median([large[workload][e] - v for e, v in per.items()]))
        best = max(per.values())
        switching_gain = float(np.median([best - v for v in per.values()]))
        checks.append((f"on {workload}, tuning (one-shot to 25 trials) gains at least as much "
                       "as switching to the best one-shot optimizer",
                       tuning_gain >= switching_gain,
                       f"median gain from tuning {tuning_gain:.4g}, from switching "
                       f"{switching_gain:.4g} (test metric, higher is better)"))  # fmt: skip
    return Claim("A larger tuning budget helps more than switching optimizer.", checks)


def schedule_free_matches_cosine(results: TrainingResults) -> Claim:
    free, cosine = _signed(results, "large"), _signed(results, "large", "cosine")
    checks = []
    for workload, per in free.items():
        for name, twin in SCHEDULE_FREE_TWINS.items():
            if name not in per or twin not in cosine.get(workload, {}):
                continue
            (m, low, high), (m2, low2, high2) = per[name], cosine[workload][twin]
            sign = 1.0 if get_workload(workload).higher_is_better else -1.0
            checks.append((f"on {workload}, {name} (no schedule) is not clearly worse than "
                           f"{twin} with a tuned cosine", high >= low2,
                           f"test metric {sign * m:.4g} [{_ends(sign, low, high)}] against "
                           f"{sign * m2:.4g} [{_ends(sign, low2, high2)}]"))  # fmt: skip
    return Claim("Schedule-free without a schedule matches a tuned cosine.", checks)


def _ends(sign: float, low: float, high: float) -> str:
    """A signed interval's ends as the metric's own, lower first."""
    ends = sorted((sign * low, sign * high))
    return f"{ends[0]:.4g}, {ends[1]:.4g}"


def claims(results: TrainingResults) -> list[Claim]:
    return [no_optimizer_dominates(results), budget_beats_switching(results),
            schedule_free_matches_cosine(results)]  # fmt: skip
