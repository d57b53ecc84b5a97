"""Regenerate docs/benchmark.md and its pictures: the catalog suite for the whole family.

    python scripts/benchmark_doc.py            # every optimizer, tuned (a few minutes)
    python scripts/benchmark_doc.py --quick    # three optimizers, small budget, to try it

Every number, picture and sentence about the results on the page comes from the run this
script just made. Do not edit docs/benchmark.md by hand.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import descentlab
from descentlab._machine import describe
from descentlab.benchmarking import benchmark
from descentlab.benchmarking.pictures import plot_data_profile, plot_ecdf, plot_performance_profile
from descentlab.benchmarking.results import LEADERBOARD_TARGETS, costs_at, leaderboard

DOCS = Path(__file__).resolve().parent.parent / "docs"
TARGET = 1e-4
FULL = {"budget": 200, "seeds": 10, "tuning": "grid", "trials": 8, "tuning_seeds": 3}
QUICK = {"budget": 30, "seeds": 6, "tuning": "grid", "trials": 4, "tuning_seeds": 2}


def findings(frame) -> str:
    """What the run shows, in sentences computed from it."""
    board = leaderboard(frame).set_index("optimizer")
    share = board[f"solved {TARGET:g}"].sort_values(ascending=False)
    costs, _, names = costs_at(frame, TARGET)
    wins = (costs == costs.min(axis=1, keepdims=True)) & np.isfinite(costs)
    fastest = {name: int(wins[:, k].sum()) for k, name in enumerate(names)}
    best_speed = max(fastest, key=fastest.get)
    nobody = (~np.isfinite(costs)).all(axis=1)
    runs = frame.drop_duplicates(["problem", "seed"])[["problem", "seed"]]
    at = frame[np.isclose(frame["target"], TARGET)].pivot_table(
        index=["problem", "seed"], columns="optimizer", values="evaluations", aggfunc="first",
        dropna=False)  # fmt: skip
    hardest = at.index[nobody].get_level_values("problem").value_counts().head(4)
    named = ", ".join(f"{problem} ({count} of {runs['problem'].eq(problem).sum()} seeds)"
                      for problem, count in hardest.items())  # fmt: skip
    return (
        f"At f - f* <= {TARGET:g}, {share.index[0]} reaches the target on the most runs "
        f"({share.iloc[0]:.0%}), then {share.index[1]} ({share.iloc[1]:.0%}); "
        f"{share.index[-1]} on the fewest ({share.iloc[-1]:.0%}). {best_speed} is the fastest "
        f"(or tied) on {fastest[best_speed]} of {len(costs)} runs, which is where its "
        f"performance profile starts at alpha = 1. {int(nobody.sum())} runs are solved by no "
        f"optimizer within the budget, most of them on {named}."
    )


CAVEATS = """What the profiles do not show: they count runs, not problems' importance (the catalog
has more multimodal 2-D functions than ill-conditioned ones); a tuned step size is one number
per problem chosen on three tuning seeds, so an optimizer whose best step depends on the start
looks worse than it would with a schedule; the budget is counted in gradients, which favors
none of these first-order methods but says nothing of wall-clock time; and a smooth catalog is
not a neural network's loss (see the `adam-amsgrad-training` experiment and the stochastic
suite for that)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    optimizers = ["gd", "momentum", "adam"] if quick else list(descentlab.OPTIMIZERS)
    settings = QUICK if quick else FULL
    began = time.perf_counter()
    frame = benchmark("catalog", optimizers, **settings)
    seconds = time.perf_counter() - began
    folder = DOCS / "benchmark"
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw, args in (("performance-profile", plot_performance_profile, (TARGET,)),
                             ("data-profile", plot_data_profile, (TARGET,)),
                             ("ecdf", plot_ecdf, ())):  # fmt: skip
        ax = draw(frame, *args)
        ax.figure.set_size_inches(8.5, 5.0)
        ax.figure.savefig(folder / f"{name}.png", dpi=110)
        plt.close(ax.figure)
    board = leaderboard(frame)
    header = ["optimizer", *[f"<= {t:g}" for t in LEADERBOARD_TARGETS], "tuned settings"]
    rows = []
    for row in board.to_dict("records"):
        cells = [f"{row[f'solved {t:g}']:.0%}" for t in LEADERBOARD_TARGETS]
        rows.append(f"| {row['optimizer']} | {' | '.join(cells)} | {row['settings']} |")
    command = (f"descentlab benchmark --suite catalog --optimizers {','.join(optimizers)} "
               f"--budget {settings['budget']} --seeds {settings['seeds']} --tune "
               f"{settings['trials']}")  # fmt: skip
    page = f"""# The catalog suite, for the whole family

This page is written by `python scripts/benchmark_doc.py` from one run
({time.strftime("%Y-%m-%d")}, {describe()}, descentlab
{descentlab.__version__}, {seconds:.0f} s); do not edit it by hand.

**Design.** The catalog suite ({frame["problem"].nunique()} problems: the smooth catalog
functions at 2, 10 and 40 dimensions, the 2-D ones at 2), {len(optimizers)} optimizers at their
defaults but for the step size, which is tuned per optimizer and problem on a log grid of
{settings["trials"]} values from 1e-5 to 1 over {settings["tuning_seeds"]} tuning seeds (seeds
from 1,000,000, which the evaluation never uses); then {settings["seeds"]} evaluation seeds
(0..{settings["seeds"] - 1}, the tutorials' random starts), each with a budget of
{settings["budget"]} x (d + 1) gradient evaluations. A run is one problem from one seed.
Rerun: `{command}`.

**Findings.** {findings(frame)}

{CAVEATS}

| {" | ".join(header)} |
|{"---|" * len(header)}
{chr(10).join(rows)}

(The share of runs that reached each target f - f*.)

![performance profile](benchmark/performance-profile.png)

![data profile](benchmark/data-profile.png)

![runtime ECDF](benchmark/ecdf.png)
"""
    (DOCS / "benchmark.md").write_text(page, encoding="utf-8")
    print(f"wrote {DOCS / 'benchmark.md'} ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
