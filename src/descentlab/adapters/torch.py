"""descentlab's optimizers in a PyTorch training loop: :class:`Optimizer`.

``descentlab.torch.Optimizer(model.parameters(), dl.AMSGrad(alpha=1e-3))`` is a real
``torch.optim.Optimizer``: ``zero_grad``, ``step(closure)``, param groups, ``state_dict`` and
``load_state_dict``, and ``torch.optim.lr_scheduler`` work as with PyTorch's own. Its ``step``
calls the descentlab optimizer's own pure ``step(x, grad, state)`` on each parameter tensor, on
the tensor's device and in its dtype (the update is written against the array API, so the same
code runs on NumPy, JAX and PyTorch): there is no second implementation of any update.

- **Param groups** carry their own hyperparameters by the optimizer's names (``alpha``,
  ``beta1``...) and by PyTorch's: ``lr`` is the step size's other name, ``betas`` the pair
  ``(beta1, beta2)``, ``momentum`` Muon's and schedule-free SGD's ``beta``, so a scheduler
  acting on ``group["lr"]`` or cycling ``betas`` (``OneCycleLR``) sets ``alpha`` (Adam's
  family) or ``step_size`` (gradient descent's). ``lr = 0`` does not move the parameters (a
  warm-up from 0); a negative or NaN one is refused.
- **Compiled** (``compile=True``): the steps go through ``torch.compile``, which fuses each
  parameter's update (or a group's, for the optimizers that read parameters together) into
  few loops over memory; the step size and momentum coefficients are tensors there, so a
  scheduler does not recompile. The second step compiles (seconds to tens of seconds on a
  CPU); without a working compiler (``TORCHDYNAMO_DISABLE=1``, an unsupported platform) the
  same functions run eagerly. Array and schedule hyperparameters step as without it. The
  state is the same either way: a run can switch at a checkpoint.
- **Schedules**: a descentlab schedule as the step size is followed per parameter step count;
  a group follows either one or a PyTorch scheduler, not both (changing ``lr`` under a
  descentlab schedule is an error).
- **Array hyperparameters** (one value per row of a parameter, e.g. per output unit of a
  ``Linear`` weight) must broadcast to the parameter's leading dimensions.
- **State**: each parameter's optimizer state (the descentlab ``NamedTuple`` as a dict of
  tensors, numbers and its step ``count``) is in ``optimizer.state[p]``; ``state_dict`` marks
  which descentlab optimizer made it, and ``load_state_dict`` refuses any other's and restores
  it exactly, so a resumed training continues bit for bit. Schedules, array hyperparameters
  and inner optimizers in a group are written as plain data, so ``torch.load`` reads the state
  dict with its default ``weights_only=True``; the optimizer pickles and deep-copies whole.
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

import torch

from descentlab.adapters import _torch_groups as groups
from descentlab.adapters._instance import check_fits, check_instance
from descentlab.adapters._joint import (
    is_joint,
    offsets,
    state_from_tree,
    state_tree,
    structure_of,
)
from descentlab.adapters._torch_compiled import CompiledStep, as_tensors, compilable
from descentlab.adapters._torch_groups import LR, same
from descentlab.optimizers import Optimizer as Update
from descentlab.schedules import Schedule

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
    compile : bool
        Step the elementwise optimizers through ``torch.compile`` (see above).
    """

    def __init__(self, params: Iterable, optimizer: Update, *, compile: bool = False) -> None:
        check_instance(optimizer)
        if not isinstance(compile, bool):
            raise TypeError(f"compile must be True or False, not {compile!r}")
        self.update = optimizer
        self.joint = is_joint(optimizer)
        self.training = True
        self._names = [h.name for h in type(optimizer).hyperparameters()]
        self._step_name = next((h.name for h in type(optimizer).hyperparameters()
                                if h.schedule), None)  # fmt: skip
        self._aliases = groups.aliases(self._names, self._step_name)
        self._compile = compile
        self._start()
        defaults = {name: getattr(optimizer, name) for name in self._names}
        defaults |= {alias: groups.alias_value(defaults, names)
                     for alias, names in self._aliases.items()}  # fmt: skip
        super().__init__(params, defaults)

    def _start(self) -> None:
        """What is made again after unpickling: the built optimizers and the compiled step."""
        self._built: dict[int, tuple[tuple, Update]] = {}
        self._compiled = CompiledStep(self._step_name) if self._compile else None

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        kept = ("update", "joint", "training", "_names", "_step_name", "_aliases", "_compile")
        return state | {name: getattr(self, name) for name in kept}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._start()

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """A group of parameters with hyperparameters of its own (by the optimizer's names or
        PyTorch's: ``lr``, ``betas``, ``momentum``), checked before it is added."""
        given, index = set(param_group), len(self.param_groups)
        if self._step_name is None and LR in given:
            raise ValueError(f"param group {index}: {self.update.name} has no step size of "
                             "its own (it wraps another optimizer): set the inner "
                             "optimizer's")  # fmt: skip
        for alias, names in self._aliases.items():
            if alias in given:
                self._take_alias(param_group, alias, names, index)
        written = {groups.written_key(alias) for alias in self._aliases}
        allowed = {*self._names, *self._aliases, *written, "params", "param_names", "initial_lr"}
        unknown = given - allowed
        if unknown:
            pytorch = ", ".join(repr(a) for a in self._aliases)
            raise ValueError(f"param group {index}: {self.update.name} has no "
                             f"hyperparameter {sorted(unknown)[0]!r}; it has "
                             f"{', '.join(self._names)} (and {pytorch})")  # fmt: skip
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        update = self._update_of(group, index)
        groups.write_aliases(group, self._aliases)
        for k, p in enumerate(group["params"]):
            groups.check_parameter(p, index, k)
            if not self.joint:
                check_fits(update, tuple(_rows(p).shape), f"param group {index}, parameter {k}")
        if self.joint:
            groups.check_joint_group(update, group["params"], index)

    @staticmethod
    def _take_alias(group: dict[str, Any], alias: str, names: tuple, index: int) -> None:
        """PyTorch's name given in a new group, into the optimizer's names (which must agree)."""
        values = group[alias] if len(names) > 1 else (group[alias],)
        if len(names) > 1 and (not isinstance(values, tuple | list) or len(values) < len(names)):
            raise ValueError(f"param group {index}: {alias} must be a pair like (0.9, 0.999), "
                             f"not {group[alias]!r}")  # fmt: skip
        for name, value in zip(names, values, strict=False):
            value = groups.as_number(value)
            if name in group and not same(group[name], value):
                raise ValueError(f"param group {index}: give {name} as {alias!r} or {name!r}, "
                                 "not both with different values")  # fmt: skip
            group[name] = value

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
        compiled: list[list] = [[], [], [], []]  # updates, params, grads, states
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
            elif self._compiled is not None and compilable(update, self.joint):
                self._gather(group["params"], update, index, compiled)
            else:
                for p in group["params"]:
                    if p.grad is not None:
                        self._step_parameter(p, update)
        if compiled[0]:
            for p, state in zip(compiled[1], self._compiled(*compiled), strict=True):
                self.state[p] = state._asdict()
        return loss

    def _gather(self, params: list, update: Update, index: int, into: list[list]) -> None:
        """A group's parameters for the compiled step (a first step, which makes the state's
        arrays, is taken eagerly)."""
        local = None
        for p in params:
            if p.grad is None:
                continue
            if not self.state.get(p):
                self._step_parameter(p, update)
                continue
            local = local or self._compiled.group_update(index, update, p.device)
            x = _rows(p)
            state = as_tensors(self._state_of(p, update, x), x)
            for items, item in zip(into, (local, p, p.grad, state), strict=True):
                items.append(item)

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
        local = groups.on_device(update, x).bound(structure_of([p.shape for p in params]))
        fresh = local.init(x)
        saved = self.state.get(params[0], {}).get(_JOINT)
        state = fresh if saved is None else state_from_tree(saved, fresh)
        if self._compiled is not None and saved is not None and compilable(update, False):
            x_new, state = self._compiled.joint(index, local, x, g, state)  # after a first step
        else:
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
                local = groups.on_device(update, x).bound(structure_of([p.shape for p in params]))
                state = state_from_tree(saved, local.init(x))
                _write(params, point(local, x, state))
                continue
            for p in group["params"]:
                if self.state.get(p):
                    x = _rows(p)
                    local = groups.on_device(update, x)
                    p.copy_(point(local, x, self._state_of(p, local, x)).reshape(p.shape))

    def _step_parameter(self, p: torch.Tensor, update: Update) -> None:
        x, g = _rows(p), _rows(p.grad)
        local = groups.on_device(update, x)
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
        """The descentlab optimizer of ``group`` now: its hyperparameters, following ``lr``,
        ``betas`` or ``momentum`` when something (a scheduler) changed them."""
        step = self._step_name
        written = groups.written_key(LR)
        if step is not None and written in group and not same(group[LR], group[written]):
            if isinstance(group[step], Schedule):
                raise ValueError(f"param group {index}: lr was changed (by a learning-rate "
                                 f"scheduler?) while {step} follows a descentlab schedule: use "
                                 "one or the other")  # fmt: skip
            _warn_if_buffer_keeps_steps(self.update)
        try:
            if groups.read_aliases(group, self._aliases):
                groups.write_aliases(group, self._aliases)
            settings = {name: groups.as_number(group[name]) for name in self._names}
            key = tuple(groups.cache_key(value) for value in settings.values())
            built = self._built.get(index)
            if built is None or built[0] != key:
                built = (key, self._build(settings))
                self._built[index] = built
            return built[1]
        except (TypeError, ValueError) as error:
            raise type(error)(f"param group {index}: {error}") from None

    def _build(self, settings: dict[str, Any]) -> Update:
        """The optimizer of these settings; a step size of 0 is allowed (it does not move)."""
        step = self._step_name
        value = settings.get(step)
        if step is None or isinstance(value, bool) or not isinstance(value, int | float):
            return type(self.update)(**settings)
        if not value >= 0:  # NaN too
            raise ValueError(f"the step size ({step}, lr) must be >= 0 (0 does not move the "
                             f"parameters), not {value!r}")  # fmt: skip
        if value != 0:
            return type(self.update)(**settings)
        checked = type(self.update)(**{**settings, step: 1.0})
        fields = {f.name: getattr(checked, f.name) for f in dataclasses.fields(checked)}
        return type(self.update).unchecked(**{**fields, step: 0.0})

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's state dict, marked with the descentlab optimizer and state it holds."""
        saved = super().state_dict()
        if self.joint:
            kept, fields = "one state per param group", [_JOINT]
        else:
            fresh = self.update.init(torch.zeros(1))
            kept, fields = type(fresh).__name__, list(fresh._fields)
        saved[_MARK] = {"optimizer": self.update.name, "state": kept, "fields": fields}
        saved["param_groups"] = [{k: groups.to_plain(v) for k, v in group.items()}
                                 for group in saved["param_groups"]]  # fmt: skip
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
        loaded = {k: v for k, v in state_dict.items() if k != _MARK}
        loaded["param_groups"] = [{k: groups.from_plain(v) for k, v in group.items()}
                                  for group in state_dict["param_groups"]]  # fmt: skip
        super().load_state_dict(loaded)
        self._built.clear()
        for entry in self.state.values():  # PyTorch casts floating state to the parameter's
            for name, value in entry.items():  # dtype: a count must stay float64
                if (
                    isinstance(value, torch.Tensor)
                    and value.dim() == 0
                    and value.is_floating_point()
                ):
                    entry[name] = value.to(torch.float64)


class StepsInBufferWarning(UserWarning):
    """A learning rate changed for a momentum whose buffer keeps steps (the tutorial's form):
    the run differs from ``torch.optim.SGD``, which keeps gradients."""


def _warn_if_buffer_keeps_steps(update: Update) -> None:
    if getattr(update, "buffer", None) == "step":
        warnings.warn(f"lr changed while {update.name} keeps the step size inside its buffer "
                      "(buffer='step', the tutorial's form): from here the run differs from "
                      "torch.optim.SGD, whose buffer keeps gradients; give buffer='gradient' "
                      "for PyTorch's form", StepsInBufferWarning, stacklevel=4)  # fmt: skip


def _write(params: list, x: torch.Tensor) -> None:
    """The joined vector ``x`` back into the parameters."""
    for p, (start, stop) in zip(params, offsets([p.shape for p in params]), strict=True):
        p.copy_(x[start:stop].reshape(p.shape))


def _rows(t: torch.Tensor) -> torch.Tensor:
    """A parameter as descentlab's ``(..., d)``: itself, or a number as one coordinate."""
    return t if t.dim() > 0 else t.reshape(1)


__all__ = ["Optimizer", "StepsInBufferWarning"]
