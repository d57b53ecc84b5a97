"""Muon: momentum orthogonalized by Newton-Schulz, on each matrix block; optax's and PyTorch's
forms, each equal to its twin."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import power
from descentlab._structure import Structure, for_block, join, split
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers.matrix._fallback import put_back, refusal, rest_of
from descentlab.optimizers.matrix._newton_schulz import COEFFICIENTS, orthogonalized
from descentlab.schedules import Schedule, step_size, value_at


class MuonState(NamedTuple):
    count: int
    mu: tuple  # the momentum of each matrix block
    fallback: object  # the fallback's state over the other blocks (or 0.0)


def is_matrix(block) -> bool:
    """What Muon orthogonalizes: a block with two axes (as both twins take ``ndim == 2``)."""
    return len(block.shape) == 2


@dataclass(frozen=True)
class _Muon(Optimizer):
    """What both forms of Muon share: the blocks, Newton-Schulz and the fallback."""

    uses_structure = True
    eps_floor = False

    step_size: float | np.ndarray | Schedule = hyperparameter(0.02, "step size (lr)",
                                                              schedule=True)  # fmt: skip
    beta: float | np.ndarray = hyperparameter(0.95, "decay of the momentum, in [0, 1)")
    nesterov: bool = hyperparameter(True, "Nesterov's look-ahead in the momentum")
    ns_steps: int = hyperparameter(5, "Newton-Schulz iterations, >= 1")
    ns_dtype: str = hyperparameter(
        "input",
        "Newton-Schulz in the input's dtype or in bfloat16 (torch.optim.Muon's)",
        choices=("input", "bfloat16"),
    )
    eps: float | np.ndarray = hyperparameter(1e-8, "added to the norm before Newton-Schulz, >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")
    fallback: Optimizer | str | None = hyperparameter(
        "adamw", "for the blocks that are not matrices: 'adamw', another optimizer, or None"
    )
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, beta=check.unit_interval, nesterov=check.flag,
                       ns_steps=check.whole, eps=check.non_negative,
                       weight_decay=check.non_negative)  # fmt: skip
        check.one_of("ns_dtype", self.ns_dtype, ("input", "bfloat16"))
        if self.fallback is not None and self.fallback != "adamw":
            from descentlab.optimizers.wrappers._inner import inner_optimizer

            self._validate(fallback=inner_optimizer)
            if self.fallback.uses_structure or type(self.fallback).couples_coordinates:
                raise ValueError(f"{self.name}'s fallback steps the vectors elementwise: give "
                                 f"'adamw' or an optimizer such as dl.Adam(), not "
                                 f"{self.fallback.name}")  # fmt: skip
        if self.structure is not None and self.fallback is None and not all(
                is_matrix(b) for b in self.structure.blocks):  # fmt: skip
            raise ValueError(refusal(self.name, self.structure))

    def _fallback(self) -> Optimizer | None:
        if self.fallback == "adamw":
            from descentlab.optimizers.adaptive.adamw import AdamW

            return AdamW.unchecked(alpha=self.step_size, eps=self.eps, weight_decay=0.0,
                                   nesterov=self.nesterov)  # fmt: skip
        return self.fallback

    def _structure(self, x) -> Structure:
        structure = self.structure or Structure.vector(x.shape[-1])
        if self.fallback is None and not all(is_matrix(b) for b in structure.blocks):
            raise ValueError(refusal(self.name, structure))
        return structure

    def init(self, x: np.ndarray) -> MuonState:
        structure = self._structure(x)
        parts = split(x, structure)
        rest = rest_of(parts, structure, is_matrix)
        fallback = 0.0 if rest is None else self._fallback().init(rest)
        mu = tuple(0.0 * p for p, b in zip(parts, structure.blocks, strict=True) if is_matrix(b))
        return MuonState(0, mu, fallback)

    def step(self, x, grad, state):
        structure = self._structure(x)
        t = state.count + 1
        lr = value_at(self.step_size, t)
        xs, gs = split(x, structure), split(grad, structure)
        new, mus, k = list(xs), [], 0
        for i, block in enumerate(structure.blocks):
            if is_matrix(block):
                mu, update = self._momentum(state.mu[k], gs[i], t, block)
                eps = for_block(check.per_row(self.eps), block)
                scaled = self._scale(block) * orthogonalized(
                    update, self.ns_steps, COEFFICIENTS, eps, self.eps_floor, self.ns_dtype
                )
                decay = for_block(check.per_row(self.weight_decay), block)
                new[i] = xs[i] - for_block(lr, block) * (scaled + decay * xs[i])
                mus.append(mu)
                k += 1
        rest = rest_of(xs, structure, is_matrix)
        fallback_state = state.fallback
        if rest is not None:
            moved, fallback_state = self._fallback().step(
                rest, rest_of(gs, structure, is_matrix), state.fallback
            )
            new = put_back(new, moved, structure, is_matrix)
        return join(new, structure), MuonState(t, tuple(mus), fallback_state)


@dataclass(frozen=True)
class Muon(_Muon):
    """Muon (Jordan et al., 2024; Liu et al., 2025) in optax's form, on every matrix block
    ``G`` (``(p, q)``, used as ``x @ W``: p inputs, q outputs)::

        mu   = beta mu + (1 - beta) g
        mhat = beta mu / (1 - beta**(t+1)) + (1 - beta) g / (1 - beta**t)
                                              (with Nesterov's look-ahead; else mu / (1 - beta**t))
        O    = NewtonSchulz5(mhat)                        ~ U V^T of mhat = U S V^T
        x    = x - step_size (sqrt(max(1, q / p)) O + weight_decay x)

    (``consistent_rms=c`` scales by ``c sqrt(max(p, q))`` instead, Liu et al.'s.) The blocks
    that are not matrices go to ``fallback``: ``"adamw"`` is AdamW with this step size, eps and
    Nesterov setting (optax's choice), another optimizer (or its name) steps them, None refuses
    them. As ``optax.contrib.muon`` in float64.
    """

    name = "muon"
    summary = "momentum of each matrix orthogonalized by Newton-Schulz; x = x - lr * scale * O"
    reference = "Jordan et al., Muon: An optimizer for hidden layers in neural networks, 2024; Liu et al., Muon is Scalable for LLM Training, 2025"  # noqa: E501

    step_size: float | np.ndarray | Schedule = hyperparameter(0.02, "step size (lr)",
                                                              schedule=True)  # fmt: skip
    eps: float | np.ndarray = hyperparameter(1e-8, "added to the norm before Newton-Schulz, >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")
    consistent_rms: float | None = hyperparameter(None, "scale by c sqrt(max(p, q)) instead")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.consistent_rms is not None:
            self._validate(consistent_rms=check.positive)

    def _momentum(self, mu, g, t, block):
        beta = for_block(check.per_row(self.beta), block)
        mu = beta * mu + (1 - beta) * g
        if self.nesterov:
            return mu, beta * mu / (1 - power(beta, t + 1)) + (1 - beta) * g / (1 - power(beta, t))
        return mu, mu / (1 - power(beta, t))

    def _scale(self, block) -> float:
        p, q = block.shape
        if self.consistent_rms is not None:
            return self.consistent_rms * math.sqrt(max(p, q))
        return math.sqrt(max(1.0, q / p))


@dataclass(frozen=True)
class MuonPyTorch(_Muon):
    """Muon in PyTorch's (Keller Jordan's) form, on every matrix block ``W`` (``(p, q)``, used
    as ``W @ x``: p outputs, q inputs, as ``torch.nn.Linear`` keeps its weight)::

        buf = beta buf + (1 - beta) g
        u   = (1 - beta) g + beta buf          (Nesterov; else buf), no bias correction
        O   = NewtonSchulz5(u / max(||u||_F, eps))
        x   = x (1 - step_size weight_decay) - step_size sqrt(max(1, p / q)) O

    (``adjust="match_rms_adamw"``: ``0.2 sqrt(max(p, q))``.) As ``torch.optim.Muon``, whose
    Newton-Schulz runs in bfloat16: equal to it in float64 with that one function run in the
    input's dtype (``ns_dtype="bfloat16"`` runs ours in bfloat16 too, at its speed). The
    fallback (the blocks that are not matrices, which ``torch.optim.Muon``
    refuses and leaves to AdamW) is ``"adamw"``: ``torch.optim.AdamW`` with this step size and
    weight decay (its own eps, no Nesterov); or another optimizer, or None to refuse them.
    """

    name = "muon-pytorch"
    summary = "Keller Jordan's Muon as torch.optim.Muon: no bias correction, lr * sqrt(max(1, p/q))"
    reference = "Jordan et al., Muon: An optimizer for hidden layers in neural networks, 2024"
    eps_floor = True  # PyTorch divides by max(||g||, eps)

    step_size: float | np.ndarray | Schedule = hyperparameter(0.001, "step size (lr)",
                                                              schedule=True)  # fmt: skip
    eps: float | np.ndarray = hyperparameter(1e-7, "floor of the norm before Newton-Schulz, >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.1, "decoupled decay of x, >= 0")
    adjust: str = hyperparameter("original", "step scaling: original or match_rms_adamw",
                                 choices=("original", "match_rms_adamw"))  # fmt: skip

    def __post_init__(self) -> None:
        super().__post_init__()
        check.one_of("adjust", self.adjust, ("original", "match_rms_adamw"))

    def _fallback(self) -> Optimizer | None:
        if self.fallback == "adamw":
            from descentlab.optimizers.adaptive.adamw import AdamW

            return AdamW.unchecked(alpha=self.step_size, weight_decay=self.weight_decay)
        return self.fallback

    def _momentum(self, buf, g, t, block):
        beta = for_block(check.per_row(self.beta), block)
        buf = beta * buf + (1 - beta) * g
        return buf, ((1 - beta) * g + beta * buf) if self.nesterov else buf

    def _scale(self, block) -> float:
        p, q = block.shape
        if self.adjust == "match_rms_adamw":
            return 0.2 * math.sqrt(max(p, q))
        return math.sqrt(max(1.0, p / q))


__all__ = ["Muon", "MuonPyTorch", "MuonState"]
