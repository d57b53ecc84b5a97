"""How long the catalog suite takes for six optimizers: NumPy engine, JAX engine, and two Dask
workers, in one run on this machine.

The suite: the catalog's smooth functions at 2, 10 and 40 dimensions (29 problems); gd,
momentum, nesterov, adam, amsgrad and rmsprop, each tuned on every problem (a grid of 8 step
sizes over 3 tuning seeds), then 10 evaluation seeds; budget 200 x (d + 1) gradient evaluations.
Nothing is stored, so every configuration computes everything.

    python benchmarks/bench_benchmark.py [--skip-jax] [--skip-workers]
"""

from __future__ import annotations

import argparse
import time
import warnings

from descentlab._machine import stamp
from descentlab.benchmarking import benchmark

OPTIMIZERS = ["gd", "momentum", "nesterov", "adam", "amsgrad", "rmsprop"]
SETTINGS = {"budget": 200, "seeds": 10, "tuning": "grid", "trials": 8, "tuning_seeds": 3}


def timed(**options) -> tuple[float, object]:
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the JAX engine's notes of what stays on NumPy
        frame = benchmark("catalog", OPTIMIZERS, **SETTINGS, **options)
    return time.perf_counter() - began, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-jax", action="store_true")
    parser.add_argument("--skip-workers", action="store_true")
    args = parser.parse_args()
    print(stamp())
    numpy_seconds, reference = timed()
    runs = reference.groupby(["problem", "optimizer", "seed"]).ngroups
    print(f"catalog suite, 6 optimizers tuned, {runs} evaluation runs:")
    print(f"  NumPy engine        {numpy_seconds:7.1f} s")
    if not args.skip_jax:
        seconds, frame = timed(engine="jax")
        solved = (frame["evaluations"].notna() == reference["evaluations"].notna()).mean()
        print(f"  JAX engine          {seconds:7.1f} s   ({numpy_seconds / seconds:.2f}x; the "
              f"same hits for {solved:.1%} of run x target pairs)")  # fmt: skip
    if not args.skip_workers:
        seconds, frame = timed(workers=2)
        same = frame.equals(reference)
        print(
            f"  NumPy, 2 workers    {seconds:7.1f} s   ({numpy_seconds / seconds:.2f}x; table "
            f"{'equal to' if same else 'DIFFERENT from'} one process, cluster start included)"
        )


if __name__ == "__main__":
    main()
