"""What an experiment is, what it finds, and how its verdict follows from its checks.

An experiment states a claim and its source, runs a design, and returns a :class:`Finding`:
the checks that decide the claim (each a yes/no computed from the data, with the numbers that
decided it), the verdict those checks imply, the numbers worth keeping, and the arrays its one
figure is drawn from. Nothing in a verdict is written by hand: change the data and it changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
DEPENDS = "depends"


class Progress(Protocol):
    """Told how many units of work an experiment has, then of each one done."""

    def plan(self, total: int) -> None: ...

    def advance(self, label: str) -> None: ...


class Silent:
    """A :class:`Progress` that shows nothing."""

    def plan(self, total: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass


@dataclass(frozen=True)
class Check:
    """One condition of the claim, whether the data meet it, and the numbers that say so."""

    condition: str
    holds: bool
    evidence: str


@dataclass(frozen=True)
class Verdict:
    """``supported`` (every check holds), ``not supported`` (none does) or ``depends`` (some
    do: ``reason`` names which)."""

    outcome: str
    reason: str


def decide(checks: list[Check]) -> Verdict:
    """The verdict that a list of checks implies."""
    if not checks:
        raise ValueError("a verdict needs at least one check")
    held = [c.condition for c in checks if c.holds]
    failed = [c.condition for c in checks if not c.holds]
    if not failed:
        return Verdict(SUPPORTED, "every check holds")
    if not held:
        return Verdict(NOT_SUPPORTED, "no check holds")
    return Verdict(DEPENDS, f"holds for: {'; '.join(held)}. Fails for: {'; '.join(failed)}")


@dataclass
class Finding:
    """The outcome of one experiment run."""

    name: str
    title: str
    claim: str
    source: str
    design: str
    quick: bool
    checks: list[Check]
    numbers: dict[str, Any]
    data: dict[str, Any] = field(repr=False)
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        self.verdict = decide(self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the claim, the design, the checks, the verdict and the numbers."""
        return {
            "schema": "descentlab.experiment/1",
            "name": self.name,
            "title": self.title,
            "claim": self.claim,
            "source": self.source,
            "design": self.design,
            "quick": self.quick,
            "verdict": self.verdict.outcome,
            "reason": self.verdict.reason,
            "checks": [
                {"condition": c.condition, "holds": bool(c.holds), "evidence": c.evidence}
                for c in self.checks
            ],
            "numbers": _plain(self.numbers),
        }


def _plain(value: Any) -> Any:
    """Numbers and arrays as JSON values (NaN and infinities as None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class Experiment:
    """A claim, the design that tests it (``run``) and the figure of its finding (``draw``)."""

    name: str
    title: str
    claim: str
    source: str
    run: Callable[[bool, Progress], Finding] = field(repr=False)
    draw: Callable[[Finding], Any] = field(repr=False)

    def __call__(self, quick: bool = False, progress: Progress | None = None) -> Finding:
        return self.run(quick, progress or Silent())

    def finding(
        self, *, design: str, quick: bool, checks: list[Check], numbers: dict, data: dict
    ) -> Finding:
        """A :class:`Finding` of this experiment."""
        return Finding(
            self.name, self.title, self.claim, self.source, design, quick, checks, numbers, data
        )
