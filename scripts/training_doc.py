"""Write docs/training-benchmark.md and its pictures from one run of the default training
suite with the crowded valley's budgets. Every number and verdict on the page comes from
that run; do not edit the page by hand.

    python scripts/training_doc.py [--store FILE] [--workers N]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import descentlab
from descentlab._machine import describe
from descentlab.benchmarking.training import pictures, training_benchmark
from descentlab.benchmarking.training.verdicts import claims

DOCS = Path(__file__).resolve().parent.parent / "docs"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def steps(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.0f}"


def budget_table(rows: list[dict]) -> list[list[str]]:
    """One line per workload, optimizer and schedule; a column per budget."""
    lines: dict[tuple, list[str]] = {}
    for r in rows:
        median, low, high = r["test"]
        lines.setdefault((r["workload"], r["entrant"], r["schedule"]), []).append(
            f"{median:.4g} [{low:.4g}, {high:.4g}]: {r['step']:.3g}"
        )
    return [[*group, *cells] for group, cells in lines.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None)
    parser.add_argument("--workers", type=int, default=None, help="a local Dask cluster")
    args = parser.parse_args()
    results = training_benchmark("default", store=args.store, workers=args.workers,
                                 rulesets=("external", "self", "budgets"))  # fmt: skip
    seconds = sum(cell["seconds"] for cell in results.cells)  # the cells' own compute time
    folder = DOCS / "training"
    folder.mkdir(exist_ok=True)
    figures = []
    for name, draw, arg in [("profile-external", pictures.plot_profiles, "external"),
                            ("profile-self", pictures.plot_profiles, "self"),
                            ("times-external", pictures.plot_times, "external")]:  # fmt: skip
        ax = draw(results, arg)
        ax.figure.savefig(folder / f"{name}.png", dpi=90)
        plt.close(ax.figure)
        figures.append(f"![{name}](training/{name}.png)")
    for workload in results.workloads:
        ax = pictures.plot_learning_curves(results, workload, "external")
        ax.figure.savefig(folder / f"curves-{workload}.png", dpi=80)
        plt.close(ax.figure)
    sections = []
    for ruleset in results.rulesets():
        board = results.leaderboard()
        board = board[board["ruleset"] == ruleset]
        rows = [[r["entrant"], f"{r['score']:.3f}", *(steps(r[w]) for w in results.workloads)]
                for r in board.to_dict("records")]  # fmt: skip
        sections.append(f"### {ruleset} tuning\n\n" + markdown_table(
            ["optimizer", "score", *results.workloads], rows))  # fmt: skip
    budget_rows = budget_table(results.budgets())
    verdicts = []
    for claim in claims(results):
        checks = "\n".join(f"- {'yes' if h else 'no'}: {c} ({e})" for c, h, e in claim.checks)
        verdicts.append(f"**{claim.claim}** Verdict: **{claim.verdict}**.\n\n{checks}")
    curves = " ".join(f"![{w}](training/curves-{w}.png)" for w in results.workloads)
    page = f"""# Training benchmark: results

Written by `python scripts/training_doc.py` ({time.strftime("%Y-%m-%d")}, {describe()},
descentlab {descentlab.__version__}; its cells computed in {seconds / 60:.1f} minutes, read back
from the store where already done): the default training suite
(nine workloads; AdamW, NAdam, Nesterov and heavy ball, the AlgoPerf baselines, with
schedule-free AdamW, Muon and Prodigy) under AlgoPerf's two rulesets, and the crowded valley's
tuning budgets. Every number and verdict below comes from that run. The rules are on
{{doc}}`explanations/training-protocol`; `descentlab benchmark --suite training --budgets`
reruns it.

## Steps to the validation target, and the AlgoPerf score

A dash: the target was not reached (in at least 2 of 3 studies). The targets are strict by
construction (the best tuned baseline's median), so most optimizers miss most of them.

{(chr(10) * 2).join(sections)}

{" ".join(figures)}

## Learning curves (external tuning: each study's best trial, median and range over studies)

{curves}

## Tuning budgets (the crowded valley)

The final test metric over 6 evaluation seeds (median [95% interval]) of the setting each
budget chose (its step size, the schedule's peak, after the colon): the defaults (one-shot),
the best of 5 and the best of 25 random trials, under each schedule (schedule-free AdamW
under none, that is constant).

{
        markdown_table(
            ["workload", "optimizer", "schedule", "one-shot", "small (5)", "large (25)"],
            budget_rows,
        )
    }

{(chr(10) * 2).join(verdicts)}
"""
    (DOCS / "training-benchmark.md").write_text(page)
    print(f"wrote docs/training-benchmark.md ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
