"""The training workloads: a train objective with its structure, held-out splits, a metric,
a step budget and a minibatch size, each defined once.

==========================  ==================================================  ===========
workload                     model (train examples, parameters)                  target on
==========================  ==================================================  ===========
``quadratic-deep``           DeepOBS's noisy 100-D quadratic (1000, 100)         loss
``logistic-breast-cancer``   logistic regression, l2 1e-3 (341, 31)              loss
``least-squares-diabetes``   least squares (265, 10)                             loss
``softmax-digits``           multinomial logistic regression, l2 1e-4 (1078,     loss
                             W 64x10 + b)
``mlp-digits``               one tanh layer of 32, l2 1e-4 (1078, 2410)          accuracy
``cnn-digits``               3x3 convolution, 8 filters, tanh (1078, 2970)       accuracy
``mlp-mnist1d``              two tanh layers of 64 on MNIST-1D (3000, 7434)      accuracy
``matrix-sensing``           rank-2 20x20 matrix from Gaussian measurements,     loss
                             factors L R^T of rank 4 (600, 160)
``rnn-shakespeare``          character-level tanh RNN of 32 on Coriolanus        loss
                             (1877 windows of 16 + 1, 3396)
==========================  ==================================================  ===========

The convex ones know ``f*`` on their train split (SciPy's L-BFGS; DeepOBS's quadratic in closed
form), and so does matrix sensing (0: its measurements have no noise). Networks start from
Glorot's box, drawn from the run's seed; the linear models from 0, the quadratic from 1
(DeepOBS) and the factors of matrix sensing small. Every metric is computed on a split for
many parameter vectors at once (``(n, d)``): a whole study's trials in one call.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.benchmarking.training import data
from descentlab.problems.problem import Problem
from descentlab.problems.stochastic.finite_sum import _full_value, finite_sum
from descentlab.problems.stochastic.network import classification_metrics, forward, network

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class Workload:
    """A problem to train, how it is measured, and its budget."""

    name: str
    description: str
    build: Callable[[], tuple[Problem, Callable]] = None  # type: ignore[assignment]
    target_metric: str = "loss"
    steps: int = 1000
    batch_size: int = 64
    eval_every: int = 50
    start: str = "glorot"  # or "zeros", "ones"

    @property
    def higher_is_better(self) -> bool:
        return self.target_metric == "accuracy"

    @functools.cached_property
    def _built(self):
        return self.build()

    @property
    def problem(self) -> Problem:
        return self._built[0]

    def metrics(self, x: np.ndarray, split: str) -> dict[str, np.ndarray]:
        """Each metric (``loss``, and ``accuracy`` for classifiers) on ``split`` for every row
        of ``x`` (``(..., d)``); NaN for non-finite rows."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
        x = np.asarray(x, dtype=float)
        flat = x.reshape(-1, x.shape[-1])
        good = np.all(np.isfinite(flat), axis=1)
        out = {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values = self._built[1](np.where(good[:, None], flat, 0.0), split)
        for name, value in values.items():
            out[name] = np.where(good, value, np.nan).reshape(x.shape[:-1])
        return out

    def starts(self, n: int, seed: int) -> np.ndarray:
        """``n`` starting points: Glorot's box drawn from ``seed``, or the workload's fixed one."""
        d = self.problem.dim
        if self.start == "zeros":
            return np.zeros((n, d))
        if self.start == "ones":
            return np.ones((n, d))
        from descentlab.problems.starts import uniform_starts

        return uniform_starts(self.problem.bounds, n, seed)

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Workload) and other.name == self.name


def _linear(kind: str, splits: data.Splits, l2: float, name: str):
    """A linear model on ``splits`` (an intercept column added to the classifiers)."""

    def with_intercept(a):
        return np.column_stack([a, np.ones(len(a))]) if kind == "logistic" else a

    parts = {s: (with_intercept(a), y) for s, (a, y) in splits.by_name().items()}
    problem = finite_sum(name, *parts["train"], kind, l2)

    def metrics(x, split):
        a, y = parts[split]
        values = {"loss": _full_value(kind, a, y, 0.0, x)}
        if kind == "logistic":
            values["accuracy"] = np.mean(np.sign(x @ a.T) == y, axis=-1)
        return values

    floor = 0.0
    if kind == "least-squares":  # the best linear fit of the validation split itself
        a, y = parts["valid"]
        fitted = np.linalg.lstsq(a, y, rcond=None)[0]
        floor = float(_full_value(kind, a, y, 0.0, fitted))
    return problem, metrics, floor


def _classifier(splits: data.Splits, hidden: int, depth: int, l2: float, name: str):
    problem = network(name, *splits.train, hidden=hidden, l2=l2, depth=depth)
    if depth == 0:  # convex: f* on the train split by L-BFGS
        problem = dataclasses.replace(problem, minimum=_lbfgs_minimum(problem))
    widths = problem.shapes
    parts = splits.by_name()

    def metrics(x, split):
        a, y = parts[split]
        return classification_metrics(forward(x, a, widths)[1], y, problem.classes)

    return problem, metrics, 0.0


def _convolutional(splits: data.Splits, channels: int, l2: float, name: str):
    from descentlab.benchmarking.training import convnet as cnn

    problem = cnn.convnet(name, *splits.train, channels=channels, l2=l2)
    parts = {s: (cnn.patches(a), y) for s, (a, y) in splits.by_name().items()}

    def metrics(x, split):
        p, y = parts[split]
        return classification_metrics(cnn.forward(x, p, channels, problem.classes)[1], y,
                               problem.classes)  # fmt: skip

    return problem, metrics, 0.0


def _matrix_sensing():
    from descentlab.benchmarking.training import matrix_sensing as ms

    splits, truth = ms.sensing_splits()
    problem = ms.matrix_sensing("matrix-sensing", splits, truth)
    parts = splits.by_name()

    def metrics(x, split):
        a, y = parts[split]
        return {"loss": ms.loss(x, a, y, problem.side, problem.factor_rank)}

    return problem, metrics, 0.0


def _char_rnn():
    from descentlab.benchmarking.training import charlm

    splits = charlm.windows()
    problem = charlm.char_rnn("rnn-shakespeare", splits.train[0])
    parts = {s: codes.astype(int) for s, (codes, _) in splits.by_name().items()}
    return problem, lambda x, split: charlm.metrics(x, parts[split], problem.hidden), 0.0


def _lbfgs_minimum(problem: Problem) -> float:
    from scipy.optimize import minimize as scipy_minimize

    found = scipy_minimize(lambda x: (float(problem.f(x)), problem.grad(x)),
                           np.zeros(problem.dim), jac=True, method="L-BFGS-B",
                           options={"gtol": 1e-10, "ftol": 1e-16, "maxiter": 50_000})  # fmt: skip
    return float(found.fun)


def _quadratic_deep():
    from descentlab.benchmarking.training.quadratic_deep import (
        QuadraticLoss,
        hessian,
        quadratic_deep,
    )

    splits = data.quadratic_points()
    losses = {s: QuadraticLoss.of(hessian(), points) for s, (points, _) in
              splits.by_name().items()}  # fmt: skip
    # the lowest validation loss: at the validation points' mean, their spread
    return quadratic_deep(splits.train[0]), lambda x, split: {
        "loss": losses[split](x)}, losses["valid"].spread  # fmt: skip


WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("quadratic-deep", "DeepOBS's noisy quadratic with a deep-learning spectrum",
             _quadratic_deep, "loss", steps=800, batch_size=128, eval_every=40, start="ones"),
    Workload("logistic-breast-cancer", "logistic regression on breast cancer (convex)",
             lambda: _linear("logistic", data.breast_cancer(), 1e-3, "logistic-breast-cancer"),
             "loss", steps=600, batch_size=32, eval_every=30, start="zeros"),
    Workload("least-squares-diabetes", "least squares on diabetes (convex)",
             lambda: _linear("least-squares", data.diabetes(), 0.0, "least-squares-diabetes"),
             "loss", steps=500, batch_size=32, eval_every=25, start="zeros"),
    Workload("softmax-digits", "multinomial logistic regression on digits (convex)",
             lambda: _classifier(data.digits(), 1, 0, 1e-4, "softmax-digits"),
             "loss", steps=1000, batch_size=64, eval_every=50, start="zeros"),
    Workload("mlp-digits", "a tanh network of one hidden layer (32) on digits",
             lambda: _classifier(data.digits(), 32, 1, 1e-4, "mlp-digits"),
             "accuracy", steps=1000, batch_size=64, eval_every=50),
    Workload("cnn-digits", "a 3x3 convolution (8 filters), tanh, softmax on digits",
             lambda: _convolutional(data.digits(), 8, 1e-4, "cnn-digits"),
             "accuracy", steps=1000, batch_size=64, eval_every=50),
    Workload("mlp-mnist1d", "a tanh network of two hidden layers (64) on MNIST-1D",
             lambda: _classifier(data.mnist1d(), 64, 2, 1e-4, "mlp-mnist1d"),
             "accuracy", steps=2000, batch_size=100, eval_every=100),
    Workload("matrix-sensing", "a rank-2 matrix recovered from Gaussian measurements by "
             "factors of rank 4", _matrix_sensing, "loss", steps=600, batch_size=32,
             eval_every=30),
    Workload("rnn-shakespeare", "a character-level recurrent network (tanh, 32) on Coriolanus",
             _char_rnn, "loss", steps=600, batch_size=32, eval_every=60),
)}  # fmt: skip


def target_floor(workload: Workload) -> float:
    """The lowest validation loss any parameters reach (0 where not known in closed form)."""
    return workload._built[2]


def get_workload(name: str) -> Workload:
    if name not in WORKLOADS:
        raise ValueError(f"unknown workload {name!r}: choose one of {', '.join(WORKLOADS)}")
    return WORKLOADS[name]
