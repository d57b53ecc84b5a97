"""The playground's answers: one re-run as the page asks for it while a slider moves, and 100 at
once, against a server on 127.0.0.1 that this script starts and stops.

Goal (issue #11): a re-run of a 2-D problem, a few hundred iterations, well under 100 ms.

    python benchmarks/bench_playground.py
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import uvicorn

from descentlab.playground.app import create_app

BODY = {"problem": {"function": "rosenbrock"}, "start": [-1.5, 1.5], "n_iter": 300,
        "optimizers": [{"name": "momentum", "hyperparameters": {"step_size": 2e-4,
                                                                "momentum": 0.9}},
                       {"name": "adam", "hyperparameters": {"alpha": 0.05}}]}  # fmt: skip


def post(url: str) -> float:
    request = urllib.request.Request(url, data=json.dumps(BODY).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - began


def main() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}/api/run"
    try:
        single = [post(url) for _ in range(50)]
        with ThreadPoolExecutor(max_workers=100) as pool:
            crowd = list(pool.map(lambda _: post(url), range(100)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    print(f"one re-run (2 optimizers x 300 iterations, Rosenbrock): median "
          f"{np.median(single) * 1e3:.1f} ms, p99 {np.percentile(single, 99) * 1e3:.1f} ms "
          f"(goal: well under 100 ms)")  # fmt: skip
    print(f"100 at once: p50 {np.percentile(crowd, 50) * 1e3:.0f} ms, p99 "
          f"{np.percentile(crowd, 99) * 1e3:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    from descentlab._machine import stamp

    print(stamp())  # the machine and the date: ratios differ between CPUs
    main()
