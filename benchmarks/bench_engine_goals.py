"""Issue #24's goals, measured in one run beside their peers, as medians of ``--rounds``.

1. 100,000 starts x 2-D Rosenbrock x 200 AMSGrad (optax's form), final points only: the JAX
   engine's whole ``minimize`` call against a hand-written optax ``vmap`` + ``lax.scan`` loop on
   one device, as a user writes it (goal: >= 1.7x as fast); beside it both held to one core (a
   child process), since XLA may split optax's loop over the cores;
2. the same run with Gaussian gradient noise against the run without (goal: <= 1.3x); beside
   it optax's loop with the same draws (the library's streams and table);
3. one AMSGrad step (PyTorch's form) on 10 million coordinates, per step of a run, against
   ``torch.optim.Adam(amsgrad=True, fused=True)`` on 2 threads (goal: <= 1.2x), in a fresh
   process (``bench_engines.py --only-large``);
4. the adam-amsgrad experiment's full design, ``descentlab experiment adam-amsgrad``, on the
   JAX engine against the NumPy engine (goal: >= 10x as fast; one run each, as whole processes,
   compilation included; ``--skip-slow`` leaves it out: the NumPy run takes about 90 s);
5. the 10,000-setting x 5-seed heavy-ball sweep (``bench_sweep.py``) on the JAX engine with a
   file store against optax ``inject_hyperparams`` + ``vmap`` + ``scan`` (goal: <= 1.5x);
6. ``descentlab --help`` and ``descentlab tutorial momentum`` as whole processes against
   ``python -c "import numpy"`` (goal: <= 1.5x), from ``bench_startup.py``.

    python benchmarks/bench_engine_goals.py [--rounds 5] [--skip-slow] [--only many-starts]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

import descentlab as dl
from descentlab._machine import stamp

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import bench_engines  # noqa: E402
import bench_startup  # noqa: E402
import bench_sweep  # noqa: E402

ROWS: list[tuple[str, str, float, str, bool]] = []


def median_of(rounds: int, run) -> float:
    run()  # compiled and warm
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def report(goal: str, measured: str, ratio: float, wanted: str, met: bool) -> None:
    ROWS.append((goal, measured, ratio, wanted, met))
    print(f"   {goal}: {measured} -> {ratio:.2f}x (goal {wanted}): {'met' if met else 'NOT met'}")


def rosenbrock_starts() -> np.ndarray:
    return -2.048 + np.random.RandomState(0).rand(bench_engines.STARTS, 2) * 4.096


def many_start_times(rounds: int, noise: bool = True) -> tuple[float, float, float | None]:
    """Medians of the JAX engine's run, optax's loop and (with ``noise``) the noisy run."""
    problem = dl.get_function("rosenbrock", dim=2)
    x0 = rosenbrock_starts()
    optimizer = dl.AMSGradOptax(alpha=bench_engines.A, beta1=bench_engines.B1,
                                beta2=bench_engines.B2, eps=bench_engines.EPS)  # fmt: skip
    optax_run = jax.jit(bench_engines._optax_run)

    def ours(**extra):
        return lambda: dl.minimize(problem, optimizer, n_iter=bench_engines.ITERS, x0=x0,
                                   record="none", engine="jax", **extra)  # fmt: skip

    plain = median_of(rounds, ours())
    peer = median_of(rounds, lambda: optax_run(x0).block_until_ready())
    noisy = median_of(rounds, ours(noise=dl.GradientNoise(0.1), seed=1)) if noise else None
    return plain, peer, noisy


def optax_with_draws(rounds: int) -> float:
    """optax's hand-written loop with the engine's own Gaussian draws added to the gradient
    (the same per-start streams and table, from the library's code): beside the loop without
    them, what those numbers cost a plain fused loop."""
    import optax

    from descentlab.problems.stochastic.gaussian import table
    from descentlab.problems.stochastic.streams import StartStreams, stream_normals

    x0 = rosenbrock_starts()
    keys = StartStreams(1, bench_engines.STARTS, purpose="noise").keys
    rows = table()
    optimizer = optax.amsgrad(bench_engines.A, bench_engines.B1, bench_engines.B2,
                              bench_engines.EPS)  # fmt: skip

    def run(x0, keys):
        def one(x, key):
            def body(carry, i):
                x, state = carry
                z = stream_normals(key[None], 2 * i, 2, rows, jnp, even=True)[0]
                g = jax.grad(bench_engines._rosen)(x) + 0.1 * z
                updates, state = optimizer.update(g, state, x)
                return (optax.apply_updates(x, updates), state), None

            steps = jnp.arange(bench_engines.ITERS)
            return lax.scan(body, (x, optimizer.init(x)), steps)[0][0]

        return jax.vmap(one)(x0, keys)

    noisy = jax.jit(run)
    return median_of(rounds, lambda: noisy(x0, keys).block_until_ready())


def one_core_times(rounds: int) -> tuple[float, float]:
    """The engine's and optax's times in a process held to one core (one device, and XLA's
    thread pool of one)."""
    command = [sys.executable, __file__, "--one-core-child", "--rounds", str(rounds)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    plain, peer = map(float, out.split()[-2:])
    return plain, peer


def many_starts(rounds: int) -> None:
    plain, peer, noisy = many_start_times(rounds)
    print(f"1-2. {bench_engines.STARTS:,} starts x 2-D Rosenbrock x {bench_engines.ITERS} "
          f"AMSGrad: JAX engine {plain * 1e3:.0f} ms on {len(jax.devices())} devices, optax "
          f"{peer * 1e3:.0f} ms, with noise {noisy * 1e3:.0f} ms")  # fmt: skip
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if cores > 1:
        alone, peer_alone = one_core_times(rounds)
        spread = peer / (alone / cores)
        print(f"   held to one core: JAX engine {alone * 1e3:.0f} ms, optax {peer_alone * 1e3:.0f}"
              f" ms ({peer_alone / alone:.2f}x per core); optax's loop runs "
              f"{peer_alone / peer:.2f}x faster on {cores} cores (as far as XLA split its "
              f"fused steps over its threads in this process), so an engine spreading "
              f"perfectly over {cores} cores would be {spread:.2f}x optax")  # fmt: skip
    drawn = optax_with_draws(rounds)
    print(f"   optax's loop drawing the engine's own Gaussian numbers: {drawn * 1e3:.0f} ms, "
          f"{drawn / peer:.2f}x its time without them: what numbers equal to the NumPy "
          "engine's cost a plain fused loop")  # fmt: skip
    report("JAX engine speed / optax vmap+scan", f"{plain * 1e3:.0f} vs {peer * 1e3:.0f} ms",
           peer / plain, ">= 1.7x", peer / plain >= 1.7)  # fmt: skip
    report("with Gaussian noise / without", f"{noisy * 1e3:.0f} vs {plain * 1e3:.0f} ms",
           noisy / plain, "<= 1.3x", noisy / plain <= 1.3)  # fmt: skip


def big_vector(rounds: int) -> None:
    command = [sys.executable, str(HERE / "bench_engines.py"), "--only-large", "--rounds",
               str(rounds)]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    times = {}
    for line in out.splitlines():
        for name in ("JAX engine", "torch fused, 2 threads"):
            if line.strip().startswith(name) and line.strip().endswith("ms"):
                times[name] = float(line.split()[-2])
    ours, peer = times["JAX engine"], times["torch fused, 2 threads"]
    print(f"3. AMSGrad on 10M coordinates, per step: JAX engine {ours:.1f} ms, torch fused on 2 "
          f"threads {peer:.1f} ms")  # fmt: skip
    report("10M step, JAX engine / torch fused", f"{ours:.1f} vs {peer:.1f} ms", ours / peer,
           "<= 1.2x", ours / peer <= 1.2)  # fmt: skip


def experiment() -> None:
    script = str(Path(sys.executable).with_name("descentlab"))
    seconds = {}
    for engine in ("jax", "numpy"):
        began = time.perf_counter()
        subprocess.run([script, "experiment", "adam-amsgrad", "--engine", engine], check=True,
                       capture_output=True)  # fmt: skip
        seconds[engine] = time.perf_counter() - began
    print(f"4. adam-amsgrad, full design: JAX engine {seconds['jax']:.1f} s, NumPy engine "
          f"{seconds['numpy']:.1f} s (whole processes, compilation included)")  # fmt: skip
    speed = seconds["numpy"] / seconds["jax"]
    report("adam-amsgrad full design, NumPy / JAX", f"{seconds['numpy']:.1f} vs "
           f"{seconds['jax']:.1f} s", speed, ">= 10x", speed >= 10)  # fmt: skip


def sweep(rounds: int) -> None:
    from descentlab.sweeps import sweep as run_sweep

    folder = tempfile.mkdtemp()
    counter = iter(range(10**6))

    def ours():
        store = os.path.join(folder, f"sweep{next(counter)}.db")  # a new store: every cell runs
        run_sweep(bench_sweep.PROBLEM, "momentum", bench_sweep.GRID, seeds=bench_sweep.SEEDS,
                  n_iter=bench_sweep.N_ITER, target=bench_sweep.TARGET, engine="jax",
                  store=store)  # fmt: skip

    seconds = median_of(rounds, ours)
    peer = statistics.median(bench_sweep.time_optax()[1] for _ in range(rounds))
    print(f"5. 10,000 x 5 heavy-ball sweep: dl.sweep(engine='jax', store=file) {seconds:.2f} s, "
          f"optax inject_hyperparams + vmap + scan {peer:.2f} s")  # fmt: skip
    report("sweep on JAX with a store / optax", f"{seconds:.2f} vs {peer:.2f} s", seconds / peer,
           "<= 1.5x", seconds / peer <= 1.5)  # fmt: skip


def startup(rounds: int) -> None:
    times = bench_startup.wall_times(max(rounds * 4, 20))
    numpy = statistics.median(times[bench_startup.REFERENCE])
    print("6. start-up as whole processes, medians:")
    for name in bench_startup.GOALS:
        mine = statistics.median(times[name])
        report(f"{name} / import numpy", f"{mine * 1e3:.0f} vs {numpy * 1e3:.0f} ms",
               mine / numpy, "<= 1.5x", mine / numpy <= 1.5)  # fmt: skip


PARTS = {
    "many-starts": many_starts,
    "big-vector": big_vector,
    "experiment": lambda rounds: experiment(),
    "sweep": sweep,
    "startup": startup,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-slow", action="store_true", help="leave out the experiment")
    parser.add_argument("--only", choices=sorted(PARTS), help="measure one goal alone")
    parser.add_argument("--one-core-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_core_child:  # see one_core_times: two numbers on standard output
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # before JAX starts its backend
        plain, peer, _ = many_start_times(args.rounds, noise=False)
        print(plain, peer)
        return
    print(stamp(), f"; JAX {jax.__version__} on {len(jax.devices())} CPU devices")
    for name, part in PARTS.items():
        if args.only in (None, name) and not (name == "experiment" and args.skip_slow):
            part(args.rounds)
    print(f"\n{'goal':44s} {'ratio':>7s}  wanted   verdict")
    for goal, _, ratio, wanted, met in ROWS:
        print(f"{goal:44s} {ratio:6.2f}x  {wanted:8s} {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
