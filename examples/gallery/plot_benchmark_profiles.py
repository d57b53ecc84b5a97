"""
A benchmark and its profiles
============================

``dl.benchmark`` gives every optimizer the same budget of evaluations on every problem of a
suite (tuning included, on seeds apart from the evaluation seeds) and returns one row per
problem, optimizer, seed and target. From that table come the leaderboard, Dolan and Moré's
performance profiles and Moré and Wild's data profiles. COCO's ``bbob`` suite works the same
way (``pip install 'descentlab[coco]'``).
"""

import matplotlib.pyplot as plt

import descentlab as dl
from descentlab.benchmarking.pictures import plot_data_profile, plot_performance_profile
from descentlab.benchmarking.results import leaderboard

frame = dl.benchmark("conditioning", ["gd", "nesterov", "adam"], budget=100, seeds=4,
                     tuning="grid", trials=6)  # fmt: skip
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
plot_performance_profile(frame, target=1e-4, ax=axes[0])
plot_data_profile(frame, target=1e-4, ax=axes[1])
fig.tight_layout()
leaderboard(frame)
