"""The one check every bridge makes of the optimizer it is handed."""

from __future__ import annotations

from descentlab.optimizers import Optimizer


def check_instance(optimizer: object) -> Optimizer:
    """``optimizer`` if it is a descentlab optimizer instance, else a TypeError saying what to
    give (the class itself, forgotten parentheses, is the common slip)."""
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a descentlab optimizer instance such as "
                        f"dl.{optimizer.__name__}(), not the class {optimizer.__name__}: add "
                        "the parentheses (and any hyperparameters)")  # fmt: skip
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a descentlab optimizer such as dl.Adam(), not "
                        f"{type(optimizer).__name__}")  # fmt: skip
    return optimizer
