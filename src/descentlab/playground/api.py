"""The playground's JSON API: what the page asks for, checked, answered from the library.

Every request is a pydantic model whose constraints are in the API document: a problem is one
of the catalog functions (each with the dimensions it has) or an expression, an optimizer is one
of the registered ones with its own hyperparameters and the ranges its checks enforce
(:meth:`~descentlab.optimizers.Optimizer.domains`), and every number is finite. A request the
schema refuses is a 422 naming the field; one the schema allows but the library refuses (an
expression off the allow-list, bounds with lo > hi, a start of the wrong length) is a 400 with
``{"error": message, "field": name}``.

The work of a request is bounded by the schema (at most ``MAX_OPTIMIZERS`` runs of
``MAX_ITER`` iterations in two dimensions) and by a time limit that the server enforces in its
worker processes (:mod:`descentlab.playground.workers`). The functions here are plain and run
wherever they are called.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from descentlab.optimizers import OPTIMIZERS, get_optimizer
from descentlab.problems.functions import FUNCTIONS
from descentlab.problems.problem import Problem
from descentlab.problems.stochastic import GradientNoise
from descentlab.results import records
from descentlab.runner import Tolerance, minimize
from descentlab.tutorials import TUTORIALS

MAX_ITER = 5000
MAX_OPTIMIZERS = 6
MAX_GRID = 200
MAX_EXPRESSION = 500
MAX_WHOLE = 1000  # a count (Newton-Schulz steps, a period): the time limit bounds the rest


class BadRequest(ValueError):
    """A request the library refused; ``field`` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def __reduce__(self):  # it crosses from the worker processes
        return (type(self), (self.field, str(self)))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# JSON types exactly: no false for 0.0, no "5" for 5 (strict leaves; lists stay lists).
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Whole = Annotated[int, Field(strict=True), BeforeValidator(lambda v: _json_integer(v))]
Switch = Annotated[bool, Field(strict=True)]
Pair = tuple[Finite, Finite]


def _json_integer(value: object) -> object:
    """A JSON number with no fraction (``524.0``) is an integer, as JSON Schema says."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _no_switch(value: object) -> object:
    """true and false are not the numbers 1 and 0 in JSON."""
    if isinstance(value, bool):
        raise ValueError("Input should be a whole number, not true or false")
    return value


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


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


def _function_model(name: str, dims: list[int]) -> type[BaseModel]:
    """The request for one catalog function: its name, one of its dimensions, its box."""
    return create_model(
        f"Function_{_identifier(name)}",
        __base__=_Model,
        function=(Literal[name], ...),
        dim=(Annotated[Literal[tuple(dims)], BeforeValidator(_no_switch)] | None, None),  # type: ignore[valid-type]
        bounds=(list[Pair] | None, Field(None, min_length=min(dims), max_length=max(dims))),
    )


class ExpressionProblem(_Model):
    expr: str = Field(min_length=1, max_length=MAX_EXPRESSION)
    bounds: list[Pair] | None = Field(default=None, min_length=1, max_length=2)


FunctionProblem = Annotated[
    Union[tuple(_function_model(f["name"], f["dims"]) for f in functions())],  # noqa: UP007
    Field(discriminator="function"),
]
ProblemSpec = FunctionProblem | ExpressionProblem


def _choices(info) -> list[str]:
    """A choice's strings; for an inner optimizer or a fallback, the optimizers that are not
    wrappers themselves (each at its defaults)."""
    if info.kind == "choice":
        return list(info.choices)
    return [name for name, cls in OPTIMIZERS.items() if cls.family != "wrappers"]


def _least(info) -> int:
    """The smallest whole number a count allows: 0 for a warm-up, else 1."""
    return 0 if info.default == 0 else 1


@functools.cache
def optimizers() -> list[dict[str, Any]]:
    """Each optimizer with its hyperparameters, defaults and the ranges the sliders allow."""
    out = []
    for name, cls in OPTIMIZERS.items():
        hypers = [_slider(h) for h in cls.hyperparameters()]
        out.append({"name": name, "summary": cls.summary, "hyperparameters": hypers})
    return out


def _optimizer_model(name: str) -> type[BaseModel]:
    """The request for one optimizer: its name and any of its own hyperparameters, each in the
    range the optimizer's checks allow."""
    cls = OPTIMIZERS[name]
    domains = cls.domains()
    fields: dict[str, Any] = {}
    for info in cls.hyperparameters():
        if info.kind in ("choice", "optimizer"):
            kind: Any = Literal[tuple(_choices(info))]
        elif info.kind == "switch":
            kind = Switch
        elif info.kind == "whole":
            kind = Annotated[Whole, Field(ge=_least(info), le=MAX_WHOLE)]
        else:
            kind = Annotated[Finite, Field(**domains.get(info.name, {}))]
        fields[info.name] = (kind | None, Field(default=None, description=info.help))
    hypers = create_model(f"Hyperparameters_{_identifier(name)}", __base__=_Model, **fields)
    return create_model(f"Optimizer_{_identifier(name)}", __base__=_Model,
                        name=(Literal[name], ...),
                        hyperparameters=(hypers, Field(default_factory=hypers)))  # fmt: skip


OptimizerSpec = Annotated[
    Union[tuple(_optimizer_model(name) for name in OPTIMIZERS)],  # noqa: UP007
    Field(discriminator="name"),
]


class RunRequest(_Model):
    problem: ProblemSpec
    start: list[Finite] = Field(min_length=1, max_length=2)
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=MAX_OPTIMIZERS)
    n_iter: Whole = Field(default=200, ge=1, le=MAX_ITER)
    target: Finite = Field(default=1e-8, gt=0, le=1e6)
    stop_at_target: Switch = True
    noise: Finite = Field(default=0.0, ge=0, le=1e3)
    seed: Whole = Field(default=0, ge=0, lt=2**32)


class SurfaceRequest(_Model):
    problem: ProblemSpec
    n: Whole = Field(default=80, ge=8, le=MAX_GRID)


class ErrorBody(BaseModel):
    """Every answer that is not a 200: what went wrong, and the field to change (``None``
    for a fault of the server)."""

    error: str
    field: str | None


def _slider(info) -> dict[str, Any]:
    base = {"name": info.name, "default": info.shown_default, "help": info.help}
    if info.kind in ("choice", "optimizer"):
        return {**base, "kind": "choice", "choices": _choices(info)}
    if info.kind == "switch":
        return {**base, "kind": "switch"}
    if info.kind == "whole":
        least = _least(info)
        return {**base, "kind": "number", "integer": True, "min": least,
                "max": max(10, 4 * info.default), "log": False}  # fmt: skip
    number = {**base, "kind": "number", "optional": info.optional}
    if "in [0, 1)" in info.help or info.name.startswith(("beta", "momentum", "rho")):
        return {**number, "min": 0.0, "max": 0.999, "log": False}
    if info.optional:  # derived from the others unless set: a wide log range
        return {**number, "min": 1e-8, "max": 10.0, "log": True}
    default = float(info.default)
    if default > 0:
        return {**number, "min": default / 1e4, "max": default * 1e2, "log": True}
    return {**number, "min": 0.0, "max": 1.0, "log": False}


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


def build_problem(spec) -> tuple[Problem, list[str]]:
    """The problem a request names, and the names of its axes."""
    if isinstance(spec, ExpressionProblem):
        return _expression_problem(spec.expr, spec.bounds)
    entry = FUNCTIONS[spec.function]
    dims = next(f["dims"] for f in functions() if f["name"] == spec.function)
    dim = spec.dim or (len(spec.bounds) if spec.bounds else max(dims))
    if spec.bounds is not None and len(spec.bounds) != dim:
        raise BadRequest("problem.bounds", f"give {dim} bounds pairs for dimension {dim}, "
                         f"not {len(spec.bounds)}")  # fmt: skip
    try:
        problem = entry.problem(dim, spec.bounds)
    except ValueError as error:
        raise BadRequest("problem.bounds", str(error)) from None
    return problem, ["x", "y"][:dim]


def _expression_problem(text: str, bounds) -> tuple[Problem, list[str]]:
    parsed, names = _parsed(text)
    box = bounds or [(-2.0, 2.0)] * parsed.dim
    if len(box) != parsed.dim:
        raise BadRequest("problem.bounds", f"the expression has {parsed.dim} variable"
                         f"{'s' if parsed.dim > 1 else ''} ({', '.join(names)}): give one bounds "
                         f"pair each, not {len(box)}")  # fmt: skip
    try:
        return parsed.as_problem(box), names
    except ValueError as error:
        raise BadRequest("problem.bounds", str(error)) from None


@functools.lru_cache(maxsize=64)
def _parsed(text: str):
    """The expression, its used variables drawn as the page's axes: ``x**2 + z**2`` is a
    function of two variables (x and z), not of three, and ``x1**2 + x3**2`` likewise."""
    from descentlab.problems.expressions import parse_expression

    try:
        parsed = parse_expression(text)
        used = [v for v in parsed.variables if v in parsed.expression.free_symbols]
        if 0 < len(used) < parsed.dim:
            names = [str(v) for v in used]
            axes = [str(v) for v in parsed.variables[: len(used)]]
            renamed = re.sub(r"\b(" + "|".join(map(re.escape, names)) + r")\b",
                             lambda m: axes[names.index(m.group(1))], text)  # fmt: skip
            parsed = parse_expression(renamed)
            return parsed, names
    except (ValueError, TypeError) as error:
        raise BadRequest("problem.expr", str(error)) from None
    if parsed.dim > 2:
        raise BadRequest("problem.expr", f"the expression has {parsed.dim} variables; the "
                         "playground draws one or two")  # fmt: skip
    return parsed, [str(v) for v in parsed.variables]


def surface(request: SurfaceRequest) -> dict[str, Any]:
    """Values on a grid over the bounds: ``n`` points (1-D) or ``n x n`` (2-D)."""
    problem, names = build_problem(request.problem)
    axes = [np.linspace(lo, hi, request.n) for lo, hi in problem.bounds]
    with np.errstate(all="ignore"):
        if len(axes) == 1:
            values = problem.f(axes[0][:, None])
        else:
            xx, yy = np.meshgrid(*axes)
            values = problem.f(np.stack([xx, yy], axis=-1))
    minimizers = None if problem.minimizers is None else problem.minimizers.tolist()
    return {"axes": [a.tolist() for a in axes], "variables": names,
            "values": _finite(np.asarray(values)), "minimum": problem.minimum,
            "minimizers": minimizers}  # fmt: skip


def run(request: RunRequest, engine: str = "numpy") -> dict[str, Any]:
    """Each optimizer from the same start; paths, convergence, a table row and its run record.

    On the JAX engine a run is compiled once per function, optimizer and ``n_iter``; moving a
    slider then reuses the program (noisy runs stay on NumPy)."""
    problem, names = build_problem(request.problem)
    if len(request.start) != problem.dim:
        raise BadRequest("start", f"start must have {problem.dim} coordinates, not "
                         f"{len(request.start)}")  # fmt: skip
    answers = [_one_run(problem, _optimizer(spec, k), request, engine)
               for k, spec in enumerate(request.optimizers)]  # fmt: skip
    return {"problem": {"name": problem.name, "dim": problem.dim, "variables": names,
                        "bounds": problem.bounds.tolist(), "minimum": problem.minimum},
            "runs": answers}  # fmt: skip


def _optimizer(spec, k: int):
    chosen = {name: value for name, value in spec.hyperparameters if value is not None}
    try:
        return get_optimizer(spec.name, **chosen)
    except (ValueError, TypeError) as error:
        raise BadRequest(f"optimizers.{k}.hyperparameters", str(error)) from None


def _one_run(problem: Problem, optimizer, request: RunRequest, engine: str):
    noise = GradientNoise(request.noise) if request.noise > 0 else None
    stop = request.stop_at_target and problem.minimum is not None
    tol = Tolerance(fun=request.target) if stop else None
    on = "jax" if engine == "jax" and noise is None else "numpy"
    result = minimize(problem, optimizer, n_iter=request.n_iter, x0=request.start,
                      seed=request.seed, tol=tol, noise=noise, engine=on)  # fmt: skip
    floor = problem.minimum if problem.minimum is not None else 0.0
    gaps = np.asarray(result.path_fun, dtype=float) - floor
    reached = np.flatnonzero(gaps <= request.target)
    settings = {"problem": _problem_settings(request.problem),
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


def _problem_settings(spec) -> dict[str, Any]:
    expr = spec.expr if isinstance(spec, ExpressionProblem) else None
    function = None if expr is not None else spec.function
    return {"function": function, "expr": expr, "grad": None, "params": None}


def _finite(array) -> Any:
    """Numbers for JSON: non-finite ones as None."""
    values = np.asarray(array, dtype=float)
    if values.ndim == 0:
        return float(values) if math.isfinite(values) else None
    return [_finite(v) for v in values] if values.ndim > 1 else [
        float(v) if math.isfinite(v) else None for v in values.tolist()]  # fmt: skip


def run_plain(body: dict[str, Any], engine: str) -> dict[str, Any]:
    """:func:`run` of a request given as plain data (what the worker processes receive)."""
    return run(RunRequest.model_validate(body), engine)


def surface_plain(body: dict[str, Any]) -> dict[str, Any]:
    """:func:`surface` of a request given as plain data."""
    return surface(SurfaceRequest.model_validate(body))
