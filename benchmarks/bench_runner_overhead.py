"""How much the runner adds to the arithmetic of the 2-D AMSGrad tutorial run.

The same 100 AMSGrad iterations on x**2 + y**2 (seed 1, alpha 0.007, beta1 0.9 decayed as
beta1**t, beta2 0.99), path recorded, timed two ways in the same process:

- ``minimize``: descentlab's runner (records x, f and ||g|| at every step, checks divergence);
- a hand-written NumPy loop doing the same updates and keeping the same path.

Prints the best-of-N time of each and their ratio (goal: at most 1.5x).

    python benchmarks/bench_runner_overhead.py [--repeat 200]
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
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    problem = get_function("sphere", dim=2)
    optimizer = AMSGrad(alpha=ALPHA, beta1=BETA1, beta2=BETA2)
    assert np.array_equal(hand_loop(), with_runner(problem, optimizer)), "not the same run"

    def best(fn) -> float:
        return min(timeit.repeat(fn, number=1, repeat=args.repeat))

    hand = best(hand_loop)
    ours = best(lambda: with_runner(problem, optimizer))
    print(f"2-D AMSGrad tutorial run, {N_ITER} iterations, path recorded (best of {args.repeat})")
    print(f"  hand-written NumPy loop : {hand * 1e3:8.3f} ms")
    print(f"  descentlab.minimize     : {ours * 1e3:8.3f} ms")
    print(f"  ratio minimize / hand   : {ours / hand:8.2f}x   (goal <= 1.5x)")


if __name__ == "__main__":
    main()
