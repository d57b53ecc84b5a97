"""A 10,000-setting heavy-ball sweep: descentlab against a Python loop and against optax + vmap.

The sweep of issue #9: step size log:1e-3:1:100 x momentum lin:0:0.99:100 = 10,000 settings,
5 seeds each (50,000 runs), on the kappa = 100 quadratic (d = 5), 500 iterations, each run
stopping at f - f* <= 1e-8. Contenders, in one process:

- ``dl.sweep``: the whole call (cell hashes, one vectorized batch, the in-memory store, the
  DataFrame);
- a Python loop calling ``dl.minimize`` once per setting (its 5 seeds as one batch of 5),
  timed on ``--loop-settings`` settings and scaled to 10,000 (said in the output);
- optax: ``inject_hyperparams(sgd)(learning_rate, momentum)`` (the same heavy ball: its trace
  ``g + momentum * trace`` times the learning rate is the tutorial's change), ``jax.vmap`` over
  the 50,000 (setting, seed) rows and ``lax.scan`` over 500 steps, float64, recording the first
  iteration at the target; compilation timed apart. It runs every row for all 500 steps (no
  early stop), as a vmapped scan does.

Both report iterations to the target per row; the share of rows whose counts agree is printed.

``--dask`` also times the same sweep (at 2,000 iterations, 40 chunks) on local Dask clusters
of 1 and 2 worker processes (cluster start excluded) and prints the speedup.

    python benchmarks/bench_sweep.py [--loop-settings 500] [--dask]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import descentlab as dl
from descentlab.sweeps import CatalogProblem, make_grid, sweep

PROBLEM = CatalogProblem("quadratic", 5, (("kappa", 100.0),))
GRID = {"step_size": "log:1e-3:1:100", "momentum": "lin:0:0.99:100"}
SEEDS, N_ITER, TARGET = 5, 500, 1e-8


def time_sweep(engine: str = "numpy") -> tuple[float, np.ndarray]:
    began = time.perf_counter()
    frame = sweep(PROBLEM, "momentum", GRID, seeds=SEEDS, n_iter=N_ITER, target=TARGET,
                  engine=engine)  # fmt: skip
    seconds = time.perf_counter() - began
    return seconds, frame["iterations"].fillna(-1).to_numpy(dtype=int)


def time_loop(n_settings: int) -> float:
    problem = PROBLEM.build()
    columns = make_grid(GRID).columns()
    starts = np.stack([dl.uniform_starts(problem.bounds, None, s) for s in range(SEEDS)])
    pick = np.linspace(0, len(columns["step_size"]) - 1, n_settings).astype(int)
    began = time.perf_counter()
    for k in pick:
        optimizer = dl.Momentum(step_size=columns["step_size"][k], momentum=columns["momentum"][k])
        dl.minimize(problem, optimizer, n_iter=N_ITER, x0=starts, tol=dl.Tolerance(fun=TARGET),
                    record="none")  # fmt: skip
    return (time.perf_counter() - began) * len(columns["step_size"]) / n_settings


def time_optax() -> tuple[float, float, np.ndarray] | None:
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    problem = PROBLEM.build()
    columns = make_grid(GRID).columns()
    starts = np.stack([dl.uniform_starts(problem.bounds, None, s) for s in range(SEEDS)])
    lr = jnp.asarray(np.repeat(columns["step_size"], SEEDS))
    mom = jnp.asarray(np.repeat(columns["momentum"], SEEDS))
    x0 = jnp.asarray(np.tile(starts, (len(columns["step_size"]), 1)))
    eigen = jnp.asarray(100.0 ** (np.arange(5) / 4))

    def f(x):
        return 0.5 * jnp.sum(eigen * x**2)

    def one_run(x, rate, momentum):
        opt = optax.inject_hyperparams(optax.sgd)(learning_rate=rate, momentum=momentum)

        def step(carry, i):
            x, state, hit = carry
            updates, state = opt.update(jax.grad(f)(x), state)
            x = optax.apply_updates(x, updates)
            hit = jnp.where((hit < 0) & (f(x) <= TARGET), i + 1, hit)
            return (x, state, hit), None

        start_hit = jnp.where(f(x) <= TARGET, 0, -1)
        (x, _, hit), _ = jax.lax.scan(step, (x, opt.init(x), start_hit), jnp.arange(N_ITER))
        return hit

    run = jax.jit(jax.vmap(one_run))
    began = time.perf_counter()
    run(x0, lr, mom).block_until_ready()
    first = time.perf_counter() - began
    began = time.perf_counter()
    hits = run(x0, lr, mom).block_until_ready()
    return first, time.perf_counter() - began, np.asarray(hits)


def time_dask() -> None:
    import distributed

    grid = {"step_size": "log:1e-3:1:100", "momentum": "lin:0:0.99:100"}
    timings = {}
    for workers in (1, 2):
        options = {"n_workers": workers, "threads_per_worker": 1, "processes": True,
                   "host": "127.0.0.1", "dashboard_address": None, "silence_logs": 50}  # fmt: skip
        with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as client:
            began = time.perf_counter()
            sweep(PROBLEM, "momentum", grid, seeds=SEEDS, n_iter=2000, target=TARGET,
                  client=client, chunk_size=250)  # fmt: skip
            timings[workers] = time.perf_counter() - began
    print(f"dask, 2,000 iterations, 40 chunks: 1 worker {timings[1]:.2f} s, 2 workers "
          f"{timings[2]:.2f} s: speedup {timings[1] / timings[2]:.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-settings", type=int, default=500)
    parser.add_argument("--dask", action="store_true")
    args = parser.parse_args()
    sweep(PROBLEM, "momentum", {"step_size": [0.01], "momentum": [0.5]}, seeds=1)  # warm up
    ours, iterations = time_sweep()
    print(f"dl.sweep, 10,000 settings x {SEEDS} seeds, {N_ITER} iterations: {ours:.2f} s")
    loop = time_loop(args.loop_settings)
    print(f"Python loop over minimize ({args.loop_settings} settings timed, scaled to 10,000): "
          f"{loop:.1f} s -> dl.sweep is {loop / ours:.1f}x faster")  # fmt: skip
    try:
        sweep(PROBLEM, "momentum", GRID, seeds=SEEDS, n_iter=N_ITER, target=TARGET, engine="jax")
        compiled, compiled_iterations = time_sweep("jax")  # the second call: compiled already
        agree = np.mean(compiled_iterations == iterations)
        print(f"dl.sweep(engine='jax'): {compiled:.2f} s -> {ours / compiled:.1f}x the NumPy "
              f"engine; iterations to target agree on {agree:.1%} of rows")  # fmt: skip
    except ImportError:
        compiled = None
        print("dl.sweep(engine='jax'): JAX not installed")
    peer = time_optax()
    if peer is None:
        print("optax: not installed (pip install optax)")
    else:
        compile_and_run, run_only, hits = peer
        agree = np.mean(hits == iterations)
        print(f"optax inject_hyperparams + vmap + scan: {run_only:.2f} s (first call with "
              f"compilation {compile_and_run:.2f} s) -> dl.sweep / optax = {ours / run_only:.2f}x; "
              f"iterations to target agree on {agree:.1%} of rows")  # fmt: skip
        if compiled is not None:
            print(f"  dl.sweep(engine='jax') / optax = {compiled / run_only:.2f}x")
    if args.dask:
        time_dask()


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
