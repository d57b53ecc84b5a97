"""descentlab's optimizers inside PyTorch and optax training loops, against their native twins.

Two models, float32 as people train, gradients fed (not computed) so only the optimizer's step
is timed, each median of several rounds, in this one process:

- large: one model of 10 million parameters (four tensors: 2048 x 4096 and 1024 x 1536 with
  their biases), one step per round; PyTorch's Adam in its foreach and its fused form, optax's
  adam under jax.jit;
- small: the 4-8-3 network of the tests (67 parameters in four tensors), the per-step overhead.

The adapters call the optimizer's own pure step (new arrays each step, no in-place or fused
kernels), so on big tensors they pay for the temporaries the update writes.

    python benchmarks/bench_adapters.py [--rounds 7] [--skip-optax]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

import descentlab as dl
import descentlab.torch

PEERS = {
    "torch Adam(foreach=True)": lambda p: torch.optim.Adam(p, foreach=True),
    "torch Adam(fused=True)": lambda p: torch.optim.Adam(p, fused=True),
}
LARGE = [(2048, 4096), (2048,), (1024, 1536), (1024,)]  # 10,488,832 parameters
SMALL = [(8, 4), (8,), (3, 8), (3,)]


def torch_model(shapes):
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(s)) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape)
    return params


def torch_step_seconds(make, shapes, rounds: int, steps: int) -> float:
    params = torch_model(shapes)
    optimizer = make(params)
    optimizer.step()  # the state is made on the first step
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(steps):
            optimizer.step()
        times.append((time.perf_counter() - began) / steps)
    return statistics.median(times)


def optax_step_seconds(transformation, shapes, rounds: int, steps: int) -> float:
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
    return statistics.median(times)


def line(label: str, ours: float, theirs: float, peer: str) -> str:
    return (f"  {label:<30s} descentlab {ours * 1e3:9.3f} ms   {peer:<24s} {theirs * 1e3:9.3f} ms"
            f"   ratio {ours / theirs:5.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--skip-optax", action="store_true")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads")
    ours = lambda p: descentlab.torch.Optimizer(p, dl.Adam(alpha=1e-3))  # noqa: E731
    print("PyTorch, Adam, one step:")
    for label, shapes, steps in (("10.5M parameters (4 tensors)", LARGE, 1),
                                 ("67 parameters (4 tensors)", SMALL, 200)):  # fmt: skip
        mine = torch_step_seconds(ours, shapes, args.rounds, steps)
        for peer, make in PEERS.items():
            theirs = torch_step_seconds(make, shapes, args.rounds, steps)
            print(line(label, mine, theirs, peer))
    if args.skip_optax:
        return
    import optax

    from descentlab.optax import transform

    print("optax, Adam, one jitted step:")
    for label, shapes, steps in (("10.5M parameters (4 tensors)", LARGE, 3),
                                 ("67 parameters (4 tensors)", SMALL, 500)):  # fmt: skip
        mine = optax_step_seconds(transform(dl.Adam(alpha=1e-3)), shapes,
                                  args.rounds, steps)  # fmt: skip
        theirs = optax_step_seconds(optax.adam(1e-3), shapes, args.rounds, steps)
        print(line(label, mine, theirs, "optax.adam"))


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
