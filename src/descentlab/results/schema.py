"""The shape of a run file (``descentlab.run/2``), for reading files that may come from anywhere.

Version 2 adds the optimizer's state (``result.state``) so a run can be continued; files of
version 1 are read as before (they cannot be continued).

The models check every field's type; the arrays (nested lists) are checked for shape and
consistency by :func:`descentlab.results.records.load` after this.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Longest text kept from a file (names, expressions, messages).
MAX_TEXT = 2000
#: Largest dimension a run file may claim.
MAX_DIM = 1_000_000

Text = Field(max_length=MAX_TEXT)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=False, frozen=True)


class ProblemPart(_Strict):
    name: str = Text
    dim: int | None = Field(default=None, ge=1, le=MAX_DIM)
    bounds: list[tuple[float, float]] | None = None
    minimum: float | None = None
    minimizers: list[list[float | None]] | None = None


class OptimizerPart(_Strict):
    name: str = Field(max_length=100)
    hyperparameters: dict[str, Any] = Field(default_factory=dict)


class ProblemSettings(_Strict):
    function: str | None = Text
    expr: str | None = Text
    grad: str | None = Text
    params: list[str] | None = Field(default=None, max_length=100)


class NoiseSettings(_Strict):
    kind: str = Field(max_length=20)
    sigma: float = Field(ge=0)
    df: int = Field(ge=1, le=100)


class TolSettings(_Strict):
    grad: float | None = Field(default=None, ge=0)
    fun: float | None = Field(default=None, ge=0)


class StepRuleSettings(_Strict):
    name: str = Field(max_length=20)
    c1: float | None = None
    c2: float | None = None
    shrink: float | None = None
    initial_step: float | None = None
    max_step: float | None = None


class Settings(_Strict):
    problem: ProblemSettings | None = None
    seed: int | None = None
    tol: TolSettings | None = None
    n_iter: int | None = None
    starts: int | None = None
    noise: NoiseSettings | None = None
    batch_size: int | None = Field(default=None, ge=1)
    project: bool = False
    step_rule: StepRuleSettings | None = None


class PathPart(_Strict):
    iteration: list[int]
    x: list[Any]
    fun: list[Any]
    grad_norm: list[Any]
    starts: list[int] | None = None
    regret: list[Any] | None = None
    step: list[Any] | None = None


class StatePart(_Strict):
    optimizer: str = Field(max_length=100)
    type: str = Field(max_length=100)
    count: int = Field(ge=0)
    fields: dict[str, Any] = Field(default_factory=dict, max_length=20)


class ResultPart(_Strict):
    x: list[Any] | float | None
    fun: list[Any] | float | None
    grad_norm: list[Any] | float | None
    nit: list[Any] | int
    status: list[Any] | str
    message: list[Any] | str
    nfev: int = Field(ge=0)
    njev: int = Field(ge=0)
    time: float = Field(ge=0)
    path: PathPart | None = None
    regret: list[Any] | float | None = None
    state: StatePart | None = None


class RunRecord(_Strict):
    schema_: Literal["descentlab.run/1", "descentlab.run/2"] = Field(alias="schema")
    version: str = Field(max_length=100)
    problem: ProblemPart
    optimizer: OptimizerPart
    settings: Settings
    result: ResultPart
