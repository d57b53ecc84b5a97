"""The PyTorch bridge's compiled step: the optimizer's own pure ``step``, through ``torch.compile``.

``descentlab.torch.Optimizer(..., compile=True)`` hands every parameter of every param group to
one compiled function that calls ``update.step(x, grad, state)`` on each and writes the results
in place. Inductor fuses each parameter's elementwise chain (Adam's nine operations) into one
loop over memory, so a step reads and writes what PyTorch's fused Adam does instead of making a
fresh tensor per operation; the update is still the one in ``descentlab.optimizers``.

What a learning-rate scheduler changes must not recompile: the step size and the momentum
coefficients (``beta1``, ``beta2``, ``momentum``) are 0-d float64 tensors refilled in place, and
the step count is a 0-d float64 tensor in the state (as PyTorch's own optimizers keep ``step``).
Any other hyperparameter is a constant of the compiled code: changing it recompiles, once.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from descentlab import _torch_namespace
from descentlab.optimizers import Optimizer as Update
from descentlab.schedules import Schedule

#: Hyperparameters that schedulers change (besides the step size), kept as tensors.
HOT = ("beta1", "beta2", "momentum", "beta")
#: Elements from which a parameter is traced with powers of numbers hoisted out of its loop
#: (see descentlab._torch_namespace.pow): there the saved time exceeds the call's cost.
LARGE = 1 << 16


def compilable(update: Update, joint: bool) -> bool:
    """Whether a group's optimizer takes the compiled path: elementwise, with numbers for its
    hyperparameters (array and schedule hyperparameters step eagerly, and so do optimizers
    with periodic work, see ``Optimizer.periodic_work``)."""
    if joint or update._array_fields or update.periodic_work:
        return False
    return not any(isinstance(getattr(update, f.name), Schedule) for f in _fields(update))


def step_small(updates: list, params: list, grads: list, states: list) -> list:
    """:func:`step_all` for parameters too small to gain from hoisting powers of numbers."""
    return step_all(updates, params, grads, states)


def step_large(updates: list, params: list, grads: list, states: list) -> list:
    """:func:`step_all` for large parameters (traced with the powers of numbers hoisted)."""
    return step_all(updates, params, grads, states)


def step_all(updates: list, params: list, grads: list, states: list) -> list:
    """Every parameter's step: the arrays written in place, the numbers of each new state
    returned (the function ``torch.compile`` traces). A 0-d float64 input written in place
    is lost under torch.compile (torch 2.13; float32 and int64 ones are kept), so the
    numbers come back as outputs instead."""
    numbers = []
    for update, p, g, state in zip(updates, params, grads, states, strict=True):
        x = p if p.dim() > 0 else p.reshape(1)
        x_new, new = update.step(x, g if g.dim() > 0 else g.reshape(1), state)
        x.copy_(x_new)
        kept = []
        for old, value in zip(state, new, strict=True):
            if old.dim() == 0:
                kept.append(value)
            else:
                old.copy_(value)
        numbers.append(kept)
    return numbers


def step_joint_small(update: Update, x, g, state) -> tuple:
    """One step of a group read together (Muon, SOAP, Prodigy...): new arrays, as written."""
    return update.step(x, g, state)


def step_joint_large(update: Update, x, g, state) -> tuple:
    """:func:`step_joint_small` traced with the powers of numbers hoisted."""
    return update.step(x, g, state)


class CompiledStep:
    """One compiled ``step_all`` for an optimizer, and each group's optimizer with its hot
    hyperparameters as tensors (rebuilt only when another hyperparameter changes)."""

    def __init__(self, step_name: str | None) -> None:
        self.step_name = step_name
        self.small = torch.compile(step_small)
        self.large = torch.compile(step_large)
        self.joint_small = torch.compile(step_joint_small)
        self.joint_large = torch.compile(step_joint_large)
        self._groups: dict[int, tuple[tuple, Update, dict[str, torch.Tensor]]] = {}

    def group_update(self, index: int, update: Update, device: torch.device) -> Update:
        """``update`` (built from the group now) as the compiled code sees it."""
        hot = {name for name in (self.step_name, *HOT) if _is_number(getattr(update, name, None))}
        key = tuple((f.name, _key(getattr(update, f.name)))
                    for f in _fields(update) if f.name not in hot)  # fmt: skip
        kept = self._groups.get(index)
        if kept is not None and kept[0] == key and set(kept[2]) == hot:
            for name, tensor in kept[2].items():
                tensor.fill_(float(getattr(update, name)))
            return kept[1]
        tensors = {name: torch.tensor(float(getattr(update, name)), dtype=torch.float64,
                                      device=device) for name in hot}  # fmt: skip
        values = {f.name: getattr(update, f.name) for f in _fields(update)}
        built = type(update).unchecked(**{**values, **tensors})
        self._groups[index] = (key, built, tensors)
        return built

    def joint(self, index: int, update: Update, x, g, state) -> tuple:
        """A group's step as one structured vector ``x`` (``update`` bound to its structure);
        the state's numbers become tensors, so their values are not compiled in."""
        local = self.group_update(index, update, x.device)
        large = x.numel() >= LARGE
        _torch_namespace.HOIST[0] = large
        try:
            function = self.joint_large if large else self.joint_small
            return function(local, x, g, _tensor_tree(state, x.device))
        finally:
            _torch_namespace.HOIST[0] = False

    def __call__(self, updates: list, params: list, grads: list, states: list) -> list:
        """The new states (their arrays updated in place, their numbers new tensors)."""
        large = [p.numel() >= LARGE for p in params]
        numbers: list = [None] * len(params)
        for size in (False, True):
            chosen = [k for k, is_large in enumerate(large) if is_large == size]
            if not chosen:
                continue
            function = self.large if size else self.small
            _torch_namespace.HOIST[0] = size
            try:
                found = function(*([items[k] for k in chosen]
                                   for items in (updates, params, grads, states)))  # fmt: skip
            finally:
                _torch_namespace.HOIST[0] = False
            for k, kept in zip(chosen, found, strict=True):
                numbers[k] = kept
        return [_with_numbers(state, kept) for state, kept in zip(states, numbers, strict=True)]


def _with_numbers(state: Any, numbers: list) -> Any:
    found = iter(numbers)
    return type(state)(*(next(found) if old.dim() == 0 else old for old in state))


def as_tensors(state: Any, like: torch.Tensor) -> Any:
    """A state whose numbers are 0-d float64 tensors on ``like``'s device (the compiled code
    updates every field in place), its arrays as they are."""
    fields = []
    for value in state:
        if isinstance(value, torch.Tensor):
            fields.append(value)
        else:
            fields.append(torch.tensor(float(value), dtype=torch.float64, device=like.device))
    return type(state)(*fields)


def _tensor_tree(state: Any, device: torch.device) -> Any:
    if isinstance(state, tuple | list):
        items = [_tensor_tree(item, device) for item in state]
        return type(state)(*items) if hasattr(state, "_fields") else type(state)(items)
    if _is_number(state):
        return torch.tensor(float(state), dtype=torch.float64, device=device)
    return state


def _fields(update: Update) -> tuple:
    return tuple(f for f in dataclasses.fields(update) if f.init)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key(value: object) -> object:
    """A value as part of a cache key: itself where it compares by value (numbers, text, a
    structure, an inner optimizer), an array by identity."""
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value
