"""What noise and minibatches cost.

1. Noise: 100,000 starts of 2-D Rosenbrock, 200 AMSGrad iterations, final points only, run
   noiseless, with Gaussian gradient noise and with Student-t noise (per-start seeded streams).
   Goal: noisy / noiseless at most 1.3x.
2. Minibatches: L2-regularized logistic regression on the digits data (N = 1797, p = 65),
   minibatches of 64, SGD; one epoch of descentlab's runner (``batch_size=64``, the full
   objective recorded only at the end) against a hand-written NumPy minibatch loop (a seeded
   permutation per epoch, ``X[idx] @ x``, the logistic gradient, the step), for one start and
   for 100 replicates (which the hand loop runs one after the other, the runner as one batch).
   Goal: runner / hand loop at most 1.0x.

Contenders alternate in each of ``--rounds`` rounds, in one process (glibc told to keep freed
memory, as in bench_multistart.py); the median of the per-round ratios is printed.

    python benchmarks/bench_stochastic.py [--starts 100000] [--iters 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import descentlab as dl
from descentlab.problems.stochastic.finite_sum import logistic_digits

if os.environ.get("MALLOC_MMAP_THRESHOLD_") is None:  # see bench_multistart.py
    os.environ.update(MALLOC_MMAP_THRESHOLD_="1073741824", MALLOC_TRIM_THRESHOLD_="1073741824")
    os.execv(sys.executable, [sys.executable, *sys.argv])

BATCH, STEP, EPOCHS = 64, 0.1, 3


def timed(run) -> float:
    began = time.perf_counter()
    run()
    return time.perf_counter() - began


def noise_costs(starts: int, iters: int, rounds: int) -> None:
    problem = dl.get_function("rosenbrock")
    x0 = dl.uniform_starts(problem.bounds, starts, 0)
    optimizer = dl.AMSGradPyTorch(alpha=0.01)
    contenders = {
        "noiseless": None,
        "gaussian noise": dl.GradientNoise(1.0),
        "student-t noise": dl.GradientNoise(1.0, "student-t", 3),
    }

    def run(noise):
        return lambda: dl.minimize(problem, optimizer, n_iter=iters, x0=x0, seed=1, noise=noise,
                                   record=None)  # fmt: skip

    times = {name: [] for name in contenders}
    for _ in range(rounds + 1):  # the first round warms up
        for name, noise in contenders.items():
            times[name].append(timed(run(noise)))
    base = np.array(times["noiseless"][1:])
    print(f"noise, {starts:,} starts x 2-D Rosenbrock x {iters} AMSGrad steps:")
    for name, seconds in times.items():
        ratio = np.median(np.array(seconds[1:]) / base)
        print(f"  {name:16s} {np.median(seconds[1:]):7.3f} s   {ratio:5.2f}x noiseless")


def hand_minibatch_sgd(a, y, l2, x, epochs, seed):
    """Plain minibatch SGD on the logistic loss, written as one would by hand."""
    rng = np.random.default_rng(seed)
    n = len(y)
    for _ in range(epochs):
        order = rng.permutation(n)
        for first in range(0, n, BATCH):
            idx = order[first : first + BATCH]
            rows, labels = a[idx], y[idx]
            margin = labels * (rows @ x)
            slope = -labels / (1.0 + np.exp(margin))
            x = x - STEP * (rows.T @ slope / len(idx) + l2 * x)
    return x


def minibatch_costs(rounds: int) -> None:
    problem = logistic_digits()
    per_epoch = -(-problem.n_examples // BATCH)
    print(f"minibatches, {problem.name} (N={problem.n_examples}, p={problem.dim}), batch {BATCH}, "
          f"{EPOCHS} epochs of SGD:")  # fmt: skip
    for replicates in (1, 100):
        ours, theirs = [], []
        for _ in range(rounds + 1):
            ours.append(timed(lambda n=replicates: runner_epochs(problem, n, per_epoch)))
            theirs.append(timed(lambda n=replicates: hand_epochs(problem, n)))
        ratio = np.median(np.array(ours[1:]) / np.array(theirs[1:]))
        epoch_ours = np.median(ours[1:]) / EPOCHS * 1e3
        epoch_hand = np.median(theirs[1:]) / EPOCHS * 1e3
        print(
            f"  {replicates:3d} start(s): runner {epoch_ours:7.2f} ms/epoch, hand loop "
            f"{epoch_hand:7.2f} ms/epoch   runner / hand loop {ratio:5.2f}x"
        )


def runner_epochs(problem, replicates: int, per_epoch: int) -> None:
    x0 = np.zeros((replicates, problem.dim)) if replicates > 1 else np.zeros(problem.dim)
    dl.minimize(
        problem,
        dl.GradientDescent(STEP),
        n_iter=EPOCHS * per_epoch,
        x0=x0,
        seed=0,
        batch_size=BATCH,
        record=EPOCHS * per_epoch,
    )


def hand_epochs(problem, replicates: int) -> None:
    for r in range(replicates):
        hand_minibatch_sgd(
            problem.features, problem.targets, problem.l2, np.zeros(problem.dim), EPOCHS, r
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=100_000)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    noise_costs(args.starts, args.iters, args.rounds)
    minibatch_costs(args.rounds)


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
