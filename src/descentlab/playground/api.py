"""The playground's JSON API: what the page asks for, checked, answered from the library.

Every request is a small pydantic model; a field out of its range is a 422 that names it. The
library's own checks (an unknown optimizer, a hyperparameter out of range, an expression off the
allow-list) become a 400 with ``{"error": message, "field": name}``. Work is capped per
request (iterations x optimizers x dimension) and every run stops at a time limit.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from descentlab import records
from descentlab.functions import FUNCTIONS
from descentlab.optimizers import OPTIMIZERS, get_optimizer
from descentlab.problem import Problem
from descentlab.runner import Tolerance, minimize
from descentlab.stochastic import GradientNoise
from descentlab.tutorials import TUTORIALS

MAX_ITER = 5000
MAX_OPTIMIZERS = 6
MAX_GRID = 200
#: Iterations x optimizers x dimension a single request may ask for.
MAX_WORK = 20_000
TIME_LIMIT = 2.0  # seconds per run request


class BadRequest(ValueError):
    """A request the library refused; ``field`` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemSpec(_Model):
    function: str | None = Field(default=None, max_length=100)
    expr: str | None = Field(default=None, max_length=500)
    dim: int = Field(default=2, ge=1, le=2)
    bounds: list[tuple[float, float]] | None = Field(default=None, max_length=2)


class OptimizerSpec(_Model):
    name: str = Field(max_length=50)
    hyperparameters: dict[str, float | bool | str] = Field(default_factory=dict, max_length=20)


class RunRequest(_Model):
    problem: ProblemSpec
    start: list[float] = Field(min_length=1, max_length=2)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    n_iter: int = Field(default=200, ge=1, le=MAX_ITER)
    target: float = Field(default=1e-8, gt=0, le=1e6)
    stop_at_target: bool = True
    noise: float = Field(default=0.0, ge=0, le=1e3)
    seed: int = Field(default=0, ge=0, lt=2**32)


class SurfaceRequest(_Model):
    problem: ProblemSpec
    n: int = Field(default=80, ge=8, le=MAX_GRID)


@functools.cache
def functions() -> list[dict[str, Any]]:
    """The catalog functions the page can draw (in one or two dimensions)."""
    listed = []
    for name, entry in FUNCTIONS.items():
        dims = [d for d in (1, 2) if (entry.dim in (None, d)) and d >= entry.min_dim]
        if not dims:
            continue
        dim = 2 if 2 in dims else 1
        problem = entry.problem(dim)
        listed.append({"name": name, "formula": entry.formula, "dims": dims,
                       "bounds": problem.bounds.tolist(), "minimum": problem.minimum})  # fmt: skip
    return listed


@functools.cache
def optimizers() -> list[dict[str, Any]]:
    """Each optimizer with its hyperparameters, defaults and the ranges the sliders allow."""
    out = []
    for name, cls in OPTIMIZERS.items():
        hypers = [_slider(h) for h in cls.hyperparameters()]
        out.append({"name": name, "summary": cls.summary, "hyperparameters": hypers})
    return out


def _slider(info) -> dict[str, Any]:
    base = {"name": info.name, "default": info.default, "help": info.help}
    if info.choices:
        return {**base, "kind": "choice", "choices": list(info.choices)}
    if isinstance(info.default, bool):
        return {**base, "kind": "switch"}
    default = float(info.default)
    if "in [0, 1)" in info.help or info.name.startswith(("beta", "momentum", "rho")):
        return {**base, "kind": "number", "min": 0.0, "max": 0.999, "log": False}
    if default > 0:
        return {**base, "kind": "number", "min": default / 1e4, "max": default * 1e2, "log": True}
    return {**base, "kind": "number", "min": 0.0, "max": 1.0, "log": False}


@functools.cache
def presets() -> list[dict[str, Any]]:
    """The tutorials' configurations, ready to load into the page."""
    out = []
    for tutorial in TUTORIALS.values():
        problem = tutorial.problem
        start = np.random.RandomState(tutorial.seed)
        x0 = problem.bounds[:, 0] + start.rand(problem.dim) * np.ptp(problem.bounds, axis=1)
        out.append({
            "name": tutorial.name, "title": tutorial.title,
            "problem": {"function": "sphere", "dim": problem.dim},
            "start": x0.tolist(), "n_iter": tutorial.n_iter, "stop_at_target": False,
            "optimizers": [{"name": tutorial.optimizer.name,
                            "hyperparameters": _plain_settings(tutorial.optimizer)}],
        })  # fmt: skip
    return out


def _plain_settings(optimizer) -> dict[str, Any]:
    return {k: v for k, v in optimizer.settings().items() if isinstance(v, int | float | str)}


def build_problem(spec: ProblemSpec) -> Problem:
    if (spec.function is None) == (spec.expr is None):
        raise BadRequest("problem", "give exactly one of problem.function and problem.expr")
    if spec.expr is not None:
        from descentlab.expressions import parse_expression

        try:
            parsed = parse_expression(spec.expr)
        except (ValueError, TypeError) as error:
            raise BadRequest("problem.expr", str(error)) from None
        bounds = spec.bounds or [(-2.0, 2.0)] * parsed.dim
        if parsed.dim > 2 or len(bounds) != parsed.dim:
            raise BadRequest("problem.expr", f"the expression has {parsed.dim} variables; the "
                             "playground draws one or two, with one bounds pair each")  # fmt: skip
        return parsed.as_problem(bounds)
    entry = FUNCTIONS.get(spec.function)
    if entry is None:
        known = ", ".join(f["name"] for f in functions())
        raise BadRequest("problem.function",
                         f"function must be one of {known}, not {spec.function!r}")  # fmt: skip
    try:
        return entry.problem(spec.dim, spec.bounds)
    except ValueError as error:
        raise BadRequest("problem.dim", str(error)) from None


def surface(request: SurfaceRequest) -> dict[str, Any]:
    """Values on a grid over the bounds: ``n`` points (1-D) or ``n x n`` (2-D)."""
    problem = build_problem(request.problem)
    axes = [np.linspace(lo, hi, request.n) for lo, hi in problem.bounds]
    if len(axes) == 1:
        values = problem.f(axes[0][:, None])
    else:
        xx, yy = np.meshgrid(*axes)
        values = problem.f(np.stack([xx, yy], axis=-1))
    minimizers = None if problem.minimizers is None else problem.minimizers.tolist()
    return {"axes": [a.tolist() for a in axes], "values": _finite(np.asarray(values)),
            "minimum": problem.minimum, "minimizers": minimizers}  # fmt: skip


def run(request: RunRequest, engine: str = "numpy") -> dict[str, Any]:
    """Each optimizer from the same start; paths, convergence, a table row and its run record.

    On the JAX engine a run is compiled once per function, optimizer and ``n_iter``; moving a
    slider then reuses the program (noisy runs stay on NumPy)."""
    problem = build_problem(request.problem)
    if len(request.start) != problem.dim:
        raise BadRequest("start", f"start must have {problem.dim} coordinates, not "
                         f"{len(request.start)}")  # fmt: skip
    work = request.n_iter * len(request.optimizers) * problem.dim
    if work > MAX_WORK:
        raise BadRequest("n_iter", f"n_iter x optimizers x dimension must be at most "
                         f"{MAX_WORK:,}, not {work:,}")  # fmt: skip
    deadline = time.monotonic() + TIME_LIMIT
    answers = []
    for k, spec in enumerate(request.optimizers):
        optimizer = _optimizer(spec, k)
        answers.append(_one_run(problem, optimizer, request, deadline, engine))
    return {"problem": {"name": problem.name, "dim": problem.dim,
                        "bounds": problem.bounds.tolist(), "minimum": problem.minimum},
            "runs": answers}  # fmt: skip


def _optimizer(spec: OptimizerSpec, k: int):
    if spec.name not in OPTIMIZERS:
        raise BadRequest(f"optimizers.{k}.name", f"optimizer must be one of "
                         f"{', '.join(OPTIMIZERS)}, not {spec.name!r}")  # fmt: skip
    known = {h.name for h in OPTIMIZERS[spec.name].hyperparameters()}
    for name in spec.hyperparameters:
        if name not in known:
            raise BadRequest(f"optimizers.{k}.hyperparameters.{name}",
                             f"{spec.name} has hyperparameters {', '.join(sorted(known))}, "
                             f"not {name!r}")  # fmt: skip
    try:
        return get_optimizer(spec.name, **spec.hyperparameters)
    except (ValueError, TypeError) as error:
        raise BadRequest(f"optimizers.{k}.hyperparameters", str(error)) from None


def _one_run(problem: Problem, optimizer, request: RunRequest, deadline: float, engine: str):
    noise = GradientNoise(request.noise) if request.noise > 0 else None
    stop = request.stop_at_target and problem.minimum is not None
    tol = Tolerance(fun=request.target) if stop else None
    common = dict(n_iter=request.n_iter, x0=request.start, seed=request.seed, tol=tol)
    if engine == "jax" and noise is None:  # compiled: no callback, the work cap bounds it
        result = minimize(problem, optimizer, **common, engine="jax")
    else:
        result = minimize(problem, optimizer, **common, noise=noise, engine="numpy",
                          callback=lambda info: time.monotonic() > deadline)  # fmt: skip
    if str(result.status) == "stopped":
        raise BadRequest("n_iter", f"the run took longer than the {TIME_LIMIT:g} s allowed: "
                         "ask for fewer iterations")  # fmt: skip
    floor = problem.minimum if problem.minimum is not None else 0.0
    gaps = np.asarray(result.path_fun, dtype=float) - floor
    reached = np.flatnonzero(gaps <= request.target)
    settings = {"problem": {"function": request.problem.function, "expr": request.problem.expr,
                            "grad": None, "params": None},
                "seed": request.seed, "n_iter": request.n_iter, "starts": None,
                "x0": request.start, "tol": {"grad": None, "fun": request.target},
                "noise": None if noise is None else noise.describe()}  # fmt: skip
    record = records.finite_or_none(
        records.run_record(problem, optimizer, result, settings, include_path=True))  # fmt: skip
    return {
        "optimizer": optimizer.name,
        "settings": _plain_settings(optimizer),
        "path": record["result"]["path"]["x"],
        "fun": record["result"]["path"]["fun"],
        "iterations_to_target": int(result.path_iter[reached[0]]) if reached.size else None,
        "final_x": _finite(result.x),
        "final_f": _finite(result.fun),
        "status": str(result.status),
        "record": record,
    }


def _finite(array) -> Any:
    """Numbers for JSON: non-finite ones as None."""
    values = np.asarray(array, dtype=float)
    if values.ndim == 0:
        return float(values) if math.isfinite(values) else None
    return [_finite(v) for v in values] if values.ndim > 1 else [
        float(v) if math.isfinite(v) else None for v in values.tolist()]  # fmt: skip
