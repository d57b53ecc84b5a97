"""descentlab's optimizers in a PyTorch training loop: :class:`Optimizer`.

``descentlab.torch.Optimizer(model.parameters(), dl.AMSGrad(alpha=1e-3))`` is a real
``torch.optim.Optimizer``: ``zero_grad``, ``step(closure)``, param groups, ``state_dict`` and
``load_state_dict``, and ``torch.optim.lr_scheduler`` work as with PyTorch's own. Its ``step``
calls the descentlab optimizer's own pure ``step(x, grad, state)`` on each parameter tensor, on
the tensor's device and in its dtype (the update is written against the array API, so the same
code runs on NumPy, JAX and PyTorch): there is no second implementation of any update.

- **Param groups** carry their own hyperparameters by the optimizer's names (``alpha``,
  ``beta1``...); ``lr`` is the step size's other name, so a learning-rate scheduler acting on
  ``group["lr"]`` sets ``alpha`` (Adam's family) or ``step_size`` (gradient descent's).
- **Schedules**: a descentlab schedule as the step size is followed per parameter step count;
  a group follows either one or a PyTorch scheduler, not both (changing ``lr`` under a
  descentlab schedule is an error).
- **Array hyperparameters** (one value per row of a parameter, e.g. per output unit of a
  ``Linear`` weight) must broadcast to the parameter's leading dimensions.
- **State**: each parameter's optimizer state (the descentlab ``NamedTuple`` as a dict of
  tensors, numbers and its step ``count``) is in ``optimizer.state[p]``; ``state_dict`` marks
  which descentlab optimizer made it, and ``load_state_dict`` refuses any other's and restores
  it exactly, so a resumed training continues bit for bit.
- **Parameters read together**: a matrix-aware or layer-wise optimizer (Muon, SOAP,
  Adafactor, LAMB) and those that sum over every parameter (Prodigy, D-Adaptation, DoG, SAM,
  the wrappers) step each param group as one vector whose blocks are its parameters (a
  parameter of more than two axes as the matrix ``(shape[0], rest)``); the group's state is
  kept with its first parameter. Every parameter of such a group needs a gradient.
- **Two points**: for schedule-free methods, Lookahead and SAM the parameters hold the point
  gradients are taken at while training; ``eval()`` puts in the point to evaluate (schedule-
  free's ``x``, Lookahead's slow weights) and ``train()`` puts the other back, as
  ``schedulefree``'s optimizers do.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch

from descentlab.adapters._instance import check_fits, check_instance
from descentlab.adapters._joint import (
    is_joint,
    offsets,
    state_from_tree,
    state_tree,
    structure_of,
)
from descentlab.optimizers import Optimizer as Update
from descentlab.schedules import Schedule

#: The name of the step size in a param group, beside the optimizer's own (``alpha``...).
LR = "lr"
_WRITTEN = "descentlab_lr"  # the lr this optimizer last wrote, to see a scheduler's changes
_MARK = "descentlab"  # in a state dict: the descentlab optimizer and state type that made it
_JOINT = "descentlab_group_state"  # a group stepped as one vector: its state, on its first param


class Optimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` whose update is ``optimizer.step`` of descentlab.

    Parameters
    ----------
    params : iterable of tensors or of dicts (param groups)
        As for any PyTorch optimizer; a group's dict may set any hyperparameter of
        ``optimizer`` by name, or ``lr`` for the step size.
    optimizer : descentlab optimizer
        An instance, such as ``dl.AMSGrad(alpha=1e-3)``: its hyperparameters are the defaults.
    """

    def __init__(self, params: Iterable, optimizer: Update) -> None:
        check_instance(optimizer)
        self.update = optimizer
        self.joint = is_joint(optimizer)
        self.training = True
        self._names = [h.name for h in type(optimizer).hyperparameters()]
        self._step_name = next((h.name for h in type(optimizer).hyperparameters()
                                if h.schedule), None)  # fmt: skip
        defaults = {name: getattr(optimizer, name) for name in self._names}
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """A group of parameters with hyperparameters of its own (``lr`` or the optimizer's
        step-size name for the step size), checked before it is added."""
        given = set(param_group)
        step = self._step_name
        if step is None and LR in given:
            raise ValueError(f"param group {len(self.param_groups)}: {self.update.name} has no "
                             "step size of its own (it wraps another optimizer): set the inner "
                             "optimizer's")  # fmt: skip
        if LR in given and step in given and not _same(param_group[LR], param_group[step]):
            raise ValueError(f"param group {len(self.param_groups)}: give the step size as "
                             f"{LR!r} or {step!r}, not both with different values")  # fmt: skip
        if LR in given and step not in given:
            param_group[step] = param_group[LR]
        unknown = given - {*self._names, LR, "params", "param_names", _WRITTEN, "initial_lr"}
        if unknown:
            raise ValueError(f"param group {len(self.param_groups)}: {self.update.name} has no "
                             f"hyperparameter {sorted(unknown)[0]!r}; it has "
                             f"{', '.join(self._names)} (and {LR!r})")  # fmt: skip
        super().add_param_group(param_group)
        group, index = self.param_groups[-1], len(self.param_groups) - 1
        update = self._update_of(group, index)
        if step is not None:
            group[LR] = group[_WRITTEN] = _step_value(getattr(update, step))
        for k, p in enumerate(group["params"]):
            _check_parameter(p, index, k)
            if not self.joint:
                check_fits(update, tuple(_rows(p).shape), f"param group {index}, parameter {k}")
        if self.joint:
            _check_joint_group(update, group["params"], index)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; ``closure`` (re)computes the
        loss, as for any PyTorch optimizer, and its value is returned."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.training:
            raise RuntimeError(
                "call optimizer.train() before step(): after eval() the "
                "parameters hold the point to evaluate, not the one to step"
            )
        for index, group in enumerate(self.param_groups):
            update = self._update_of(group, index)
            for p in group["params"]:
                if p.grad is not None and p.grad.is_sparse:
                    raise RuntimeError(
                        f"descentlab.torch.Optimizer does not update sparse gradients (a "
                        f"parameter of shape {tuple(p.shape)} has one): use dense gradients, "
                        "e.g. nn.Embedding(..., sparse=False)"
                    )
            if self.joint:
                self._step_group(group["params"], update, index)
                continue
            for p in group["params"]:
                if p.grad is not None:
                    self._step_parameter(p, update)
        return loss

    def _step_group(self, params: list, update: Update, index: int) -> None:
        """All of a group's parameters as one start whose blocks they are."""
        have = [p.grad is not None for p in params]
        if not any(have):
            return
        if not all(have):
            missing = have.index(False)
            raise RuntimeError(f"param group {index}: {self.update.name} steps its parameters "
                               f"together, and parameter {missing} has no gradient: put the "
                               "parameters that do not train in a group of their own")  # fmt: skip
        x = torch.cat([p.reshape(-1) for p in params])
        g = torch.cat([p.grad.reshape(-1) for p in params])
        local = _on_device(update, x).bound(structure_of([p.shape for p in params]))
        fresh = local.init(x)
        saved = self.state.get(params[0], {}).get(_JOINT)
        state = fresh if saved is None else state_from_tree(saved, fresh)
        x_new, state = local.step(x, g, state)
        _write(params, x_new)
        self.state[params[0]] = {_JOINT: state_tree(state)}

    @torch.no_grad()
    def eval(self) -> None:
        """Put into the parameters the points users evaluate (schedule-free's ``x``,
        Lookahead's slow weights, SAM's point before its ascent); a no-op for the others."""
        if self.training:
            self._switch(lambda update, x, state: update.evaluation_point(x, state))
            self.training = False

    @torch.no_grad()
    def train(self) -> None:
        """Put back the points the gradients are taken at (undoing :meth:`eval`)."""
        if not self.training:
            self._switch(lambda update, x, state: update.gradient_point(x, state))
            self.training = True

    def _switch(self, point: Callable) -> None:
        for index, group in enumerate(self.param_groups):
            update = self._update_of(group, index)
            if self.joint:
                params = group["params"]
                saved = self.state.get(params[0], {}).get(_JOINT) if params else None
                if saved is None:
                    continue  # not stepped yet: both points are the parameters
                x = torch.cat([p.reshape(-1) for p in params])
                local = _on_device(update, x).bound(structure_of([p.shape for p in params]))
                state = state_from_tree(saved, local.init(x))
                _write(params, point(local, x, state))
                continue
            for p in group["params"]:
                if self.state.get(p):
                    x = _rows(p)
                    local = _on_device(update, x)
                    p.copy_(point(local, x, self._state_of(p, local, x)).reshape(p.shape))

    def _step_parameter(self, p: torch.Tensor, update: Update) -> None:
        x, g = _rows(p), _rows(p.grad)
        local = _on_device(update, x)
        state = self._state_of(p, local, x)
        x_new, state = local.step(x, g, state)
        p.copy_(x_new.reshape(p.shape))
        self.state[p] = state._asdict()

    def _state_of(self, p: torch.Tensor, update: Update, x: torch.Tensor):
        saved = self.state.get(p)
        fresh = update.init(x)
        if not saved:
            return fresh
        return type(fresh)(**{name: saved[name] for name in fresh._fields})

    def _update_of(self, group: dict[str, Any], index: int) -> Update:
        """The descentlab optimizer of ``group`` now: its hyperparameters, the step size
        following ``lr`` when something (a scheduler) changed it."""
        step = self._step_name
        if step is not None and _WRITTEN in group and not _same(group[LR], group[_WRITTEN]):
            if isinstance(group[step], Schedule):
                raise ValueError(f"param group {index}: lr was changed (by a learning-rate "
                                 f"scheduler?) while {step} follows a descentlab schedule: use "
                                 "one or the other")  # fmt: skip
            group[step] = group[_WRITTEN] = group[LR]
            _warn_if_buffer_keeps_steps(self.update)
        settings = {name: group[name] for name in self._names}
        try:
            return type(self.update)(**settings)
        except (TypeError, ValueError) as error:
            raise type(error)(f"param group {index}: {error}") from None

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's state dict, marked with the descentlab optimizer and state it holds."""
        saved = super().state_dict()
        if self.joint:
            kept, fields = "one state per param group", [_JOINT]
        else:
            fresh = self.update.init(torch.zeros(1))
            kept, fields = type(fresh).__name__, list(fresh._fields)
        saved[_MARK] = {"optimizer": self.update.name, "state": kept, "fields": fields}
        return saved

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by this optimizer (with the same descentlab optimizer); any
        other optimizer's state is refused before anything is changed."""
        mark = state_dict.get(_MARK)
        if mark is None:
            raise ValueError("this state dict was saved by another optimizer (torch.optim?), not "
                             f"by descentlab.torch.Optimizer with {self.update.name}")  # fmt: skip
        if mark.get("optimizer") != self.update.name:
            made_by = mark.get("optimizer")
            raise ValueError(f"this state dict was saved by descentlab's {made_by}, not by "
                             f"descentlab.torch.Optimizer with {self.update.name}")  # fmt: skip
        fields = [_JOINT] if self.joint else list(self.update.init(torch.zeros(1))._fields)
        for entry in state_dict.get("state", {}).values():
            if sorted(entry) != sorted(fields):
                raise ValueError(f"this state dict's parameter states hold {sorted(entry)}, and "
                                 f"{self.update.name} keeps {sorted(fields)}")  # fmt: skip
        super().load_state_dict({k: v for k, v in state_dict.items() if k != _MARK})


class StepsInBufferWarning(UserWarning):
    """A learning rate changed for a momentum whose buffer keeps steps (the tutorial's form):
    the run differs from ``torch.optim.SGD``, which keeps gradients."""


def _warn_if_buffer_keeps_steps(update: Update) -> None:
    if getattr(update, "buffer", None) == "step":
        warnings.warn(f"lr changed while {update.name} keeps the step size inside its buffer "
                      "(buffer='step', the tutorial's form): from here the run differs from "
                      "torch.optim.SGD, whose buffer keeps gradients; give buffer='gradient' "
                      "for PyTorch's form", StepsInBufferWarning, stacklevel=4)  # fmt: skip


def _check_joint_group(update: Update, params: list, index: int) -> None:
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


def _write(params: list, x: torch.Tensor) -> None:
    """The joined vector ``x`` back into the parameters."""
    for p, (start, stop) in zip(params, offsets([p.shape for p in params]), strict=True):
        p.copy_(x[start:stop].reshape(p.shape))


def _rows(t: torch.Tensor) -> torch.Tensor:
    """A parameter as descentlab's ``(..., d)``: itself, or a number as one coordinate."""
    return t if t.dim() > 0 else t.reshape(1)


def _step_value(value: Any) -> Any:
    """What ``group["lr"]`` shows for a step size: the number, or a schedule's first value."""
    return float(value.initial) if isinstance(value, Schedule) else value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor | np.ndarray) or isinstance(b, torch.Tensor | np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return a == b


def _check_parameter(p: torch.Tensor, group: int, index: int) -> None:
    if not p.is_floating_point():
        raise TypeError(f"param group {group}, parameter {index}: descentlab updates "
                        f"floating-point parameters, not {p.dtype}")  # fmt: skip


def _on_device(update: Update, x: torch.Tensor) -> Update:
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


__all__ = ["Optimizer", "StepsInBufferWarning"]
