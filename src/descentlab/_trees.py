"""Optimizer states as trees: NamedTuples (a state, an inner optimizer's state) of numbers,
arrays and tuples of them (one per block), mapped leaf by leaf."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def is_record(value: Any) -> bool:
    """Whether ``value`` is a NamedTuple (a state, or an inner optimizer's state)."""
    return isinstance(value, tuple) and hasattr(value, "_fields")


def map_state(function: Callable, state: Any, *others: Any) -> Any:
    """``function`` on every number and array of ``state`` (and the same places of
    ``others``), the structure kept."""
    if isinstance(state, tuple | list):
        mapped = [map_state(function, *parts) for parts in zip(state, *others, strict=True)]
        return type(state)(*mapped) if is_record(state) else type(state)(mapped)
    return function(state, *others)


__all__ = ["is_record", "map_state"]
