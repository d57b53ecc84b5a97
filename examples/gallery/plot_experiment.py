"""
An experiment: a tutorial's claim, checked
==========================================

Each experiment states a claim from the tutorials or their sources, runs a seeded design and
computes its verdict from the checks it makes on the data. Here: does momentum coast across a
flat spot? (``quick=True`` is the short design; the command line is ``descentlab experiment
flat-spots``.)
"""

from descentlab import experiments

experiment = experiments.get("flat-spots")
finding = experiment(quick=True)
print(finding.claim)
print(f"verdict: {finding.verdict.outcome} ({finding.verdict.reason})")
for check in finding.checks:
    print(f" - {'holds' if check.holds else 'fails'}: {check.condition}\n   {check.evidence}")
experiment.draw(finding)
