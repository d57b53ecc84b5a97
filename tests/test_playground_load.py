"""100 concurrent run requests on the loopback: all answered correctly, the server responsive."""

import json
import time
import urllib.request
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import descentlab as dl
from tests.playground_server import running_server


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return time.perf_counter() - began, answer


def test_100_concurrent_runs(capsys):
    starts = np.random.default_rng(0).uniform(-2, 2, size=(100, 2))
    bodies = [{"problem": {"function": "rosenbrock"}, "start": s.tolist(), "n_iter": 300,
               "optimizers": [{"name": "adam", "hyperparameters": {"alpha": 0.05}}]}
              for s in starts]  # fmt: skip
    with running_server() as base, ThreadPoolExecutor(max_workers=100) as pool:
        futures = [pool.submit(post, f"{base}/api/run", body) for body in bodies]
        wait(futures, return_when=FIRST_COMPLETED)  # the server is busy with the load now
        began = time.perf_counter()
        with urllib.request.urlopen(f"{base}/api/functions", timeout=30) as response:
            assert response.status == 200
        responsive = time.perf_counter() - began
        still_running = sum(not future.done() for future in futures)
        answers = [future.result() for future in futures]
    latencies = np.array([seconds for seconds, _ in answers])
    problem = dl.get_function("rosenbrock")
    for start, (_, answer) in zip(starts, answers, strict=True):
        alone = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=300, x0=start,
                            tol=dl.Tolerance(fun=1e-8), record="none")  # fmt: skip
        assert answer["runs"][0]["final_x"] == alone.x.tolist()
    with capsys.disabled():
        print(f"\n100 concurrent runs: p50 {np.percentile(latencies, 50) * 1e3:.0f} ms, "
              f"p99 {np.percentile(latencies, 99) * 1e3:.0f} ms; /api/functions during the "
              f"load ({still_running} runs unanswered): {responsive * 1e3:.0f} ms")  # fmt: skip
    assert responsive < 10 and still_running > 0
