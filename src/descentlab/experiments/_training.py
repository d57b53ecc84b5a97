"""Training as the ML-optimizer papers report it: minibatches, a step size tuned per method on
tuning seeds the evaluation never uses, then seeded replicates at the tuned step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import descentlab as dl
from descentlab.results.statistics import Summary, median_interval

BATCH = 64


def starts(problem, replicates: int, seed: int, zero: bool) -> np.ndarray:
    """Each replicate's start: ``x = 0`` (a convex problem), or drawn in the problem's box
    from ``seed`` (a network: Glorot's initialization)."""
    if zero:
        return np.zeros((replicates, problem.dim))
    return dl.uniform_starts(problem.bounds, replicates, seed)


def train(problem, make, steps: np.ndarray, epochs: int, seed: int,
          zero: bool = True) -> dl.Result:  # fmt: skip
    """One batch: every row its own step size, its own start and its own minibatch stream;
    the full training objective recorded once per epoch."""
    per_epoch = -(-problem.n_examples // BATCH)
    return dl.minimize(
        problem,
        make(steps),
        n_iter=epochs * per_epoch,
        x0=starts(problem, steps.size, seed, zero),
        seed=seed,
        batch_size=BATCH,
        record=per_epoch,
    )


def tune(problem, make, grid: np.ndarray, epochs: int, replicates: int, zero: bool = True):
    """The grid step with the lowest median final objective (less ``f*`` where known) over
    tuning replicates (seed 1, which the evaluation's seed 0 never meets)."""
    result = train(problem, make, np.repeat(grid, replicates), epochs, seed=1, zero=zero)
    floor = problem.minimum if problem.minimum is not None else 0.0
    gaps = (result.fun - floor).reshape(len(grid), replicates)
    medians = np.median(np.where(np.isnan(gaps), np.inf, gaps), axis=1)
    return float(grid[int(np.argmin(medians))]), medians


@dataclass(frozen=True)
class Tuned:
    """A method tuned on a grid, then trained on evaluation replicates at its tuned step."""

    step: float
    medians: np.ndarray
    result: dl.Result
    final: Summary


def tuned_runs(problem, methods: dict, grid: np.ndarray, epochs: int, replicates: int,
               tuning: int, zero: bool, progress) -> dict[str, Tuned]:  # fmt: skip
    """Every method (a name and ``make(step_sizes)``) tuned on the same ``grid`` and budget,
    then ``replicates`` evaluation runs at its tuned step: equal steps, equal tuning."""
    floor = problem.minimum if problem.minimum is not None else 0.0
    tuned = {}
    for name, make in methods.items():
        best, medians = tune(problem, make, grid, epochs, tuning, zero)
        result = train(problem, make, np.full(replicates, best), epochs, seed=0, zero=zero)
        tuned[name] = Tuned(best, medians, result, median_interval(result.path_fun[-1] - floor))
        progress.advance(f"{name} on {problem.name}")
    return tuned


def steps_per_run(problem, epochs: int) -> int:
    """The updates of an ``epochs``-epoch run with minibatches of :data:`BATCH`."""
    return epochs * -(-problem.n_examples // BATCH)


def curves_of(label: str, tuned: dict[str, Tuned], floor: float = 0.0) -> dict:
    """The learning curves of each tuned method: ``(epochs, losses (K, replicates))``."""
    return {(label, name): (t.result.path_iter / t.result.path_iter[1], t.result.path_fun - floor)
            for name, t in tuned.items()}  # fmt: skip


def draw_curves(finding, ylabel: str, title: str):
    """One panel per problem: each method's median training loss over the replicates with its
    interquartile band, labelled with its tuned step size (a finding whose ``runs`` name each
    problem, optimizer and tuned step, and whose ``curves`` come from :func:`curves_of`)."""
    import matplotlib.pyplot as plt

    from descentlab.results.statistics import band

    curves = finding.data["curves"]
    steps = {(r["problem"], r["optimizer"]): r["tuned step"] for r in finding.numbers["runs"]}
    labels = list(dict.fromkeys(label for label, _ in curves))
    figure, axes = plt.subplots(1, len(labels), figsize=(5.2 * len(labels), 4.4),
                                layout="constrained", squeeze=False)  # fmt: skip
    for ax, label in zip(axes[0], labels, strict=True):
        names = [name for key, name in curves if key == label]
        for k, name in enumerate(names):
            epochs, losses = curves[(label, name)]
            median, low, high = band(losses)
            color = plt.get_cmap("tab10")(k)
            ax.plot(epochs, median, color=color, label=f"{name}, step {steps[(label, name)]:.2g}")
            ax.fill_between(epochs, low, high, color=color, alpha=0.2)
        ax.set(title=label, yscale="log", xlabel="epoch", ylabel=ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    figure.suptitle(title)
    return figure
