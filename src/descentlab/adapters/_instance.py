"""The checks every bridge makes of the optimizer it is handed and the parameters it updates."""

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


def check_fits(optimizer: Optimizer, shape: tuple[int, ...], where: str) -> None:
    """Array hyperparameters hold one value per row of a parameter: refuse ``optimizer`` for a
    parameter of ``shape`` (named by ``where``) whose leading dimensions they do not fit."""
    rows = tuple(shape[:-1]) if shape else ()
    try:
        optimizer.check_batch(rows)
    except ValueError:
        shapes = ", ".join(
            f"{name} {tuple(value.shape)}" for name, value in optimizer._array_fields
        )
        raise ValueError(f"{where} of shape {tuple(shape)}: array hyperparameters ({shapes}) must "
                         f"broadcast to its leading dimensions {rows} (one value per row), or be "
                         "numbers") from None  # fmt: skip
