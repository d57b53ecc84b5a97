"""A run on big arrays reuses the memory its steps free, instead of faulting in fresh pages."""

import resource
import sys

import numpy as np
import pytest

import descentlab as dl
from descentlab.engines.numpy_engine import allocator as _allocator

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or _allocator._mallopt() is None,
    reason="glibc's mallopt decides where freed blocks go",
)

SIZE = 5_000_000  # 40 MB per array: above the 32 MiB glibc hands out as fresh pages


def faults_per_step(keep_freed: bool) -> float:
    problem = dl.Problem(lambda x: (x**2).sum(axis=-1), grad=lambda x: 2.0 * x, vectorized=True)
    x0 = np.random.default_rng(0).standard_normal(SIZE)
    optimizer = dl.AMSGradPyTorch(alpha=1e-3)
    threshold = _allocator.BIG_ARRAY_BYTES
    if not keep_freed:
        _allocator.BIG_ARRAY_BYTES = 2**62  # the runner then leaves glibc as it is
    try:
        dl.minimize(problem, optimizer, n_iter=2, x0=x0, record="none")  # the heap grows once
        counts = []
        for n_iter in (2, 8):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            dl.minimize(problem, optimizer, n_iter=n_iter, x0=x0, record="none")
            counts.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    finally:
        _allocator.BIG_ARRAY_BYTES = threshold
    return (counts[1] - counts[0]) / 6


@pytest.mark.slow
def test_steps_on_big_arrays_take_no_fresh_memory():
    assert faults_per_step(keep_freed=True) < 500
    # without it every step faults its new arrays in: 40 MB is ~10,000 pages per array
    assert faults_per_step(keep_freed=False) > 5_000
