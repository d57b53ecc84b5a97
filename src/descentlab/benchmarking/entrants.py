"""Who competes: an optimizer by its registered name, optionally with a step rule
(``gd+armijo``, ``momentum+wolfe``, ``gd+polyak``, ``gd+bb``) and fixed hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from descentlab.optimizers import OPTIMIZERS, Optimizer, get_optimizer
from descentlab.optimizers.step_rules import Armijo, BarzilaiBorwein, Polyak, StepRule, Wolfe

RULES = {"armijo": Armijo, "wolfe": Wolfe, "polyak": Polyak, "bb": BarzilaiBorwein}
_INNER = "inner."  # a wrapper's settings of its inner optimizer


@dataclass(frozen=True)
class Entrant:
    """``optimizer`` (a registered name) with ``rule`` (a step rule's name, or None)."""

    label: str
    optimizer: str
    rule: str | None = None

    def build(self, settings: dict[str, Any]):
        """The optimizer with ``settings`` (numbers, or arrays one value per start); a
        wrapper's ``inner.NAME`` settings go to its inner optimizer (its default one, or the
        one named by an ``inner`` setting)."""
        own = {k: v for k, v in settings.items() if not k.startswith(_INNER)}
        inner = {k[len(_INNER) :]: v for k, v in settings.items() if k.startswith(_INNER)}
        if inner:
            name = own.pop("inner", None) or OPTIMIZERS[self.optimizer]().inner.name
            own["inner"] = get_optimizer(name, **inner)
        return get_optimizer(self.optimizer, **own)

    def step_rule(self) -> StepRule | None:
        return None if self.rule is None else RULES[self.rule]()

    @property
    def step_name(self) -> str:
        """The name of the optimizer's step size (``alpha``, ``step_size``); a wrapper's is
        its inner optimizer's (``inner.alpha``)."""
        cls = OPTIMIZERS[self.optimizer]
        own = next((h.name for h in cls.hyperparameters() if h.schedule), None)
        if own is not None:
            return own
        inner = type(cls().inner)
        return _INNER + next(h.name for h in inner.hyperparameters() if h.schedule)


def parse_entrant(text: str) -> Entrant:
    """``adam`` or ``gd+armijo``, checked against the registry and the rules' own checks."""
    name, plus, rule = str(text).strip().partition("+")
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)} (optionally with "
                         f"+{'/+'.join(RULES)}), not {text!r}")  # fmt: skip
    if plus and rule not in RULES:
        raise ValueError(f"step rule must be one of {', '.join(RULES)}, not {rule!r} "
                         f"(in {text!r})")  # fmt: skip
    entrant = Entrant(str(text).strip(), name, rule or None)
    if entrant.rule is not None:
        chosen = entrant.step_rule()
        if chosen.gradient_descent_only and name != "gd":
            raise ValueError(f"{text!r}: {type(chosen).__name__}'s step is a step size for "
                             "gradient descent (gd+...)")  # fmt: skip
        if OPTIMIZERS[name].scale_update is Optimizer.scale_update:
            raise ValueError(f"{text!r}: a line search scales the update of gd or momentum only")
    return entrant


def parse_entrants(optimizers) -> list[Entrant]:
    names = [optimizers] if isinstance(optimizers, str) else list(optimizers)
    if not names:
        raise ValueError("optimizers must name at least one optimizer")
    entrants = [parse_entrant(name) for name in names]
    labels = [e.label for e in entrants]
    if len(set(labels)) != len(labels):
        raise ValueError(f"optimizers must be distinct, not {labels}")
    return entrants
