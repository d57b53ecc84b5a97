"""Start-up as whole processes: descentlab's commands beside ``python -c "import numpy"``
(issue #24's goal: ``descentlab --help`` and ``descentlab tutorial momentum`` <= 1.5x).

Each command runs ``--runs`` times, the commands taking turns so that a slow moment of the
machine falls on all of them; the median wall time of each is printed with its ratio to NumPy's.

    python benchmarks/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from descentlab._machine import stamp

SCRIPT = str(Path(sys.executable).with_name("descentlab"))
COMMANDS = {
    'python -c "pass"': [sys.executable, "-c", "pass"],
    'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
    'python -c "import descentlab"': [sys.executable, "-c", "import descentlab"],
    "descentlab --help": [SCRIPT, "--help"],
    "descentlab tutorial momentum": [SCRIPT, "tutorial", "momentum"],
    "descentlab run gd -f sphere --dim 1 --seed 4": [SCRIPT, "run", "gd", "-f", "sphere",
                                                      "--dim", "1", "--seed", "4"],
}  # fmt: skip
GOALS = {"descentlab --help": 1.5, "descentlab tutorial momentum": 1.5}
REFERENCE = 'python -c "import numpy"'


def wall_times(runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # one warm-up each: bytecode caches and the page cache
        subprocess.run(command, check=True, capture_output=True, env=env)
    for _ in range(runs):
        for name, command in COMMANDS.items():
            began = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env)
            times[name].append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    print(stamp())
    times = wall_times(runs)
    reference = statistics.median(times[REFERENCE])
    print(f"{'command':<48} {'median':>8} {'min':>8} {'ratio':>6}  goal")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        ratio = median / reference
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"<= {goal}x: {'met' if ratio <= goal else 'NOT met'}"
        print(f"{name:<48} {median * 1e3:6.0f}ms {min(seconds) * 1e3:6.0f}ms {ratio:5.2f}x  "
              f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
