"""What every wrapper does with the optimizer it wraps: checks it, and hands it the structure."""

from __future__ import annotations

import dataclasses

from descentlab.optimizers._base import Optimizer


def inner_optimizer(name: str, value: object) -> Optimizer:
    """``value`` as the wrapped optimizer: an instance, or a registered name (its defaults)."""
    if isinstance(value, str):
        from descentlab.optimizers import get_optimizer

        return get_optimizer(value)
    if isinstance(value, type) and issubclass(value, Optimizer):
        raise TypeError(f"{name} must be an optimizer instance such as dl.{value.__name__}(), "
                        f"not the class {value.__name__}: add the parentheses")  # fmt: skip
    if not isinstance(value, Optimizer):
        raise TypeError(f"{name} must be a descentlab optimizer (dl.Adam()) or its name "
                        f"('adam'), not {type(value).__name__}")  # fmt: skip
    return value


class Wrapper(Optimizer):
    """A wrapper reads the structure when the optimizer it wraps does, and passes it on."""

    uses_structure = True

    @property
    def periodic_work(self) -> bool:  # type: ignore[override]
        return self.inner.periodic_work  # type: ignore[attr-defined]

    def bound(self, structure) -> Optimizer:
        inner = self.inner.bound(structure)  # type: ignore[attr-defined]
        if inner is self.inner and self.structure == structure:  # type: ignore[attr-defined]
            return self
        return dataclasses.replace(self, inner=inner, structure=structure)  # type: ignore[type-var]
