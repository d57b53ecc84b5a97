"""The training suite's report: one HTML page that opens offline (embedded SVG, no script),
with the profiles of both rulesets, the leaderboard, the times, the learning curves of every
workload, the targets, and what was run where and when."""

from __future__ import annotations

import html
import time
from pathlib import Path

from descentlab._files import atomic_path
from descentlab._machine import describe
from descentlab.benchmarking.report import STYLE, _table, _table_rows
from descentlab.benchmarking.report import _svg as svg
from descentlab.benchmarking.training import pictures
from descentlab.benchmarking.training.results import TrainingResults

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>{style}</style></head><body>
<h1>{title}</h1>
<p>Time to the validation target in steps (AlgoPerf's rules on this lab's workloads: external
tuning, the median over 3 studies of each study's fastest of its trials; self-tuning, the
median over 3 studies at the defaults with 1.5 times the steps). The score integrates the
performance profile from 1 to 4.</p>
<h2>Profiles</h2><div class="pictures">{profiles}</div>
<h2>Leaderboard</h2>{leaderboard}
<h2>Times to target</h2><div class="pictures">{times}</div>
<p>The same in seconds on this machine (each row of a batched study charged an equal share of
its wall time; steps are the unit that travels between machines):</p>{seconds}
<h2>Learning curves</h2><div class="pictures">{curves}</div>
{budgets}
<h2>Targets</h2>{targets}
<h2>What was run</h2>{about}
</body></html>
"""


def write_training_report(results: TrainingResults, folder: str | Path, *,
                          command: str = "") -> Path:  # fmt: skip
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rulesets = results.rulesets()
    page = PAGE.format(
        style=STYLE, title=html.escape(f"descentlab training benchmark ({results.tier})"),
        profiles="".join(_svg(pictures.plot_profiles, results, r) for r in rulesets),
        leaderboard=_table(results.leaderboard()),
        times="".join(_svg(pictures.plot_times, results, r) for r in rulesets),
        seconds="".join(_seconds(results, r) for r in rulesets),
        curves="".join(_svg(pictures.plot_learning_curves, results, w, rulesets[0])
                       for w in results.workloads),
        targets=_table_rows([(w, f"{t:.6g}") for w, t in results.targets.items()]),
        budgets=_budgets(results),
        about=_table_rows([("command", command or "(the Python API)"),
                           ("optimizers", ", ".join(results.entrants)),
                           ("machine", describe()), ("date", time.strftime("%Y-%m-%d %H:%M %Z"))]),
    )  # fmt: skip
    path = folder / "index.html"
    with atomic_path(path) as partial:
        partial.write_text(page, encoding="utf-8")
    return path


def _seconds(results: TrainingResults, ruleset: str) -> str:
    import pandas as pd

    found = results.seconds(ruleset)
    frame = pd.DataFrame([{"ruleset": ruleset, "optimizer": entrant,
                           **{w: f"{t:.3g}" for w, t in per.items()}}
                          for entrant, per in found.items()])  # fmt: skip
    return _table(frame)


def _budgets(results: TrainingResults) -> str:
    """The crowded valley's budgets and the verdicts computed from them (empty if not run)."""
    rows = results.budgets()
    if not rows:
        return ""
    import pandas as pd

    from descentlab.benchmarking.training.verdicts import claims

    frame = pd.DataFrame([{"workload": r["workload"], "optimizer": r["entrant"],
                           "schedule": r["schedule"], "budget": r["budget"], "step": r["step"],
                           "test median": r["test"][0], "95% low": r["test"][1],
                           "95% high": r["test"][2]} for r in rows])  # fmt: skip
    verdicts = "".join(
        f"<h3>{html.escape(c.claim)} Verdict: {c.verdict}</h3><ul>" + "".join(
            f"<li>{'yes' if holds else 'no'}: {html.escape(cond)} ({html.escape(ev)})</li>"
            for cond, holds, ev in c.checks) + "</ul>" for c in claims(results))  # fmt: skip
    return f"<h2>Tuning budgets (the crowded valley)</h2>{_table(frame)}{verdicts}"


def _svg(draw, *args) -> str:
    return f"<div>{svg(draw, *args)}</div>"
