"""The optimizers after 2018, each proven equal to its twins in float64 on a small network.

The network is two layers (tanh, softmax cross-entropy) on 64 fixed points: parameters W1
(4, 8), b1 (8,), W2 (8, 3), b2 (3,), which descentlab sees as one vector with that structure
and the twins as four tensors (or an optax tree). Every side takes its gradients from the same
NumPy function at its own iterates, so a difference is the optimizers' arithmetic, and every
iterate of 60 steps must agree to 1e-12 relative to the largest coordinate, unless the case
says why its twin cannot be matched that closely (and how closely it is held). The methods
that precondition with each block's eigenvectors (SOAP, Shampoo) are compared on a sequence of
gradients over square blocks instead, whose eigenvectors are unique (see SEQUENCE).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from unittest import mock

import jax
import numpy as np
import optax
import optax.contrib
import pytest
import torch

import descentlab as dl
from descentlab._structure import Structure

jax.config.update("jax_enable_x64", True)

N_STEPS = 60
RTOL = 1e-12
SHAPES = [(4, 8), (8,), (8, 3), (3,)]
STRUCTURE = Structure.of(
    [(name, shape) for name, shape in zip(("W1", "b1", "W2", "b2"), SHAPES, strict=True)]
)
_rng = np.random.RandomState(1)
X, LABELS = _rng.normal(size=(64, 4)), _rng.randint(0, 3, size=64)
ONE_HOT = np.eye(3)[LABELS]


def parts(w: np.ndarray) -> list[np.ndarray]:
    out, start = [], 0
    for shape in SHAPES:
        size = int(np.prod(shape))
        out.append(w[start : start + size].reshape(shape))
        start += size
    return out


def flat(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in arrays])


def loss(w: np.ndarray) -> float:
    W1, b1, W2, b2 = parts(w)
    logits = np.tanh(X @ W1 + b1) @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - (shifted * ONE_HOT).sum(axis=1)))


def gradient(w: np.ndarray) -> np.ndarray:
    """The loss's gradient by backpropagation (tested against finite differences below)."""
    W1, b1, W2, b2 = parts(w)
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    d_logits = (p / p.sum(axis=1, keepdims=True) - ONE_HOT) / len(X)
    d_h = d_logits @ W2.T * (1 - h**2)
    return flat([X.T @ d_h, d_h.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0)])


@dataclass(frozen=True)
class Task:
    """Where the sides run: the blocks, the start, and the gradient at step k and point w."""

    shapes: tuple
    w0: np.ndarray
    gradient: Any  # (k, w) -> the gradient, one vector

    @property
    def structure(self) -> Structure:
        return Structure.of([(f"p{k}", shape) for k, shape in enumerate(self.shapes)])

    def parts(self, w):
        out, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            out.append(np.asarray(w)[start : start + size].reshape(shape))
            start += size
        return out


NETWORK = Task(
    tuple(SHAPES),
    np.random.RandomState(0).normal(size=STRUCTURE.dim) * 0.5,
    lambda k, w: gradient(w),
)
# Full-rank square blocks (and a vector): every block's second moments have distinct
# eigenvalues from the first step on, so their eigenvectors are defined up to sign only.
_SQUARE = ((5, 5), (5,), (3, 3))
_seq = np.random.RandomState(0)
_W0_SEQ = _seq.normal(size=39)
_GRADIENTS = _seq.normal(size=(N_STEPS, 39))
SEQUENCE = Task(_SQUARE, _W0_SEQ, lambda k, w: _GRADIENTS[k])


def run_ours(optimizer, task=NETWORK, steps=N_STEPS):
    """The points descentlab steps (the gradient's) and those users evaluate, per step."""
    if optimizer.uses_structure:
        optimizer = optimizer.bound(task.structure)
    x, state, path, evaluated = task.w0.copy(), optimizer.init(task.w0.copy()), [], []
    for k in range(steps):
        x, state = optimizer.step(x, task.gradient(k, x), state)
        path.append(np.array(x))
        evaluated.append(np.array(optimizer.evaluation_point(x, state)))
    return np.stack(path), np.stack(evaluated)


def run_torch(make, task=NETWORK, evaluate=None):
    """A torch.optim-style twin over one tensor per block; ``evaluate(opt, params)`` gives the
    point users evaluate (schedule-free's ``eval()``)."""
    params = [torch.nn.Parameter(torch.tensor(p.copy())) for p in task.parts(task.w0)]
    opt = make(params)
    path, evaluated = [], []
    for k in range(N_STEPS):
        grads = task.parts(task.gradient(k, flat(p.detach().numpy() for p in params)))
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.tensor(g.copy())
        opt.step()
        path.append(flat(p.detach().numpy() for p in params))
        if evaluate is not None:
            evaluated.append(evaluate(opt, params))
    return np.stack(path), (np.stack(evaluated) if evaluate else None)


def run_optax(transform, task=NETWORK, evaluate=None, wrap=None, unwrap=None):
    """An optax twin over the tree of blocks (``wrap``/``unwrap``: Lookahead's pair of
    parameters); ``evaluate(state, params)`` gives the point users evaluate."""
    tree = [jax.numpy.asarray(p) for p in task.parts(task.w0)]
    params = wrap(tree) if wrap else tree
    state, path, evaluated = transform.init(params), [], []
    update = jax.jit(transform.update)
    for k in range(N_STEPS):
        at = flat(unwrap(params) if unwrap else params)
        grads = [jax.numpy.asarray(g) for g in task.parts(task.gradient(k, at))]
        updates, state = update(grads, state, params)
        params = optax.apply_updates(params, updates)
        path.append(flat(unwrap(params) if unwrap else params))
        if evaluate is not None:
            evaluated.append(flat(evaluate(state, params)))
    return np.stack(path), (np.stack(evaluated) if evaluate else None)


def relative_error(ours, reference) -> float:
    return float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))


@dataclass(frozen=True)
class Twin:
    id: str
    ours: Any
    run: Any  # () -> (path, the evaluated points or None)
    task: Task = NETWORK
    rtol: float = RTOL
    why: str = ""  # what keeps the twin from 1e-12, when rtol is wider
    exact_steps: int = N_STEPS  # the first steps, held to 1e-12 whatever rtol is


def torch_twin(id, ours, make, task=NETWORK, evaluate=None, **kw):
    return Twin(id, ours, lambda: run_torch(make, task, evaluate), task, **kw)


def optax_twin(id, ours, transform, task=NETWORK, **kw):
    run_kw = {k: kw.pop(k) for k in ("evaluate", "wrap", "unwrap") if k in kw}
    return Twin(id, ours, lambda: run_optax(transform, task, **run_kw), task, **kw)


def schedule_free_torch_x(opt, params):
    """schedulefree's point to evaluate: eval() puts x in the parameters, train() puts y back."""
    opt.eval()
    x = flat(p.detach().numpy() for p in params)
    opt.train()
    return x


def training(opt):
    opt.train()  # schedulefree's optimizers step only in train mode
    return opt


def sam_optax_point(state, params):
    """optax's SAM: during an ascent (one step into the cycle) the cache holds the point."""
    return state.cache if int(state.steps_since_sync) == 1 else params


def same_dtype_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    """torch.optim.Muon's Newton-Schulz iteration, run in the input's dtype (PyTorch's casts to
    bfloat16, which no float64 run can match)."""
    a, b, c = ns_coefficients
    tall = grad.size(0) > grad.size(1)
    x = grad.T if tall else grad.clone()
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def run_muon_pytorch():
    with mock.patch("torch.optim._muon._zeropower_via_newtonschulz", same_dtype_newton_schulz):
        return run_torch(muon_pytorch)


def muon_pytorch(params):
    """torch.optim.Muon on the matrices, torch.optim.AdamW on the rest (as PyTorch pairs them)."""
    matrices = [p for p in params if p.ndim == 2]
    rest = [p for p in params if p.ndim != 2]
    muon = torch.optim.Muon(matrices, lr=0.02, weight_decay=0.1)
    adamw = torch.optim.AdamW(rest, lr=0.02, weight_decay=0.1)
    return _Both(muon, adamw)


class _Both:
    def __init__(self, *optimizers):
        self.optimizers = optimizers

    def step(self):
        for opt in self.optimizers:
            opt.step()


def _twins() -> list[Twin]:
    import dadaptation
    import dog
    import prodigyopt
    import pytorch_optimizer as po
    import schedulefree

    C = optax.contrib
    return [
        # learning-rate-free
        optax_twin("prodigy-optax", dl.Prodigy(weight_decay=0.01), C.prodigy(weight_decay=0.01)),
        torch_twin(
            "prodigy-prodigyopt",
            dl.Prodigy(d_coef=0.5),
            lambda p: prodigyopt.Prodigy(p, d_coef=0.5, use_bias_correction=True),
        ),
        torch_twin(
            "prodigy-decay-prodigyopt",
            dl.Prodigy(weight_decay=0.01),
            lambda p: prodigyopt.Prodigy(p, weight_decay=0.01, use_bias_correction=True),
            rtol=1e-9,
            why=PRODIGY_WHY,
            exact_steps=20,
        ),
        optax_twin(
            "dadapt-adamw-optax",
            dl.DAdaptAdamW(weight_decay=0.01),
            C.dadapt_adamw(weight_decay=0.01),
        ),
        torch_twin(
            "dadapt-adamw-dadaptation",
            dl.DAdaptAdamW(weight_decay=0.01),
            lambda p: dadaptation.DAdaptAdam(
                p, weight_decay=0.01, decouple=True, use_bias_correction=True
            ),
        ),
        torch_twin(
            "dadapt-sgd-dadaptation",
            dl.DAdaptSGD(momentum=0.9),
            lambda p: dadaptation.DAdaptSGD(p, momentum=0.9),
        ),
        optax_twin("dog-optax", dl.DoG(), C.dog()),
        torch_twin("dog-dog", dl.DoG(), lambda p: dog.DoG(p)),
        # schedule-free: the points stepped (y) and evaluated (x)
        torch_twin(
            "schedule-free-sgd-schedulefree",
            dl.ScheduleFreeSGD(0.5, weight_decay=0.01),
            lambda p: training(schedulefree.SGDScheduleFreeReference(p, lr=0.5, weight_decay=0.01)),
            evaluate=schedule_free_torch_x,
        ),
        optax_twin(
            "schedule-free-sgd-optax",
            dl.ScheduleFreeSGD(0.5, weight_decay=0.01),
            C.schedule_free_sgd(0.5, weight_decay=0.01),
            evaluate=C.schedule_free_eval_params,
        ),
        torch_twin(
            "schedule-free-adamw-schedulefree",
            dl.ScheduleFreeAdamW(0.01, weight_decay=0.01, warmup_steps=10),
            lambda p: training(
                schedulefree.AdamWScheduleFreeReference(
                    p, lr=0.01, weight_decay=0.01, warmup_steps=10
                )
            ),
            evaluate=schedule_free_torch_x,
        ),
        # (optax's warm-up starts at 0, a first step of zero; schedulefree's and ours at
        # 1 / warmup_steps (the schedulefree case above has one): equal without a warm-up)
        optax_twin(
            "schedule-free-adamw-optax",
            dl.ScheduleFreeAdamW(0.01, weight_decay=0.01),
            C.schedule_free_adamw(0.01, weight_decay=0.01),
            evaluate=C.schedule_free_eval_params,
        ),
        # adaptive
        optax_twin("adopt-optax", dl.ADOPT(0.01), C.adopt(0.01)),
        optax_twin(
            "ademamix-optax",
            dl.AdEMAMix(0.01, beta3=0.999, weight_decay=0.01),
            C.ademamix(0.01, b3=0.999, weight_decay=0.01),
        ),
        torch_twin(
            "adan-pytorch-optimizer",
            dl.Adan(0.01, weight_decay=0.02),
            lambda p: po.Adan(p, lr=0.01, weight_decay=0.02, foreach=False),
        ),
        # layer-wise
        optax_twin(
            "lamb-optax", dl.LAMB(0.01, weight_decay=0.01), optax.lamb(0.01, weight_decay=0.01)
        ),
        optax_twin(
            "lars-optax", dl.LARS(0.5, 0.9, weight_decay=0.01), optax.lars(0.5, weight_decay=0.01)
        ),
        optax_twin(
            "lars-nesterov-optax",
            dl.LARS(0.5, 0.9, trust=0.01, eps=1e-6, nesterov=True),
            optax.lars(0.5, trust_coefficient=0.01, eps=1e-6, nesterov=True),
        ),
        # matrix-aware
        optax_twin("muon-optax", dl.Muon(0.02, weight_decay=0.01), C.muon(0.02, weight_decay=0.01)),
        optax_twin(
            "muon-rms-optax",
            dl.Muon(0.02, nesterov=False, consistent_rms=0.2),
            C.muon(0.02, nesterov=False, consistent_rms=0.2),
        ),
        Twin("muon-pytorch-torch", dl.MuonPyTorch(0.02, weight_decay=0.1), run_muon_pytorch),
        torch_twin(
            "adafactor-torch",
            dl.Adafactor(0.05, weight_decay=0.01),
            lambda p: torch.optim.Adafactor(p, lr=0.05, weight_decay=0.01),
        ),
        torch_twin(
            "soap-pytorch-optimizer",
            dl.SOAP(0.01, weight_decay=0.01),
            lambda p: po.SOAP(p, lr=0.01, weight_decay=0.01),
            SEQUENCE,
            rtol=1e-7,
            why=SOAP_WHY,
            exact_steps=10,
        ),
        torch_twin(
            "shampoo-pytorch-optimizer",
            dl.Shampoo(0.01),
            lambda p: po.Shampoo(p, lr=0.01),
            SEQUENCE,
        ),
        # eps 0.01: at the default 1e-6, the roots of eps I + G G^T after the three gradients
        # of the first refresh are conditioned ~1e10 and the two eigensolvers agree to 1e-10
        torch_twin(
            "shampoo-options-pytorch-optimizer",
            dl.Shampoo(0.01, momentum=0.5, weight_decay=0.01, eps=0.01, every=3),
            lambda p: po.Shampoo(
                p,
                lr=0.01,
                momentum=0.5,
                weight_decay=0.01,
                matrix_eps=0.01,
                preconditioning_compute_steps=3,
            ),
            SEQUENCE,
        ),
        # wrappers
        optax_twin(
            "lookahead-optax",
            dl.Lookahead(dl.Adam(0.01), k=5, alpha=0.5),
            optax.lookahead(optax.adam(0.01), sync_period=5, slow_step_size=0.5),
            wrap=optax.LookaheadParams.init_synced,
            unwrap=lambda p: p.fast,
            evaluate=lambda state, p: p.slow,
        ),
        torch_twin(
            "cautious-pytorch-optimizer",
            dl.Cautious(dl.Lion(0.001)),
            lambda p: po.Lion(p, lr=0.001, weight_decay=0.0, cautious=True),
        ),
        optax_twin(
            "sam-optax",
            dl.SAM(dl.Momentum(0.05, 0.9, buffer="gradient"), rho=0.05),
            C.sam(optax.sgd(0.05, momentum=0.9), optax.chain(C.normalize(), optax.sgd(0.05))),
            evaluate=sam_optax_point,
        ),
    ]


PRODIGY_WHY = (
    "with weight decay, prodigyopt and optax.contrib.prodigy differ from each other "
    "by as much (their decay's roundings, amplified as d grows ~1e6-fold from d0: "
    "test_prodigys_twins_differ_from_each_other_with_weight_decay); ours equals "
    "optax's to 1e-12, and prodigyopt's without weight decay"
)
SOAP_WHY = (
    "pytorch-optimizer refreshes the eigenbases by a QR in float32 (every 10 steps): "
    "equal to 1e-12 until the first refresh, then to float32's precision"
)
TWINS = _twins()


@pytest.mark.parametrize("twin", TWINS, ids=lambda t: t.id)
def test_equal_to_its_twin(twin):
    ours, evaluated = run_ours(twin.ours, twin.task)
    reference, reference_evaluated = twin.run()
    assert not np.allclose(ours[-1], twin.task.w0)  # the run went somewhere
    exact = twin.exact_steps
    assert relative_error(ours[:exact], reference[:exact]) <= RTOL
    assert relative_error(ours, reference) <= twin.rtol
    if reference_evaluated is not None:
        assert relative_error(evaluated, reference_evaluated) <= twin.rtol


def test_prodigys_twins_differ_from_each_other_with_weight_decay():
    import prodigyopt

    in_optax, _ = run_optax(optax.contrib.prodigy(weight_decay=0.01))
    in_torch, _ = run_torch(
        lambda p: prodigyopt.Prodigy(p, weight_decay=0.01, use_bias_correction=True)
    )
    ours, _ = run_ours(dl.Prodigy(weight_decay=0.01))
    between_twins = relative_error(in_optax, in_torch)
    assert relative_error(ours, in_torch) <= 3 * between_twins
    assert relative_error(ours, in_optax) <= RTOL < between_twins


def test_the_networks_gradient_is_its_losss():
    """Backpropagation by hand, checked by central differences (the twins share it anyway)."""
    w, h = NETWORK.w0, 1e-6
    numeric = [(loss(w + h * e) - loss(w - h * e)) / (2 * h) for e in np.eye(len(w))]
    np.testing.assert_allclose(gradient(w), numeric, rtol=1e-7, atol=1e-9)
