"""What every optimizer shares: the interface and the description the CLI lists.

An optimizer is a frozen dataclass of hyperparameters with two pure methods:

- ``init(x) -> state``: the state before the first step, a ``NamedTuple`` whose first field
  is ``count``, the number of steps taken so far;
- ``step(x, grad, state) -> (x_new, state_new)``: one update. Nothing is changed in place.

``x`` has shape ``(..., d)``: one start is ``(d,)``, many starts ``(n, d)``. Hyperparameters may be
arrays of the leading (batch) shape, so that many settings run in the same pass.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np


def hyperparameter(
    default: Any, help: str, *, choices: tuple[str, ...] | None = None, schedule: bool = False,
    added: bool = False,
) -> Any:  # fmt: skip
    """A dataclass field that the CLI and ``descentlab optimizers`` show with its help.

    ``choices`` lists the allowed strings of a string hyperparameter; ``schedule`` marks the one
    that accepts a :class:`~descentlab.schedules.Schedule` (the step size); ``added`` one that
    came after results stores were first written: at its default it is left out of the keys of
    stored results, so results stored before it existed are still found.
    """
    metadata = {"help": help, "choices": choices, "schedule": schedule, "added": added}
    return dataclasses.field(default=default, metadata=metadata)


def structure_field() -> Any:
    """The field of a matrix-aware or layer-wise optimizer that holds the parameter structure
    (:class:`~descentlab._structure.Structure`): set by the runner and the bridges
    from the problem or the parameters (:meth:`Optimizer.bound`), not a hyperparameter, and
    part of what the JAX engine compiles."""
    return dataclasses.field(default=None, repr=False, metadata={"internal": True})


def _public(cls_or_obj) -> list:
    return [f for f in dataclasses.fields(cls_or_obj) if not f.metadata.get("internal")]


@dataclass(frozen=True)
class HyperparameterInfo:
    """What the command line, the playground and sweeps know of a hyperparameter. ``kind`` is
    what values it takes: ``"number"`` (a float, an array of one per start, or for the step
    size a schedule; ``optional`` when its default None means "derived from the others"),
    ``"whole"`` (a count, part of what the JAX engine compiles), ``"switch"``, ``"choice"``
    (one of ``choices``) or ``"optimizer"`` (another optimizer, or its registered name)."""

    name: str
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    schedule: bool = False
    added: bool = False
    kind: str = "number"

    @property
    def optional(self) -> bool:
        return self.kind == "number" and self.default is None

    @property
    def shown_default(self) -> Any:
        """The default as the command line and JSON show it (an optimizer by its name)."""
        return self.default.name if isinstance(self.default, Optimizer) else self.default


def _kind(f: dataclasses.Field) -> str:
    if f.metadata.get("choices"):
        return "choice"
    if isinstance(f.default, bool):
        return "switch"
    if "Optimizer" in str(f.type):  # an inner optimizer, a fallback
        return "optimizer"
    if isinstance(f.default, int):
        return "whole"
    return "number"


class Optimizer:
    """Base class of the optimizers; subclasses are frozen dataclasses."""

    name: ClassVar[str]
    summary: ClassVar[str]
    reference: ClassVar[str]
    #: The branch of the family tree (``descentlab optimizers`` groups by it): the folder of
    #: ``optimizers/`` its module is in.
    family: ClassVar[str] = ""
    #: True for an optimizer that reads the parameter structure (its ``structure`` field).
    uses_structure: ClassVar[bool] = False
    #: True for one whose step sums or takes norms over all of a start's coordinates (the
    #: learning-rate-free estimates, SAM's ascent): a bridge steps all parameters as one start.
    couples_coordinates: ClassVar[bool] = False
    #: True for one that does costly work only every few steps (SOAP's and Shampoo's
    #: refreshes). Traced with the step count as a tensor, that work would run at every step,
    #: so the compiled PyTorch bridge steps it eagerly.
    periodic_work: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parts = cls.__module__.split(".")
        if len(parts) == 4 and parts[:2] == ["descentlab", "optimizers"]:
            cls.family = parts[2].replace("_", "-")

    def init(self, x: np.ndarray) -> NamedTuple:
        raise NotImplementedError

    def step(self, x: np.ndarray, grad: np.ndarray, state: Any) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    def evaluation_point(self, x: np.ndarray, state: Any) -> np.ndarray:
        """The point users evaluate, given the point ``x`` gradients are taken at (the runner's
        iterate) and the state: ``x`` itself, except for methods that keep two sequences
        (schedule-free's ``x`` beside its ``y``, Lookahead's slow weights, SAM's point beside
        its ascent step)."""
        return x

    def gradient_point(self, evaluated: np.ndarray, state: Any) -> np.ndarray:
        """The inverse of :meth:`evaluation_point`: where gradients are taken next, given the
        point users evaluate and the state (how a run is continued from its result)."""
        return evaluated

    def bound(self, structure) -> Optimizer:
        """This optimizer for parameters of ``structure``: itself, or for one that reads the
        structure, a copy holding it (checked: a matrix-aware method refuses what it cannot
        update)."""
        if not self.uses_structure or getattr(self, "structure", None) == structure:
            return self
        return dataclasses.replace(self, structure=structure)  # type: ignore[type-var]

    def scale_update(self, state: Any, t: np.ndarray) -> Any:
        """The state as if the last update had been ``t`` (per start) times as large: how a
        step rule (a line search) takes a shorter or longer step along the update."""
        raise TypeError(
            f"{self.name}'s update is not a step along one direction, so a step rule cannot "
            "scale it: use gd or momentum"
        )

    @classmethod
    def unchecked(cls, **fields: Any) -> Optimizer:
        """An instance built from values checked already (the rest at their defaults), without
        running the checks: how a method builds the optimizer it delegates to inside a compiled
        step, where the values are traced and cannot be checked."""
        built = object.__new__(cls)
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            object.__setattr__(built, f.name, fields.get(f.name, f.default))
        return built

    @classmethod
    def hyperparameters(cls) -> list[HyperparameterInfo]:
        return [
            HyperparameterInfo(
                f.name,
                f.default,
                f.metadata.get("help", ""),
                f.metadata.get("choices"),
                f.metadata.get("schedule", False),
                f.metadata.get("added", False),
                _kind(f),
            )
            for f in _public(cls)
        ]

    @classmethod
    def domains(cls) -> dict[str, dict[str, float]]:
        """The numbers each numeric hyperparameter may take, as the bounds its check enforces
        (``{"alpha": {"gt": 0.0}, "beta1": {"ge": 0.0, "lt": 1.0}}``), read from the checks the
        optimizer itself runs; a hyperparameter without such a check is left out."""
        if "_checks" not in cls.__dict__:
            cls()  # the defaults are valid; building them runs the checks once
        checks = cls.__dict__.get("_checks", {})
        return {name: dict(check.domain) for name, check in checks.items()
                if hasattr(check, "domain")}  # fmt: skip

    def _validate(self, **checks: Callable[[str, Any], Any]) -> None:
        """Replace each named hyperparameter by what its check returns (or let it raise); the
        class remembers which check each hyperparameter has (see :meth:`domains`)."""
        recorded = type(self).__dict__.get("_checks")
        if recorded is None:
            type(self)._checks = recorded = {}
        recorded.update(checks)
        for name, check in checks.items():
            object.__setattr__(self, name, check(name, getattr(self, name)))

    def check_batch(self, batch_shape: tuple[int, ...]) -> None:
        """Refuse array hyperparameters that do not fit a batch of starts of ``batch_shape``.

        An array hyperparameter holds one value per start, so its shape must broadcast to the
        batch shape without enlarging it (a ``(5,)`` step size with one start would silently
        turn one run into five).
        """
        for name, value in self._array_fields:
            try:
                fits = np.broadcast_shapes(value.shape, batch_shape) == tuple(batch_shape)
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(
                    f"{name} is an array of shape {value.shape}, which does not fit the batch of "
                    f"starts of shape {tuple(batch_shape)}: give one value per start (shape "
                    f"{tuple(batch_shape)}), for example with starts= or an x0 of as many rows"
                )

    @functools.cached_property
    def _array_fields(self) -> list[tuple[str, np.ndarray]]:
        """The array hyperparameters (and schedules' arrays), found once per optimizer."""
        return list(_arrays(self))

    def settings(self) -> dict[str, Any]:
        """The hyperparameters as plain values (for reports and JSON)."""
        return {f.name: _plain(getattr(self, f.name)) for f in _public(self)}

    @classmethod
    def keyed(cls, settings: dict[str, Any]) -> dict[str, Any]:
        """``settings`` as stored results are keyed by: without the hyperparameters added
        later that are at their defaults (see :func:`hyperparameter`)."""
        later = {h.name: h.default for h in cls.hyperparameters() if h.added}
        return {name: value for name, value in settings.items()
                if name not in later or value != later[name]}  # fmt: skip


def _arrays(obj: Any, prefix: str = ""):
    """``(name, array)`` for every array among the fields of ``obj`` and of its schedules."""
    for f in _public(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            yield prefix + f.name, value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield from _arrays(value, f"{prefix}{f.name}.")


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Optimizer):  # an inner optimizer (a wrapper's, a fallback)
        return {"optimizer": value.name, **value.settings()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"schedule": type(value).__name__, **fields}
    return value
