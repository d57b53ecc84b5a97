"""Benchmarks the field accepts: suites of problems, every optimizer at the same budget (tuning
included, on seeds the evaluation never uses), and the results as profiles.

- :func:`benchmark` runs a suite (:mod:`~descentlab.benchmark.suites`; COCO's bbob through
  :mod:`~descentlab.benchmark.coco`) and returns a tidy table;
- :mod:`~descentlab.benchmark.results`: the leaderboard and the tables the profiles need;
- :mod:`~descentlab.benchmark.profiles`: performance profiles, data profiles, runtime ECDFs;
- :mod:`~descentlab.benchmark.pictures` draws them; :mod:`~descentlab.benchmark.report`
  writes one HTML page that opens offline.
"""

from descentlab.benchmark.core import benchmark
from descentlab.benchmark.suites import SUITES

__all__ = ["SUITES", "benchmark"]
