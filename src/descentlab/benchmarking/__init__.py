"""Benchmarks the field accepts: suites of problems, every optimizer at the same budget (tuning
included, on seeds the evaluation never uses), and the results as profiles.

- :func:`benchmark` runs a suite (:mod:`~descentlab.benchmarking.suites`; COCO's bbob through
  :mod:`~descentlab.benchmarking.coco`) and returns a tidy table;
- :mod:`~descentlab.benchmarking.results`: the leaderboard and the tables the profiles need;
- :mod:`~descentlab.benchmarking.profiles`: performance profiles, data profiles, runtime ECDFs;
- :mod:`~descentlab.benchmarking.pictures` draws them; :mod:`~descentlab.benchmarking.report`
  writes one HTML page that opens offline.
"""

from descentlab.benchmarking.core import benchmark
from descentlab.benchmarking.suites import SUITES

__all__ = ["SUITES", "benchmark"]
