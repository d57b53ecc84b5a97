"""The rules of the training benchmark (AlgoPerf's, Dahl et al. 2023, on this lab's scale).

- **External tuning**: each optimizer has one search space for every workload (its step size,
  log-uniform from ``10^-1.5`` to ``10^2`` times its default; the other hyperparameters at
  their defaults); a study draws 5 trials from it quasi-randomly (a scrambled Halton sequence
  seeded by the study), and there are 3 studies. A workload's time is the median over studies
  of the fastest trial of each study to reach the validation target (never reached: infinite).
- **Self-tuning**: no hyperparameters, the defaults; 1.5 times the step budget; the time is
  the median over 3 studies (seeds).
- **Score**: per ruleset, each optimizer's time on a workload over the best optimizer's time
  there is its ratio ``r``; the performance profile ``rho(tau)`` is the share of workloads with
  ``r <= tau``, and the score is its integral from 1 to ``tau_max = 4`` over 3 (1: fastest
  everywhere; 0: never within 4 times the fastest).
"""

from __future__ import annotations

import math

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.optimizers import OPTIMIZERS

RULESETS = ("external", "self")
STUDIES, TRIALS = 3, 5
SPAN = (10**-1.5, 10**2)
SELF_BUDGET = 1.5
TAU_MAX = 4.0


def default_step(entrant: Entrant) -> float:
    """The optimizer's default step size (its inner optimizer's, for a wrapper)."""
    name = entrant.step_name
    optimizer = OPTIMIZERS[entrant.optimizer]()
    value = getattr(optimizer.inner, name[len("inner.") :]) if name.startswith("inner.") else \
        getattr(optimizer, name)  # fmt: skip
    return float(getattr(value, "initial", value))


def search_space(entrant: Entrant) -> tuple[str, float, float]:
    """The step size's name and its log-uniform range."""
    default = default_step(entrant)
    return entrant.step_name, default * SPAN[0], default * SPAN[1]


def trial_steps(entrant: Entrant, study: int, trials: int = TRIALS) -> np.ndarray:
    """The ``trials`` step sizes of ``study``: scrambled Halton points on the log range."""
    from scipy.stats import qmc

    _, low, high = search_space(entrant)
    unit = qmc.Halton(d=1, scramble=True, seed=study).random(trials)[:, 0]
    return np.exp(np.log(low) + unit * (np.log(high) - np.log(low)))


def steps_to_target(steps: np.ndarray, metric: np.ndarray, target: float,
                    higher_is_better: bool) -> np.ndarray:  # fmt: skip
    """For each column of ``metric`` (``(K, n)``, measured at ``steps``), the first step at
    which it reaches ``target``; ``inf`` where it never does (NaN never reaches)."""
    with np.errstate(invalid="ignore"):
        reached = metric >= target if higher_is_better else metric <= target
    first = np.argmax(reached, axis=0)
    return np.where(reached.any(axis=0), np.asarray(steps, dtype=float)[first], np.inf)


def external_time(times: np.ndarray) -> float:
    """``times`` ``(studies, trials)``: the median over studies of each study's fastest."""
    return float(np.median(np.min(times, axis=1)))


def self_time(times: np.ndarray) -> float:
    """``times`` ``(studies,)``: their median."""
    return float(np.median(times))


def ratios(times: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """``times[entrant][workload]`` over the fastest entrant's time on that workload (``inf``
    where an entrant, or every entrant, never reached the target)."""
    workloads = {w for per in times.values() for w in per}
    best = {w: min(per.get(w, math.inf) for per in times.values()) for w in workloads}
    return {entrant: {w: (t / best[w] if math.isfinite(t) and math.isfinite(best[w])
                          and best[w] > 0 else (1.0 if t == best[w] == 0 else math.inf))
                      for w, t in per.items()}
            for entrant, per in times.items()}  # fmt: skip


def profile(workload_ratios: list[float], taus: np.ndarray) -> np.ndarray:
    """``rho(tau)``: the share of workloads whose ratio is at most each ``tau``."""
    r = np.asarray(workload_ratios, dtype=float)
    return np.mean(r[None, :] <= np.asarray(taus)[:, None], axis=1)


def algoperf_score(workload_ratios: list[float], tau_max: float = TAU_MAX) -> float:
    """The profile integrated from 1 to ``tau_max``, over ``tau_max - 1`` (exact: the profile
    is a step function)."""
    r = np.maximum(np.asarray(workload_ratios, dtype=float), 1.0)
    return float(np.mean(np.where(r <= tau_max, tau_max - r, 0.0)) / (tau_max - 1.0))
