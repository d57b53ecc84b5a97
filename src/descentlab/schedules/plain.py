"""Schedules back from the plain data a run file keeps (``{"schedule": "CosineDecay", ...}``).

:meth:`descentlab.optimizers.Optimizer.settings` writes a schedule as a dict of its fields
under its class name; :func:`from_plain` rebuilds it. A :class:`~descentlab.schedules.Warmup`,
whose own field is named ``schedule``, is written as ``{"schedule": {the schedule it warms up
to}, "steps", "start"}``. Only the schedule classes of this package are rebuilt (a file may come
from anywhere: a name is looked up, never imported).
"""

from __future__ import annotations

from typing import Any

# Every schedule module, so that every schedule class is defined before the lookup.
import descentlab.schedules._classic
import descentlab.schedules.compose
import descentlab.schedules.shapes  # noqa: F401
from descentlab.schedules._base import Schedule


def _schedule_classes(base: type[Schedule] = Schedule) -> dict[str, type[Schedule]]:
    """This package's schedule classes by name (a user's own subclasses are not rebuilt)."""
    found = {}
    for cls in base.__subclasses__():
        if cls.__module__.startswith("descentlab.schedules"):
            found[cls.__name__] = cls
        found.update(_schedule_classes(cls))
    return found


SCHEDULE_CLASSES: dict[str, type[Schedule]] = _schedule_classes()


def from_plain(value: Any) -> Any:
    """``value`` with every ``{"schedule": NAME, field: ...}`` rebuilt as that schedule (lists
    become tuples inside a schedule); numbers, text and switches come back as they are."""
    if isinstance(value, dict) and "schedule" in value:
        fields = dict(value)
        name = fields.pop("schedule")
        if isinstance(name, dict):
            # Warmup's own field is called ``schedule`` and takes the class name's place in the
            # plain form: a schedule under "schedule" means a Warmup of it.
            fields["schedule"], name = name, "Warmup"
        cls = SCHEDULE_CLASSES.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULE_CLASSES)}, not {name!r}")
        try:
            return cls(**{key: _field(item) for key, item in fields.items()})
        except TypeError as error:
            raise ValueError(f"schedule {name}: {error}") from None
    return value


def _field(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_field(item) for item in value)
    return from_plain(value)
