"""The training workloads' data: each set split once into train, validation and test, offline.

- scikit-learn's bundled digits, breast cancer and diabetes (``descentlab[data]``): a fixed
  permutation (seed 0) puts 60% in train, 20% in validation, 20% in test; features are
  standardized with the train split's mean and deviation (so the held-out splits see nothing
  of themselves);
- MNIST-1D (Greydanus 2020; the ``mnist1d`` package generates its standard 4,000 / 1,000 set
  locally from its default arguments, seed 42, in about two seconds): the first 3,000 of its
  train set train, the last 1,000 validate, its 1,000 test examples test;
- DeepOBS's quadratic "data": 1,000 draws of ``N(0, 0.6^2 I)`` in 100 dimensions per split
  from ``RandomState`` seeds 42 (train), 44 (validation) and 43 (test), as DeepOBS draws them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from descentlab.problems.stochastic.finite_sum import _sklearn_datasets


@dataclass(frozen=True)
class Splits:
    """Features ``(N, p)`` and targets ``(N,)`` of each split."""

    train: tuple[np.ndarray, np.ndarray]
    valid: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]

    def by_name(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{"train": (a, y), "valid": ..., "test": ...}``."""
        return {"train": self.train, "valid": self.valid, "test": self.test}


def split(features: np.ndarray, targets: np.ndarray, seed: int = 0) -> Splits:
    """60 / 20 / 20 by a fixed permutation, standardized by the train split's statistics."""
    order = np.random.default_rng(seed).permutation(len(targets))
    cut1, cut2 = int(0.6 * len(order)), int(0.8 * len(order))
    parts = [order[:cut1], order[cut1:cut2], order[cut2:]]
    return _standardized_by_train(*[(features[p], targets[p]) for p in parts])


def _standardized_by_train(train, valid, test) -> Splits:
    mean, scale = train[0].mean(axis=0), train[0].std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    return Splits(*[((a - mean) / scale, y.astype(float)) for a, y in (train, valid, test)])


@functools.cache
def digits() -> Splits:
    data = _sklearn_datasets().load_digits()
    return split(data.data, data.target)


@functools.cache
def breast_cancer() -> Splits:
    """Malignant -1, benign +1."""
    data = _sklearn_datasets().load_breast_cancer()
    return split(data.data, 2.0 * data.target - 1.0)


@functools.cache
def diabetes() -> Splits:
    """The target standardized by the train split too."""
    data = _sklearn_datasets().load_diabetes()
    parts = split(data.data, data.target)
    mean, scale = parts.train[1].mean(), parts.train[1].std()
    return Splits(*[(a, (y - mean) / scale) for a, y in (parts.train, parts.valid, parts.test)])


@functools.cache
def mnist1d() -> Splits:
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise ImportError("the MNIST-1D workload needs the mnist1d package: "
                          "pip install 'descentlab[training]'") from None  # fmt: skip
    data = make_dataset(get_dataset_args())
    x, y = np.asarray(data["x"], dtype=float), np.asarray(data["y"])
    return _standardized_by_train((x[:3000], y[:3000]), (x[3000:], y[3000:]),
                                  (np.asarray(data["x_test"], dtype=float),
                                   np.asarray(data["y_test"])))  # fmt: skip


@functools.cache
def quadratic_points() -> Splits:
    """DeepOBS's draws; the targets are unused (zeros)."""
    draws = [np.random.RandomState(seed).normal(0.0, 0.6, (1000, 100)) for seed in (42, 44, 43)]
    return Splits(*[(x, np.zeros(len(x))) for x in draws])
