"""Sweeps on Dask: a LocalCluster of 2 worker processes on the loopback.

Chunks run on the workers and stream back into the store; the numbers equal the single-process
sweep bit for bit; a worker killed with SIGKILL mid-sweep loses nothing (Dask reruns its chunk).
"""

import os
import signal
import sqlite3

import pytest

from descentlab.sweeps import sweep

distributed = pytest.importorskip("distributed")

GRID = {"step_size": "log:1e-5:1e-3:40"}
SETTINGS = {"seeds": 4, "n_iter": 3000, "target": 1e-10}
NUMBERS = ["step_size", "seed", "final_gap", "start_gap", "iterations", "status", "cell"]


@pytest.fixture(scope="module")
def single_process():
    return sweep("rosenbrock", "gd", GRID, **SETTINGS)


@pytest.fixture
def client():
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
               "dashboard_address": "127.0.0.1:0", "silence_logs": 50}  # fmt: skip
    with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as c:
        yield c


def test_workers_give_the_single_process_numbers(single_process, client, tmp_path):
    store = tmp_path / "dask.db"
    seen = []
    on_workers = sweep("rosenbrock", "gd", GRID, **SETTINGS, client=client, store=store,
                       chunk_size=3, progress=lambda done, total, _: seen.append(done))  # fmt: skip
    assert on_workers[NUMBERS].equals(single_process[NUMBERS])
    assert len(seen) == 1 + 14  # 40 settings in chunks of 3, each written as it arrived
    ran = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(ran) == 2 and all(count > 0 for count in ran.values())  # both workers worked
    assert sum(ran.values()) >= 14


def test_a_killed_worker_loses_nothing(single_process, client, tmp_path):
    store = tmp_path / "killed.db"
    victims = []

    def kill_one_worker(done, total, label):
        if done and not victims:
            pids = client.run(os.getpid)
            victims.append(next(iter(pids.values())))
            os.kill(victims[0], signal.SIGKILL)

    result = sweep("rosenbrock", "gd", GRID, **SETTINGS, client=client, store=store,
                   chunk_size=2, progress=kill_one_worker)  # fmt: skip
    assert victims, "no worker was killed"
    assert result[NUMBERS].equals(single_process[NUMBERS])
    with sqlite3.connect(store) as db:
        counts = db.execute("SELECT COUNT(*), COUNT(DISTINCT hash) FROM cells").fetchone()
    assert counts == (160, 160)


def test_workers_option_starts_and_stops_a_local_cluster(single_process):
    result = sweep("rosenbrock", "gd", GRID, **SETTINGS, workers=2)
    assert result[NUMBERS].equals(single_process[NUMBERS])
    with pytest.raises(ValueError, match="either client"):
        sweep("sphere", "gd", {"step_size": [0.1]}, workers=2, client=object())


def test_cli_workers(capsys, tmp_path, single_process):
    from descentlab.cli import main

    out = tmp_path / "cells.csv"
    code = main(["sweep", "gd", "-f", "rosenbrock", "--grid", "step_size=log:1e-5:1e-3:40",
                 "--seeds", "4", "--n-iter", "3000", "--target", "1e-10", "--workers", "2",
                 "--no-store", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    import pandas as pd

    table = pd.read_csv(out)
    assert table["cell"].tolist() == single_process["cell"].tolist()
    assert table["final_gap"].tolist() == single_process["final_gap"].tolist()


class _Service:
    """A TCP service on the loopback that greets each connection with ``greeting`` (or stays
    silent), for the scheduler probe."""

    def __init__(self, greeting: bytes | None):
        import socket
        import threading

        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.greeting, self.done = greeting, threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        connection, _ = self.server.accept()
        with connection:
            if self.greeting is not None:
                connection.sendall(self.greeting)
            self.done.wait(30)

    def close(self):
        self.done.set()
        self.thread.join(5)
        self.server.close()


@pytest.mark.parametrize(
    ("greeting", "message"),
    [
        (None, "said nothing for 0.5 s"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "is not a Dask scheduler (it answered b'HTTP/1.1"),
        (b"\xff" * 8 + b"x" * 40, "is not a Dask scheduler"),  # a length of 2**64 - 1 bytes
    ],
)
def test_a_scheduler_address_that_is_not_dask_is_named_quickly(capsys, monkeypatch, greeting,
                                                               message):  # fmt: skip
    """The finding: --scheduler at a service that is not Dask hung past 60 s or reported
    'out of memory' (it read an HTTP answer as a 3 EiB length)."""
    import time

    from descentlab.cli import main
    from descentlab.sweeps import distributed as ours

    monkeypatch.setattr(ours, "SCHEDULER_TIMEOUT", 0.5)
    service = _Service(greeting)
    try:
        began = time.monotonic()
        code = main(["sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1", "--no-store",
                     "--scheduler", service.address])  # fmt: skip
        took = time.monotonic() - began
    finally:
        service.close()
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert took < 10


def test_a_real_scheduler_passes_the_probe(client):
    from descentlab.sweeps.distributed import probe_scheduler

    probe_scheduler(client.scheduler.address, timeout=5)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        probe_scheduler("http://127.0.0.1:80/x")
