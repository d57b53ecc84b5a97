"""Many starts at once: 100,000 starts of 2-D Rosenbrock, 200 AMSGrad iterations.

Each contender runs in its own fresh Python process, in alternating rounds, and the median of
the per-round ratios is printed. (In one long-lived process the timings of 1.6 MB temporaries
swing by 2x with the state of the C allocator, which hands out fresh, page-faulting memory or
reused memory depending on what ran before. So each run gets a fresh process, is timed on
its second run, and glibc is told to keep freed blocks instead of unmapping them
(``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``; ``--default-malloc`` turns that off).)

- ``minimize``: descentlab's runner with ``AMSGradPyTorch`` (Adam(amsgrad=True)'s arithmetic),
  final points only (``record="none"``); it also evaluates f every step (divergence, status);
- the same AMSGrad updates as a hand-written NumPy loop over the ``(n, 2)`` array, once with
  only the gradient and the update, once also evaluating f as the runner does;
- for reference, ``torch.optim.Adam(amsgrad=True, fused=True)`` on CPU doing the same in
  float64 (if PyTorch is installed).

Then the peak memory that ``minimize`` allocates (tracemalloc), as a multiple of the
``(n, d)`` float64 state. Goal: minimize / hand loop at most 1.2x.

    python benchmarks/bench_multistart.py [--starts 100000] [--iters 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from descentlab import AMSGradPyTorch, get_function, minimize

ALPHA, BETA1, BETA2, EPS = 0.01, 0.9, 0.999, 1e-8


def rosen(x):
    a, b = x[:, 0], x[:, 1]
    return 100.0 * (b - a**2) ** 2 + (1.0 - a) ** 2


def rosen_grad(x):
    a, b = x[:, 0], x[:, 1]
    inner = b - a**2
    return np.stack([-400.0 * a * inner - 2.0 * (1.0 - a), 200.0 * inner], axis=-1)


def hand_loop(x0, iters, with_f):
    x, m, v, vmax = x0, 0.0, 0.0, 0.0
    for t in range(1, iters + 1):
        g = rosen_grad(x)
        m = BETA1 * m + (1 - BETA1) * g
        v = BETA2 * v + (1 - BETA2) * g**2
        vmax = np.maximum(vmax, v)
        x = x - ALPHA * (m / (1 - BETA1**t)) / (np.sqrt(vmax / (1 - BETA2**t)) + EPS)
        if with_f:
            rosen(x)
    return x


def torch_loop(x0, iters):
    import torch

    param = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([param], lr=ALPHA, betas=(BETA1, BETA2), eps=EPS, amsgrad=True,
                           fused=True)  # fmt: skip
    for _ in range(iters):
        param.grad = torch.from_numpy(rosen_grad(param.detach().numpy()))
        opt.step()
    return param.detach().numpy()


def contenders(problem, x0, iters):
    optimizer = AMSGradPyTorch(alpha=ALPHA, beta1=BETA1, beta2=BETA2, eps=EPS)
    return {
        "minimize": lambda: minimize(problem, optimizer, n_iter=iters, x0=x0, record="none").x,
        "hand loop": lambda: hand_loop(x0, iters, False),
        "hand loop + f": lambda: hand_loop(x0, iters, True),
        "torch fused": lambda: torch_loop(x0, iters),
    }


def setup(starts):
    problem = get_function("rosenbrock", dim=2)
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    return problem, lo + np.random.RandomState(0).rand(starts, 2) * (hi - lo)


def time_one(name, starts, iters) -> None:
    """Child process: run one contender twice, print the wall time of the second run.

    The first run warms up what a long session would have warm: imports, PyTorch's kernels,
    and the C allocator's reuse of freed blocks.
    """
    problem, x0 = setup(starts)
    fn = contenders(problem, x0, iters)[name]
    fn()
    began = time.perf_counter()
    fn()
    print(time.perf_counter() - began)


def check_agreement(starts, iters) -> list[str]:
    """All contenders compute the same points; returns the names that can run here."""
    problem, x0 = setup(min(starts, 1000))
    runs = contenders(problem, x0, iters)
    reference = runs["hand loop"]()
    names = []
    for name, fn in runs.items():
        try:
            np.testing.assert_allclose(fn(), reference, rtol=1e-9)
        except ImportError:
            continue
        names.append(name)
    return names


def peak_memory(starts, iters) -> tuple[int, int]:
    problem, x0 = setup(starts)
    run = contenders(problem, x0, iters)["minimize"]
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, x0.nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=100_000)
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--default-malloc", action="store_true")
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:  # a child run: its standard output is the one time the parent reads
        time_one(args.only, args.starts, args.iters)
        return
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    names = check_agreement(args.starts, args.iters)
    env = dict(os.environ)
    if not args.default_malloc:
        env.update(MALLOC_MMAP_THRESHOLD_=str(2**30), MALLOC_TRIM_THRESHOLD_=str(2**30))
    times = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            command = [sys.executable, __file__, "--only", name, "--starts", str(args.starts),
                       "--iters", str(args.iters)]  # fmt: skip
            done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
            times[name].append(float(done.stdout))
    print(f"{args.starts} starts of 2-D Rosenbrock, {args.iters} AMSGrad iterations, final "
          f"points only ({args.rounds} rounds, a fresh process per run)")  # fmt: skip
    for name, ts in times.items():
        ratio = np.median(np.array(times["minimize"]) / np.array(ts))
        print(f"  {name:14s}: {min(ts):7.3f} s (best)   minimize / this: {ratio:5.2f}x")
    print("  goal: minimize / hand loop <= 1.2x")
    peak, state = peak_memory(args.starts, args.iters)
    print(f"peak memory of minimize: {peak / 2**20:.1f} MiB = {peak / state:.1f}x the (n, d) "
          f"state of {state / 2**20:.2f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
