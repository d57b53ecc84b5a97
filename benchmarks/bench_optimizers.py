"""Per-step cost of each optimizer against ``torch.optim`` on CPU, in the same process.

Two sizes, both float64, gradients fed (not computed), so only the update is timed:

- small: the 2-D tutorial problem, a point of 2 coordinates, 2,000 steps;
- large: one vector of 10 million parameters, one step (after a warm-up step that creates
  the state), best of a few repeats.

Prints the time per step of each and the ratio descentlab / torch (above 1: descentlab is
slower). Optimizers without a torch.optim twin (Yogi, AdaBelief, Lion, the paper's and optax's
AMSGrad) are timed alone.

    python benchmarks/bench_optimizers.py [--large 10000000] [--small-steps 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import descentlab as dl

T = torch.optim
TWINS = {
    "gd": lambda p: T.SGD(p, lr=0.1),
    "momentum": lambda p: T.SGD(p, lr=0.1, momentum=0.9),
    "nesterov": lambda p: T.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda p: T.Adagrad(p, lr=0.01, eps=1e-10),
    "rmsprop": lambda p: T.RMSprop(p, lr=0.01),
    "adadelta": lambda p: T.Adadelta(p),
    "adam": lambda p: T.Adam(p),
    "adamw": lambda p: T.AdamW(p),
    "adamax": lambda p: T.Adamax(p),
    "nadam": lambda p: T.NAdam(p),
    "radam": lambda p: T.RAdam(p),
    "amsgrad-pytorch": lambda p: T.Adam(p, amsgrad=True),
}


def ours_per_step(name, size, steps, repeats):
    optimizer = dl.get_optimizer(name)
    rng = np.random.RandomState(0)
    x, g = rng.normal(size=size), rng.normal(size=size)
    state = optimizer.init(x)
    x, state = optimizer.step(x, g, state)  # warm-up: the state becomes arrays
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        for _ in range(steps):
            x, state = optimizer.step(x, g, state)
        best = min(best, (time.perf_counter() - began) / steps)
    return best


def torch_per_step(name, size, steps, repeats):
    rng = np.random.RandomState(0)
    param = torch.tensor(rng.normal(size=size), dtype=torch.float64, requires_grad=True)
    param.grad = torch.tensor(rng.normal(size=size), dtype=torch.float64)
    opt = TWINS[name]([param])
    opt.step()
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        for _ in range(steps):
            opt.step()
        best = min(best, (time.perf_counter() - began) / steps)
    return best


def report(title, size, steps, repeats):
    print(f"{title}: per step, best of {repeats}")
    print(f"  {'optimizer':16s} {'descentlab':>12s} {'torch.optim':>12s} {'ratio':>7s}")
    for name in dl.OPTIMIZERS:
        ours = ours_per_step(name, size, steps, repeats)
        if name in TWINS:
            theirs = torch_per_step(name, size, steps, repeats)
            print(f"  {name:16s} {ours * 1e6:10.1f}us {theirs * 1e6:10.1f}us {ours / theirs:6.2f}x")
        else:
            print(f"  {name:16s} {ours * 1e6:10.1f}us {'-':>12s} {'-':>7s}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=10_000_000)
    parser.add_argument("--small-steps", type=int, default=2000)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}")
    report("small: 2 coordinates", 2, args.small_steps, 5)
    report(f"large: {args.large:,} coordinates", args.large, 1, 3)


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
