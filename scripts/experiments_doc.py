"""Regenerate docs/experiments.md and its figures by running every experiment.

    python scripts/experiments_doc.py                # the full designs (a few minutes)
    python scripts/experiments_doc.py --engine jax   # the same, compiled (quicker)
    python scripts/experiments_doc.py --quick        # the quick ones (seconds), e.g. to try it
    python scripts/experiments_doc.py --training-store FILE   # the crowded valley's budgets
                                                    # read from (and kept in) a training store

The page is written from the findings of this run only: each verdict, check and number in it
comes from the data just computed. Do not edit docs/experiments.md by hand.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import descentlab
from descentlab import experiments
from descentlab._machine import describe
from descentlab.engines import using

DOCS = Path(__file__).resolve().parent.parent / "docs"


def section(finding, figure: str, took: str) -> str:
    quick = " --quick" if finding.quick else ""
    rows = "\n".join(
        f"| {'yes' if c.holds else 'no'} | {c.condition} | {c.evidence} |" for c in finding.checks
    )
    return f"""## {finding.title} (`{finding.name}`)

**Claim.** {finding.claim}

**Source.** {finding.source}

**Design.** {finding.design}

| holds | condition | evidence |
|---|---|---|
{rows}

**Verdict: {finding.verdict.outcome}** ({finding.verdict.reason}).

![{finding.title}]({figure})

Rerun: `descentlab experiment {finding.name}{quick} --plot {finding.name}.png`
({took}).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick designs")
    parser.add_argument("--engine", choices=("numpy", "jax"), default="numpy")
    parser.add_argument(
        "--training-store",
        help="a training store for the crowded valley's "
        "budgets (python scripts/training_doc.py --store FILE fills one)",
    )
    args = parser.parse_args()
    quick = args.quick
    from descentlab.experiments import crowded_valley

    crowded_valley.STORE = args.training_store
    with using(args.engine):
        write(quick, args.engine, args.training_store)


def write(quick: bool, engine: str, training_store: str | None = None) -> None:
    (DOCS / "experiments").mkdir(parents=True, exist_ok=True)
    sections = []
    for name, experiment in experiments.EXPERIMENTS.items():
        began = time.perf_counter()
        finding = experiment(quick=quick)
        seconds = time.perf_counter() - began
        figure = experiment.draw(finding)
        figure.savefig(DOCS / "experiments" / f"{name}.png", dpi=90)
        plt.close(figure)
        took = f"{seconds:.1f} s here"
        if name.startswith("crowded-valley") and training_store:
            took = (
                f"{seconds:.1f} s here, its cells read from the training store that "
                "`python scripts/training_doc.py` filled: about an hour of compute on 2 cores"
            )
        sections.append(section(finding, f"experiments/{name}.png", took))
        print(f"{name}: {finding.verdict.outcome} ({seconds:.1f} s)", flush=True)
    header = f"""# Experiments: the tutorials' claims, checked

Written by `python scripts/experiments_doc.py{" --quick" if quick else ""} --engine {engine}`
({time.strftime("%Y-%m-%d")}, {describe()}, descentlab {descentlab.__version__}); every
verdict below was computed from the data of that run. `descentlab experiments` lists them;
`descentlab experiment NAME` reruns one (`--quick` for a smaller design, `--json FILE` for the
numbers, `--store FILE` to keep the finding in a store beside earlier ones, `--engine jax` to
compile it).

A verdict is `supported` when every check holds, `not supported` when none does, and `depends`
when some do (the verdict names which). Medians come with distribution-free 95% intervals; two
results differ only when their intervals do not overlap.

"""
    (DOCS / "experiments.md").write_text(header + "\n".join(sections))


if __name__ == "__main__":
    main()
