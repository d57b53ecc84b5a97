"""Finite sums ``f(x) = mean_i f_i(x)``, their minibatch gradients, and the bundled data sets.

=============================  =============================================================
``least-squares``               ``f_i(x) = 1/2 (a_i . x - y_i)**2``
``logistic``                    ``f_i(x) = log(1 + exp(-y_i a_i . x)) + l2/2 ||x||**2``,
                                ``y_i`` in {-1, +1}
=============================  =============================================================

A run with ``batch_size=B`` gives each start its own order of the examples in every epoch
(sampling without replacement, from the start's stream), and the gradient at iteration ``i`` is
the mean over the ``i``-th batch of ``B`` examples of that order (the last batch of an epoch
may be smaller). Everything is computed with ``einsum``, row by row in the same order, so a
start's path is the same alone as in a batch. The objective ``f`` is the full mean over all
examples, which costs ``N`` times a minibatch gradient: a run evaluates it only at the
iterations it records (``record=k``).

The data sets come with scikit-learn (``pip install 'descentlab[data]'``), no download:
features are standardized; ``f*`` is computed once by SciPy's L-BFGS to ``gtol 1e-10``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.problem import Problem
from descentlab.problems.stochastic.streams import StartStreams

LOSSES = ("least-squares", "logistic")


@dataclass(frozen=True)
class FiniteSum(Problem):
    """The mean of ``N`` losses over the rows of ``features`` (``(N, p)``) and ``targets``."""

    costly_values: ClassVar[bool] = True

    features: np.ndarray | None = None
    targets: np.ndarray | None = None
    loss: str = "least-squares"
    l2: float = 0.0

    @property
    def n_examples(self) -> int:
        return len(self.targets)

    def batch_gradient(self, x, index):
        """The mean gradient over the examples ``index`` (``(n, B)``) for each start ``x[k]``
        (in the namespace of ``x``: the JAX engine traces it)."""
        xp = namespace(x)
        a = xp.take(xp.asarray(self.features), index, axis=0)  # (n, B, p)
        margin = xp.einsum("nbp,np->nb", a, x)
        weight = _loss_slope(xp, self.loss, margin, xp.take(xp.asarray(self.targets), index))
        g = xp.einsum("nbp,nb->np", a, weight) / index.shape[1]
        return g + self.l2 * x if self.l2 else g


def _loss_slope(xp, loss: str, margin, y):
    """d f_i / d (a_i . x) at the margins ``a_i . x``."""
    if loss == "least-squares":
        return margin - y
    return -y * xp.exp(-xp.logaddexp(0.0, y * margin))  # -y * sigmoid(-y m), stable


def _full_value(loss: str, a: np.ndarray, y: np.ndarray, l2: float, x):
    xp = namespace(x)
    margin = xp.einsum("np,...p->...n", xp.asarray(a), x)
    if loss == "least-squares":
        value = 0.5 * xp.mean((margin - y) ** 2, axis=-1)
    else:
        value = xp.mean(xp.logaddexp(0.0, -y * margin), axis=-1)
    return value + 0.5 * l2 * xp.einsum("...p,...p->...", x, x) if l2 else value


def _full_gradient(loss: str, a: np.ndarray, y: np.ndarray, l2: float, x):
    xp = namespace(x)
    margin = xp.einsum("np,...p->...n", xp.asarray(a), x)
    g = xp.einsum("...n,np->...p", _loss_slope(xp, loss, margin, y), xp.asarray(a)) / len(y)
    return g + l2 * x if l2 else g


def finite_sum(name: str, features: np.ndarray, targets: np.ndarray, loss: str,
               l2: float = 0.0) -> FiniteSum:  # fmt: skip
    """A finite-sum problem with its minimum found by L-BFGS; starts in ``[-1, 1]^p``."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    a, y = np.asarray(features, dtype=float), np.asarray(targets, dtype=float)
    x_star, f_star = reference_minimum(loss, a, y, l2)
    return FiniteSum(
        f=functools.partial(_full_value, loss, a, y, l2),
        grad=functools.partial(_full_gradient, loss, a, y, l2),
        bounds=[(-1.0, 1.0)] * a.shape[1],
        minimum=f_star,
        minimizers=x_star[np.newaxis],
        name=name,
        vectorized=True,
        features=a,
        targets=y,
        loss=loss,
        l2=l2,
    )


def reference_minimum(loss: str, a: np.ndarray, y: np.ndarray, l2: float):
    """``(x*, f*)`` by SciPy's L-BFGS-B to a gradient norm of 1e-10."""
    from scipy.optimize import minimize as scipy_minimize

    found = scipy_minimize(
        lambda x: (_full_value(loss, a, y, l2, x), _full_gradient(loss, a, y, l2, x)),
        np.zeros(a.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "ftol": 1e-16, "maxiter": 50_000, "maxcor": 30},
    )
    return found.x, float(found.fun)


@dataclass
class MinibatchSampler:
    """Which examples each start's gradient uses at each iteration (one order per epoch)."""

    n_examples: int
    batch_size: int
    streams: StartStreams
    _epoch: int = -1
    _order: np.ndarray | None = None

    @property
    def batches_per_epoch(self) -> int:
        return math.ceil(self.n_examples / self.batch_size)

    def order(self, epoch: int) -> np.ndarray:
        """Each start's order of the examples in ``epoch``, shape ``(n, N)``."""
        if epoch != self._epoch:
            keys = self.streams.words(epoch * self.n_examples, self.n_examples)
            self._order, self._epoch = np.argsort(keys, axis=1, kind="stable"), epoch
        return self._order

    def indices(self, iteration: int) -> np.ndarray:
        """The examples of the gradient at ``iteration`` (from 0), shape ``(n, B')``."""
        epoch, batch = divmod(iteration, self.batches_per_epoch)
        first = batch * self.batch_size
        return self.order(epoch)[:, first : first + self.batch_size]


def _standardized(features: np.ndarray) -> np.ndarray:
    scale = features.std(axis=0)
    return (features - features.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(
            "the data sets need scikit-learn and SciPy: pip install 'descentlab[data]'"
        ) from None
    return datasets


@functools.cache
def least_squares_diabetes() -> FiniteSum:
    """Least squares on scikit-learn's diabetes data (442 x 10), features and target
    standardized (no intercept needed)."""
    data = _sklearn_datasets().load_diabetes()
    y = data.target
    return finite_sum("least-squares-diabetes", _standardized(data.data),
                      (y - y.mean()) / y.std(), "least-squares")  # fmt: skip


def _with_intercept(features: np.ndarray) -> np.ndarray:
    return np.column_stack([_standardized(features), np.ones(len(features))])


@functools.cache
def logistic_breast_cancer(l2: float = 1e-3) -> FiniteSum:
    """L2-regularized logistic regression on scikit-learn's breast cancer data (569 x 30,
    malignant -1 / benign +1), standardized, with an intercept: p = 31."""
    data = _sklearn_datasets().load_breast_cancer()
    return finite_sum("logistic-breast-cancer", _with_intercept(data.data),
                      2.0 * data.target - 1.0, "logistic", l2)  # fmt: skip


@functools.cache
def logistic_digits(l2: float = 1e-3) -> FiniteSum:
    """L2-regularized logistic regression on scikit-learn's 8x8 digits (1797 x 64): digits
    0-4 against 5-9, standardized, with an intercept: p = 65."""
    data = _sklearn_datasets().load_digits()
    return finite_sum("logistic-digits", _with_intercept(data.data),
                      np.where(data.target >= 5, 1.0, -1.0), "logistic", l2)  # fmt: skip


DATA_PROBLEMS = {
    "least-squares-diabetes": least_squares_diabetes,
    "logistic-breast-cancer": logistic_breast_cancer,
    "logistic-digits": logistic_digits,
}
