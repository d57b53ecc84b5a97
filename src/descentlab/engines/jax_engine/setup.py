"""JAX made ready for descentlab: 64-bit floats, and optimizers and schedules as pytrees.

An optimizer (or a schedule) enters a compiled run as a pytree: its numbers and arrays are
leaves, traced, so another step size or another array of settings reuses the compiled program;
its strings, switches, whole numbers and tuples (``beta1_decay``, ``centered``, a warm-up's
steps, a schedule's boundaries) are part of the structure, which decides what is compiled.
Unflattening builds the object without its ``__post_init__`` checks, which would try to read
traced values.

The JAX engine turns on ``jax_enable_x64`` for the process (as ``Problem(grad="jax")`` does):
float64 is what the NumPy engine computes in and what equality to it needs.
"""

from __future__ import annotations

import dataclasses
import numbers

import jax
import numpy as np

from descentlab.engines.jax_engine.layout import ask_for_cpu_devices

jax.config.update("jax_enable_x64", True)
ask_for_cpu_devices()

_REGISTERED: set[type] = set()


def _is_leaf_value(value: object) -> bool:
    """Floats and arrays are traced; switches and whole numbers (warm-up steps, a period, a
    count of iterations) are part of the structure, as the loops and tests they steer are."""
    if isinstance(value, bool | np.bool_ | numbers.Integral):
        return False
    return isinstance(value, numbers.Number | np.ndarray | jax.Array)


def _flatten(obj):
    leaves, names, static = [], [], []
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if _is_leaf_value(value) or type(value) in _REGISTERED:
            names.append(field.name)
            leaves.append(value)
        else:
            static.append((field.name, value))
    return leaves, (tuple(names), tuple(static))


def _unflatten_for(cls):
    def unflatten(aux, leaves):
        names, static = aux
        obj = object.__new__(cls)
        for name, value in (*zip(names, leaves, strict=True), *static):
            object.__setattr__(obj, name, value)
        return obj

    return unflatten


def register(obj: object) -> None:
    """Make the class of ``obj``, and of every dataclass among its fields, a pytree."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for value in vars(obj).values():  # the fields (and cached values, which are no dataclasses)
        if dataclasses.is_dataclass(value):
            register(value)
    cls = type(obj)
    if cls not in _REGISTERED:
        jax.tree_util.register_pytree_node(cls, _flatten, _unflatten_for(cls))
        _REGISTERED.add(cls)
