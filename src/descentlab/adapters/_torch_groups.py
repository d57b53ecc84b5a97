"""A PyTorch param group as descentlab reads it: PyTorch's names beside descentlab's, and the
group's values as plain data in a state dict.

PyTorch's schedulers and loggers look for ``lr``, ``betas`` and ``momentum`` in a group
(``OneCycleLR(cycle_momentum=True)``, Lightning's ``LearningRateMonitor``). The bridge keeps
them as aliases of the optimizer's own names: ``lr`` of the step size, ``betas`` of
``(beta1, beta2)``, ``momentum`` of ``beta`` (Muon's and schedule-free SGD's momentum). An alias
changed from outside since the bridge last wrote it is read into the own names; then the own
names are written back to every alias.

``torch.load`` reads only plain data by default (``weights_only=True``); a group holding a
descentlab schedule, an array hyperparameter or an inner optimizer (a wrapper's) is written
into the state dict as plain data, and rebuilt on loading.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch

from descentlab.optimizers import Optimizer as Update
from descentlab.schedules import Schedule

LR = "lr"
_PLAIN = "descentlab_plain"  # marks a group value written as plain data


def aliases(names: list[str], step_name: str | None) -> dict[str, tuple[str, ...]]:
    """PyTorch's name -> the optimizer's names it stands for."""
    found: dict[str, tuple[str, ...]] = {}
    if step_name is not None:
        found[LR] = (step_name,)
    if "beta1" in names:
        found["betas"] = ("beta1", "beta2") if "beta2" in names else ("beta1",)
    if "beta" in names and "momentum" not in names:
        found["momentum"] = ("beta",)
    return found


def written_key(alias: str) -> str:
    """Where a group keeps the value the bridge last wrote to ``alias``."""
    return f"descentlab_{alias}"


def alias_value(group: dict[str, Any], names: tuple[str, ...]) -> Any:
    """What an alias shows: the one value, or the tuple (``betas``)."""
    if len(names) == 1:
        value = group[names[0]]
        return float(value.initial) if isinstance(value, Schedule) else value
    return tuple(group[name] for name in names)


def read_aliases(group: dict[str, Any], found: dict[str, tuple[str, ...]]) -> list[str]:
    """Take into the own names every alias changed from outside; return the changed ones."""
    changed = []
    for alias, names in found.items():
        key = written_key(alias)
        if alias not in group or key not in group or same(group[alias], group[key]):
            continue
        values = group[alias] if len(names) > 1 else (group[alias],)
        if len(names) > 1 and (not isinstance(values, tuple | list) or len(values) < len(names)):
            raise ValueError(f"{alias} must be a pair like (0.9, 0.999), not {values!r}")
        for name, value in zip(names, values, strict=False):
            group[name] = as_number(value)
        changed.append(alias)
    return changed


def write_aliases(group: dict[str, Any], found: dict[str, tuple[str, ...]]) -> None:
    for alias, names in found.items():
        group[alias] = group[written_key(alias)] = alias_value(group, names)


def as_number(value: Any) -> Any:
    """A one-element tensor (PyTorch allows a tensor ``lr``) as a number."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


def same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor | np.ndarray) or isinstance(b, torch.Tensor | np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return a == b


def to_plain(value: Any) -> Any:
    """A group's value as data ``torch.load(weights_only=True)`` reads."""
    if isinstance(value, np.ndarray):
        return {_PLAIN: "array", "value": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, Update):
        return {_PLAIN: "optimizer", "name": value.name,
                "settings": {k: to_plain(getattr(value, k)) for k in _names(value)}}  # fmt: skip
    if isinstance(value, Schedule):
        from descentlab.optimizers._base import _plain

        return {_PLAIN: "schedule", "value": _plain(value)}
    return value


def from_plain(value: Any) -> Any:
    """The value :func:`to_plain` wrote, rebuilt."""
    if not (isinstance(value, dict) and _PLAIN in value):
        return value
    kind = value[_PLAIN]
    if kind == "array":
        return np.asarray(value["value"], dtype=value["dtype"])
    if kind == "schedule":
        from descentlab.schedules.plain import from_plain as schedule_from_plain

        return schedule_from_plain(value["value"])
    from descentlab.optimizers import get_optimizer

    settings = {k: from_plain(v) for k, v in value["settings"].items()}
    return get_optimizer(value["name"], **settings)


def check_joint_group(update: Update, params: list, index: int) -> None:
    """A group stepped as one vector: one dtype and device, and numbers for hyperparameters
    (one value per row means nothing for a vector of many parameters)."""
    kinds = {(p.dtype, p.device) for p in params}
    if len(kinds) > 1:
        raise TypeError(
            f"param group {index}: {update.name} steps its parameters together, so "
            f"they must share one dtype and device, not {sorted(map(str, kinds))}"
        )
    if update._array_fields:
        names = ", ".join(name for name, _ in update._array_fields)
        raise ValueError(f"param group {index}: {update.name} steps its parameters together as "
                         f"one vector, so its hyperparameters must be numbers, not arrays "
                         f"({names})")  # fmt: skip


def check_parameter(p: torch.Tensor, group: int, index: int) -> None:
    if not p.is_floating_point():
        raise TypeError(f"param group {group}, parameter {index}: descentlab updates "
                        f"floating-point parameters, not {p.dtype}")  # fmt: skip


def cache_key(value: Any) -> Any:
    """A group's value as part of the key its built optimizer is kept under."""
    if value is None or isinstance(value, int | float | str | bool | tuple):
        return value
    return ("id", id(value))


def on_device(update: Update, x: torch.Tensor) -> Update:
    """``update`` with its array hyperparameters as tensors on ``x``'s device and dtype."""
    arrays = update._array_fields
    if not arrays:
        return update
    local = dataclasses.replace(update)
    for name, value in arrays:
        if "." in name:
            continue  # a schedule's arrays stay NumPy (read through value_at)
        object.__setattr__(local, name, torch.as_tensor(value, dtype=x.dtype, device=x.device))
    return local


def _names(update: Update) -> list[str]:
    return [h.name for h in type(update).hyperparameters()]
