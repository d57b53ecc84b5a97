"""One step of the matrix-aware optimizers on a big weight, beside their twins in one process.

Goals (issue #33): one Muon step on a 4096 x 4096 float32 matrix within 1.5x of
``torch.optim.Muon`` (the same five Newton-Schulz steps), one Adafactor step within 1.5x of
``torch.optim.Adafactor`` and one SOAP step within 1.5x of ``pytorch-optimizer``'s SOAP.
descentlab's step runs through its PyTorch bridge (``descentlab.torch.Optimizer``) on the
same parameter and gradient; rounds alternate ours and the twin's, and the ratio printed is
of the medians. ``torch.optim.Muon`` runs its Newton-Schulz iteration in bfloat16, and so does
ours with ``ns_dtype="bfloat16"`` (the default here); ``--ns-dtype float32`` runs both in
float32 (PyTorch's by patching that one function), the arithmetic of the twin tests.

With ``--compile`` the bridge runs the same steps through ``torch.compile`` (issue #34).

    python benchmarks/bench_matrix_optimizers.py [--size 4096] [--rounds 5] [--ns-dtype bfloat16]
                                                 [--compile]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import time
from unittest import mock

import torch

import descentlab as dl
from descentlab.torch import Optimizer


def parameter(size: int) -> torch.nn.Parameter:
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(size, size) * 0.02)
    p.grad = torch.randn(size, size) * 0.01
    return p


def seconds(make, size: int, steps: int) -> float:
    """The median time of one step after the first two (the first makes the state, the
    second compiles when the bridge compiles)."""
    p = parameter(size)
    optimizer = make([p])
    optimizer.step()
    optimizer.step()
    began = time.perf_counter()
    for _ in range(steps):
        optimizer.step()
    return (time.perf_counter() - began) / steps


def float32_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    """torch.optim.Muon's iteration in the input's dtype (PyTorch casts to bfloat16)."""
    a, b, c = ns_coefficients
    tall = grad.size(0) > grad.size(1)
    x = grad.T if tall else grad.clone()
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = torch.addmm(x, torch.addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def pairs(size: int, ns_dtype: str, compiled: bool):
    import pytorch_optimizer as po

    def bridge(update):
        return lambda p: Optimizer(p, update, compile=compiled)

    ours = "input" if ns_dtype == "float32" else "bfloat16"
    yield ("muon", bridge(dl.MuonPyTorch(0.02, weight_decay=0.1, ns_dtype=ours)),
           lambda p: torch.optim.Muon(p, lr=0.02, weight_decay=0.1), size)  # fmt: skip
    yield ("adafactor", bridge(dl.Adafactor(0.01)),
           lambda p: torch.optim.Adafactor(p, lr=0.01), size)  # fmt: skip
    # SOAP refreshes its eigenbases every `frequency` steps: both at 10, so a run of 10 steps
    # holds one refresh each; a 4096 eigendecomposition takes minutes on a CPU, so SOAP is
    # timed on a 1024 x 1024 matrix
    soap = min(size, 1024)
    yield ("soap", bridge(dl.SOAP(0.003, frequency=10)),
           lambda p: po.SOAP(p, lr=0.003, precondition_frequency=10), soap)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ns-dtype", choices=["bfloat16", "float32"], default="bfloat16")
    parser.add_argument("--compile", action="store_true", help="the bridge's compile=True")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}, {datetime.date.today()}, Newton-Schulz in "
          f"{args.ns_dtype}, bridge {'compiled' if args.compile else 'eager'}")  # fmt: skip
    patch = (mock.patch("torch.optim._muon._zeropower_via_newtonschulz", float32_newton_schulz)
             if args.ns_dtype == "float32" else mock.patch.dict({}))  # fmt: skip
    with patch:
        for name, ours, twin, size in pairs(args.size, args.ns_dtype, args.compile):
            steps = 10 if name == "soap" else 3
            mine, theirs = [], []
            for _ in range(args.rounds):  # alternated, so load drifts hit both
                mine.append(seconds(ours, size, steps))
                theirs.append(seconds(twin, size, steps))
            a, b = statistics.median(mine), statistics.median(theirs)
            verdict = "met" if a <= 1.5 * b else "NOT met"
            print(f"{name:10s} {size}x{size} float32: descentlab {a * 1e3:8.1f} ms, twin "
                  f"{b * 1e3:8.1f} ms, ratio {a / b:5.2f} (goal <= 1.5: {verdict}); "
                  f"ours {min(mine) * 1e3:.1f}-{max(mine) * 1e3:.1f} ms, twin "
                  f"{min(theirs) * 1e3:.1f}-{max(theirs) * 1e3:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
