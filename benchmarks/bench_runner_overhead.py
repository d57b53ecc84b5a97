"""How much the runner adds to the arithmetic of the 2-D AMSGrad tutorial run.

The same 100 AMSGrad iterations on x**2 + y**2 (seed 1, alpha 0.007, beta1 0.9 decayed as
beta1**t, beta2 0.99), path recorded, timed two ways in the same process:

- ``minimize``: descentlab's runner (records x, f and ||g|| at every step, checks divergence);
- a hand-written NumPy loop doing the same updates and keeping the same path.

The two are timed in alternation (so drifts of a shared machine hit both alike); prints the
best time of each and the median of the per-round ratios (goal: at most 1.2x, issue #10).

    python benchmarks/bench_runner_overhead.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np

from descentlab import AMSGrad, get_function, minimize

ALPHA, BETA1, BETA2, N_ITER, SEED = 0.007, 0.9, 0.99, 100, 1


def hand_loop() -> np.ndarray:
    rng = np.random.RandomState(SEED)
    x = -1.0 + rng.rand(2) * 2.0
    m = v = vhat = 0.0
    path, values = [x], [np.sum(x**2, axis=-1)]
    for t in range(1, N_ITER + 1):
        g = x * 2.0
        beta1 = BETA1**t
        m = beta1 * m + (1.0 - beta1) * g
        v = BETA2 * v + (1.0 - BETA2) * g**2
        vhat = np.maximum(vhat, v)
        x = x - ALPHA * m / (np.sqrt(vhat) + 1e-8)
        path.append(x)
        values.append(np.sum(x**2, axis=-1))
    return np.stack(path)


def with_runner(problem, optimizer) -> np.ndarray:
    return minimize(problem, optimizer, n_iter=N_ITER, seed=SEED, record="all").path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    problem = get_function("sphere", dim=2)
    optimizer = AMSGrad(alpha=ALPHA, beta1=BETA1, beta2=BETA2)
    assert np.array_equal(hand_loop(), with_runner(problem, optimizer)), "not the same run"

    def per_call(fn) -> float:
        return min(timeit.repeat(fn, number=5, repeat=3)) / 5

    hand, ours = [], []
    for _ in range(args.rounds):
        hand.append(per_call(hand_loop))
        ours.append(per_call(lambda: with_runner(problem, optimizer)))
    ratio = float(np.median(np.array(ours) / np.array(hand)))
    print(f"2-D AMSGrad tutorial run, {N_ITER} iterations, path recorded ({args.rounds} rounds)")
    print(f"  hand-written NumPy loop : {min(hand) * 1e3:8.3f} ms (best)")
    print(f"  descentlab.minimize     : {min(ours) * 1e3:8.3f} ms (best)")
    print(f"  ratio minimize / hand   : {ratio:8.2f}x   (median of rounds; goal <= 1.2x, #10)")


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
