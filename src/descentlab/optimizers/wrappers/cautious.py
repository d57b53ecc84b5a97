"""Cautious: any optimizer's step, kept only where it goes downhill along the gradient."""

from __future__ import annotations

from dataclasses import dataclass

from descentlab._namespace import namespace
from descentlab._structure import Block, Structure, blockwise
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers.wrappers._inner import Wrapper, inner_optimizer


@dataclass(frozen=True)
class Cautious(Wrapper):
    """Cautious optimizers (Liang, Chen, Liu & Liu, 2024) around any optimizer: of the step
    ``d = inner.step(x, g) - x``, only the coordinates where it descends are kept, the rest
    rescaled so the step keeps its size, per block (each parameter tensor through a bridge)::

        mask = [d * g < 0],    x = x + d mask n / (sum(mask) + 1)      (n: the block's size)

    The normalization is C-Optim's reference and ``pytorch-optimizer``'s (its ``cautious=True``
    optimizers are the twins); timm divides by ``max(mean(mask), 1e-3)`` and heavyball by
    ``max(n - masked, 1) / n``, which differ when few coordinates are kept. The mask covers the
    whole step the inner optimizer proposes (a decoupled weight decay included).
    """

    name = "cautious"
    summary = "the inner optimizer's step where it descends along g, rescaled by n / (kept + 1)"
    reference = "Liang, Chen, Liu & Liu, Cautious Optimizers: Improving Training with One Line of Code, 2024"  # noqa: E501

    inner: Optimizer | str = hyperparameter("adamw", "the optimizer whose steps are masked")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(inner=inner_optimizer)

    def init(self, x):
        return self.inner.init(x)

    def step(self, x, grad, state):
        proposed, state = self.inner.step(x, grad, state)
        structure = self.structure or Structure.vector(x.shape[-1])
        return x + blockwise(structure, _masked, proposed - x, grad), state


def _masked(block: Block, d, g):
    xp = namespace(d)
    mask = xp.astype(d * g < 0, d.dtype)
    axes = tuple(range(-len(block.shape), 0))
    kept = xp.sum(mask, axis=axes, keepdims=True)
    return d * mask * (block.size / (kept + 1))
