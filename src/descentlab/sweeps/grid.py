"""Grids of hyperparameter settings, spelled the way people write them.

``step_size=log:1e-4:1:41``   41 values spaced evenly in log10 from 1e-4 to 1 (both included)
``momentum=lin:0:0.99:34``    34 values spaced evenly from 0 to 0.99
``beta1=0.8,0.9,0.95``        exactly these values

A :class:`Grid` is the product of its axes. Settings are numbered with the first axis slowest,
and :meth:`Grid.columns` gives one array per hyperparameter, one entry per setting, ready to be
an optimizer's array hyperparameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.optimizers import OPTIMIZERS

SCALES = ("log", "lin", "list")
#: More settings than this in one grid is almost surely a typo (and would not fit in memory).
MAX_SETTINGS = 10_000_000


@dataclass(frozen=True)
class Axis:
    """One hyperparameter's values and how they were spaced (``log``, ``lin`` or ``list``)."""

    name: str
    values: tuple[float, ...]
    scale: str

    @property
    def log(self) -> bool:
        return self.scale == "log"


@dataclass(frozen=True)
class Grid:
    """The product of its axes."""

    axes: tuple[Axis, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    def __len__(self) -> int:
        return math.prod(len(axis.values) for axis in self.axes)

    def axis(self, name: str) -> Axis:
        for axis in self.axes:
            if axis.name == name:
                return axis
        raise ValueError(f"the grid has no axis {name!r}; its axes are {', '.join(self.names)}")

    def columns(self) -> dict[str, np.ndarray]:
        """One float array of ``len(self)`` values per hyperparameter (first axis slowest)."""
        if not self.axes:
            return {}
        mesh = np.meshgrid(*(np.asarray(a.values, dtype=float) for a in self.axes), indexing="ij")
        return {axis.name: m.ravel() for axis, m in zip(self.axes, mesh, strict=True)}

    def only(self, names: Sequence[str]) -> Grid:
        """The sub-grid of the axes named in ``names``."""
        return Grid(tuple(axis for axis in self.axes if axis.name in names))


def parse_axis(name: str, spec: object) -> Axis:
    """The values of ``name`` from ``log:LO:HI:N``, ``lin:LO:HI:N``, ``a,b,c`` or a sequence."""
    if isinstance(spec, str):
        return _parse_text(name, spec.strip())
    if isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, bytes):
        values = tuple(_number(name, value, spec) for value in np.ravel(np.asarray(spec, object)))
        return _checked(Axis(name, values, "list"), spec)
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return _checked(Axis(name, (_number(name, spec, spec),), "list"), spec)
    raise TypeError(
        f"grid values of {name} must be 'log:LO:HI:N', 'lin:LO:HI:N', 'a,b,c' or a list of "
        f"numbers, not {spec!r}"
    )


def _parse_text(name: str, text: str) -> Axis:
    kind, colon, rest = text.partition(":")
    if not colon:
        values = tuple(_number(name, part, text) for part in text.split(","))
        return _checked(Axis(name, values, "list"), text)
    if kind not in ("log", "lin"):
        raise ValueError(
            f"grid of {name}: a range starts with log: or lin:, not {kind + ':'!r} (in {text!r})"
        )
    parts = rest.split(":")
    if len(parts) != 3:
        raise ValueError(
            f"grid of {name}: expected {kind}:LO:HI:N (three numbers after {kind}:), got {text!r}"
        )
    lo, hi = (_number(name, part, text) for part in parts[:2])
    count = _count(name, parts[2], text)
    if count > MAX_SETTINGS:  # before anything is built
        raise ValueError(f"grid of {name}: {count:,} values, more than the {MAX_SETTINGS:,} "
                         f"settings a grid may have (in {text!r})")  # fmt: skip
    if kind == "log":
        if lo <= 0 or hi <= 0:
            raise ValueError(f"grid of {name}: a log range needs LO and HI > 0, got {text!r}")
        values = np.logspace(math.log10(lo), math.log10(hi), count)
        values[-1] = hi  # exactly the ends written, not 10**log10(end); one value is LO, as
        values[0] = lo  # lin:LO:HI:1 gives
    else:
        values = np.linspace(lo, hi, count)
    return _checked(Axis(name, tuple(float(v) for v in values), kind), text)


def _checked(axis: Axis, spec: object) -> Axis:
    if not axis.values:
        raise ValueError(f"grid of {axis.name}: no values in {spec!r}")
    if len(set(axis.values)) != len(axis.values):
        raise ValueError(f"grid of {axis.name}: repeated values in {spec!r}")
    return axis


def _number(name: str, text: object, spec: object) -> float:
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"grid of {name}: {text!r} is not a number (in {spec!r})") from None
    if isinstance(text, bool) or not math.isfinite(value):
        raise ValueError(f"grid of {name}: {text!r} is not a finite number (in {spec!r})")
    return value


def _count(name: str, text: str, spec: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise ValueError(
            f"grid of {name}: the count N must be a whole number, got {spec!r}"
        ) from None
    if count < 1:
        raise ValueError(f"grid of {name}: the count N must be >= 1, got {spec!r}")
    return count


def make_grid(grid: Grid | Mapping[str, object]) -> Grid:
    """A :class:`Grid` from ``{"step_size": "log:1e-4:1:41", "momentum": [0, 0.9]}``."""
    if isinstance(grid, Grid):
        return grid
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping of hyperparameter -> values, not {grid!r}")
    settings = math.prod(_size(spec) for spec in grid.values())
    if settings > MAX_SETTINGS:  # counted from the specs, before any axis is built
        raise ValueError(f"grid has {settings:,} settings, more than {MAX_SETTINGS:,}")
    return Grid(tuple(parse_axis(str(name), spec) for name, spec in grid.items()))


def _size(spec: object) -> int:
    """How many values ``spec`` gives, read off without building them (1 where unsure: the
    axis itself then says what is wrong)."""
    if isinstance(spec, str):
        _, colon, rest = spec.strip().partition(":")
        if not colon:
            return spec.count(",") + 1
        try:
            return max(int(rest.split(":")[-1]), 1)
        except ValueError:
            return 1
    if isinstance(spec, Sequence | np.ndarray) and not isinstance(spec, bytes):
        return max(int(np.size(spec)) if isinstance(spec, np.ndarray) else len(spec), 1)
    return 1


def parse_grid_options(texts: Sequence[str]) -> Grid:
    """``NAME=SPEC`` strings (the CLI's ``--grid``) as a grid; a name given twice is an error."""
    axes: dict[str, str] = {}
    for text in texts:
        name, equals, spec = text.partition("=")
        name = name.strip()
        if not equals or not name or not spec.strip():
            raise ValueError(
                f"--grid: expected NAME=SPEC such as step_size=log:1e-4:1:41, got {text!r}"
            )
        if name in axes:
            raise ValueError(f"--grid: {name} is given twice")
        axes[name] = spec
    return make_grid(axes)


def numeric_hyperparameters(optimizer: str) -> dict[str, object]:
    """The hyperparameters of ``optimizer`` a grid can range over, with their defaults."""
    cls = OPTIMIZERS[optimizer]
    # a whole number (a period, a count of steps) is compiled into the run, not one per start
    return {h.name: h.default for h in cls.hyperparameters() if h.kind == "number"}


def check_grid(grid: Grid, optimizers: Sequence[str]) -> None:
    """Every axis must be a numeric hyperparameter of at least one of ``optimizers``."""
    for axis in grid.axes:
        owners = [name for name in optimizers if axis.name in _all_names(name)]
        if not owners:
            allowed = sorted({n for name in optimizers for n in numeric_hyperparameters(name)})
            raise ValueError(
                f"grid: {', '.join(optimizers)} {'has' if len(optimizers) == 1 else 'have'} no "
                f"hyperparameter {axis.name!r}; numeric ones are {', '.join(allowed)}"
            )
        numeric = [name for name in owners if axis.name in numeric_hyperparameters(name)]
        if not numeric:
            raise ValueError(
                f"grid: {axis.name} of {owners[0]} is not a number (a choice, a switch, a "
                "whole number or an optimizer), so it cannot be swept; fix it with --hyper instead"
            )


def _all_names(optimizer: str) -> set[str]:
    return {h.name for h in OPTIMIZERS[optimizer].hyperparameters()}
