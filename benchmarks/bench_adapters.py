"""descentlab's optimizers inside PyTorch and optax training loops, against their native twins.

Adam in float32 as people train; gradients fed (not computed), so only the optimizer's step is
timed. PyTorch: the bridge eager and compiled (``compile=True``) beside ``torch.optim.Adam`` in
its foreach and fused forms, on the layouts of issue #34 (1M and 10M parameters in one tensor,
10M in 20, 1M in 100) and the tests' 67-parameter network (the per-step overhead). Rounds are
interleaved, every contender once a round, so a slow moment of the machine hits all of them;
each ratio is printed as the median and the range over rounds. optax: the transform against
``optax.adam``, each step under ``jax.jit``.

    python benchmarks/bench_adapters.py [--rounds 7] [--skip-optax] [--skip-torch]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import descentlab as dl
import descentlab.torch

LAYOUTS = {  # label: (tensor shapes, steps per round)
    "1M in 1 tensor": ([(1_000_000,)], 5),
    "10M in 1 tensor": ([(10_000_000,)], 1),
    "10M in 20 tensors": ([(500_000,)] * 20, 1),
    "1M in 100 tensors": ([(10_000,)] * 100, 5),
    "67 in 4 tensors": ([(8, 4), (8,), (3, 8), (3,)], 100),
}
CONTENDERS = {
    "bridge (eager)": lambda p: descentlab.torch.Optimizer(p, dl.Adam(alpha=1e-3)),
    "bridge (compiled)": lambda p: descentlab.torch.Optimizer(p, dl.Adam(alpha=1e-3), compile=True),
    "Adam(foreach)": lambda p: torch.optim.Adam(p, lr=1e-3, foreach=True),
    "Adam(fused)": lambda p: torch.optim.Adam(p, lr=1e-3, fused=True),
}


def torch_model(shapes):
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s)) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape)
    return params


def torch_layout(label: str, shapes, steps: int, rounds: int) -> None:
    optimizers, firsts = {}, {}
    for name, make in CONTENDERS.items():
        optimizers[name] = make(torch_model(shapes))
        began = time.perf_counter()
        for _ in range(2):  # the state is made on the first step; the second compiles
            optimizers[name].step()
        firsts[name] = time.perf_counter() - began
    times = {name: [] for name in CONTENDERS}
    for _ in range(rounds):
        for name, optimizer in optimizers.items():
            began = time.perf_counter()
            for _ in range(steps):
                optimizer.step()
            times[name].append((time.perf_counter() - began) / steps)
    compiling = firsts["bridge (compiled)"]
    print(f"  {label} (first two steps of the compiled bridge: {compiling:.1f} s)")
    for name in ("bridge (eager)", "bridge (compiled)"):
        for peer in ("Adam(foreach)", "Adam(fused)"):
            ratios = [a / b for a, b in zip(times[name], times[peer], strict=True)]
            mine, theirs = statistics.median(times[name]), statistics.median(times[peer])
            spread = f"({min(ratios):.2f}-{max(ratios):.2f})"
            print(f"    {name:<18s} {mine * 1e3:9.3f} ms   / {peer:<14s} {theirs * 1e3:9.3f} ms"
                  f"   ratio {statistics.median(ratios):5.2f}x  {spread}")  # fmt: skip


def optax_step_seconds(transformation, shapes, rounds: int, steps: int) -> list[float]:
    import jax
    import jax.numpy as jnp
    import optax

    keys = jax.random.split(jax.random.PRNGKey(0), 2 * len(shapes))
    params = [jax.random.normal(k, s, jnp.float32) for k, s in zip(keys[::2], shapes, strict=True)]
    grads = [jax.random.normal(k, s, jnp.float32) for k, s in zip(keys[1::2], shapes, strict=True)]
    state = transformation.init(params)

    @jax.jit
    def step(params, state):
        updates, state = transformation.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    params, state = jax.block_until_ready(step(params, state))  # compile
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(steps):
            params, state = step(params, state)
        jax.block_until_ready(params)
        times.append((time.perf_counter() - began) / steps)
    return times


def optax_layouts(rounds: int) -> None:
    import optax

    from descentlab.optax import transform

    print("optax, Adam, one jitted step (rounds alternated):")
    for label, (shapes, steps) in LAYOUTS.items():
        ours, theirs = [], []
        for _ in range(rounds):
            ours += optax_step_seconds(transform(dl.Adam(alpha=1e-3)), shapes, 1, steps)
            theirs += optax_step_seconds(optax.adam(1e-3), shapes, 1, steps)
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        print(f"  {label:<18s} descentlab {statistics.median(ours) * 1e3:9.3f} ms   optax.adam "
              f"{statistics.median(theirs) * 1e3:9.3f} ms   ratio {statistics.median(ratios):5.2f}x"
              f"  ({min(ratios):.2f}-{max(ratios):.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-optax", action="store_true")
    parser.add_argument("--skip-torch", action="store_true")
    args = parser.parse_args()
    print(f"{torch.get_num_threads()} torch threads")
    if not args.skip_torch:
        print("PyTorch, Adam, one step, float32:")
        for label, (shapes, steps) in LAYOUTS.items():
            torch_layout(label, shapes, steps, args.rounds)
    if not args.skip_optax:
        optax_layouts(args.rounds)


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
