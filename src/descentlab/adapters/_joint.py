"""Parameters stepped as one start: how a bridge hands a group of tensors (or a pytree of
leaves) to an optimizer that reads them together.

An elementwise optimizer (Adam, Lion...) is stepped one parameter at a time. A matrix-aware or
layer-wise one (Muon, SOAP, LAMB) needs each parameter as a block of its structure, and the
learning-rate-free methods and SAM sum or take norms over every parameter at once: for them
the bridge joins the parameters into one vector, with a :class:`~descentlab._structure.Structure`
naming each parameter's block, steps it once, and splits the result back. A parameter of more
than two axes (a convolution's weight) is the matrix ``(shape[0], rest)``, as Muon's twins
reshape it; a number is a vector of one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from descentlab._structure import Structure
from descentlab._trees import is_record
from descentlab.optimizers import Optimizer


def is_joint(optimizer: Optimizer) -> bool:
    """Whether ``optimizer`` must see all of a start's coordinates in one step."""
    return optimizer.uses_structure or type(optimizer).couples_coordinates


def block_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """A parameter's block: a vector or a matrix (more axes folded into the columns)."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 0:
        return (1,)
    if len(shape) <= 2:
        return shape
    return (shape[0], math.prod(shape[1:]))


def structure_of(shapes: Sequence[Sequence[int]], names: Sequence[str] | None = None) -> Structure:
    """The structure of parameters of ``shapes`` joined in order (named ``names``)."""
    names = names or [f"param {k}" for k in range(len(shapes))]
    return Structure.of([(name, block_shape(s)) for name, s in zip(names, shapes, strict=True)])


def offsets(shapes: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Each parameter's first and past-the-last coordinate in the joined vector."""
    spans, start = [], 0
    for shape in shapes:
        stop = start + math.prod(shape)
        spans.append((start, stop))
        start = stop
    return spans


def state_tree(state: Any) -> Any:
    """A state (NamedTuples, tuples, arrays, numbers) as dicts and lists, which PyTorch's
    ``state_dict`` and ``load_state_dict`` keep as they are."""
    if is_record(state):
        return {name: state_tree(value) for name, value in state._asdict().items()}
    if isinstance(state, tuple | list):
        return [state_tree(value) for value in state]
    return state


def state_from_tree(saved: Any, fresh: Any) -> Any:
    """The state :func:`state_tree` wrote, rebuilt in the types of ``fresh`` (a new state of
    the same optimizer for the same parameters)."""
    if is_record(fresh):
        if not isinstance(saved, dict) or sorted(saved) != sorted(fresh._fields):
            raise ValueError(f"a saved state holds {_keys(saved)}, and this optimizer keeps "
                             f"{sorted(fresh._fields)}")  # fmt: skip
        return type(fresh)(*(state_from_tree(saved[n], v) for n, v in fresh._asdict().items()))
    if isinstance(fresh, tuple | list):
        if not isinstance(saved, list | tuple) or len(saved) != len(fresh):
            raise ValueError("a saved state has another number of parameter blocks than this "
                             "optimizer's parameters")  # fmt: skip
        return type(fresh)(state_from_tree(s, f) for s, f in zip(saved, fresh, strict=True))
    return saved


def _keys(saved: Any) -> Any:
    return sorted(saved) if isinstance(saved, dict) else type(saved).__name__


__all__ = ["block_shape", "is_joint", "offsets", "state_from_tree", "state_tree", "structure_of"]
