"""``run OPTIMIZER --resume FILE``: continue a saved run with the settings it was made with.

The file's optimizer settings, problem, seed, tolerances, projection and step rule are the
run's; an option given on the command line must agree with them, or the command is refused with both
values (a resumed run that silently took the default ``alpha`` would not be the run it claims
to continue). Two changes are meaningful and allowed, each said out loud on standard error: a
new ``--schedule`` for the step size from here on, and new tolerances. A run with gradient noise
or minibatches cannot be continued exactly (their draws follow the iteration number) and is
refused, as ``dl.minimize(resume=)`` refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
import numpy as np

from descentlab.cli._args import given
from descentlab.cli._problem import build_problem, catalog_parameters
from descentlab.cli._step_rules import STEP_RULE_OPTIONS
from descentlab.optimizers import Optimizer
from descentlab.problems.functions import STOCHASTIC_PROBLEMS
from descentlab.results import records
from descentlab.results.result import Result
from descentlab.runner import Tolerance
from descentlab.schedules.plain import from_plain


@dataclass
class Resumed:
    """What a resumed command runs with, and the notes to print about what it changed."""

    result: Result
    optimizer: Optimizer
    problem: Any
    seed: int | None
    tol: Tolerance
    notes: list[str] = field(default_factory=list)


def load_resumed(path: str, options: dict[str, Any]) -> records.SavedRun:
    """The run file ``--resume`` names (checked as every run file is)."""
    for option in ("x0", "starts"):
        if options[option] is not None:
            raise click.UsageError(f"--resume continues the saved points: drop --{option}")
    return records.load(path)


def steps_done(saved: records.SavedRun) -> int:
    """How many steps the saved run's optimizer took (0 for a file without state)."""
    return 0 if saved.result.state is None else int(saved.result.state["count"])


def resume_from(path: str, saved: records.SavedRun, cls: type[Optimizer],
                options: dict[str, Any], hypers: dict[str, Any]) -> Resumed:  # fmt: skip
    """The saved run, checked against the command's options, ready to continue. ``options``
    gets the file's problem options where none were given (so the new file says them too)."""
    record = saved.record
    if record.optimizer.name != cls.name:
        raise click.BadParameter(f"{path} was made by {record.optimizer.name!r}, not "
                                 f"{cls.name!r}: continue it with the same optimizer",
                                 param_hint="--resume")  # fmt: skip
    if saved.result.state is None:
        raise click.BadParameter(f"{path} has no optimizer state (written before version 2 "
                                 "of the run file), so it cannot be continued",
                                 param_hint="--resume")  # fmt: skip
    _refuse_draws(path, record.settings, options)
    notes: list[str] = []
    optimizer = _optimizer(path, cls, record.optimizer.hyperparameters, hypers, options, notes,
                           steps_done(saved))  # fmt: skip
    problem = _problem(path, record, options)
    seed = _agreeing(path, "seed", record.settings.seed, options["seed"])
    options["project"] = _agreeing(path, "project", record.settings.project, options["project"])
    _step_rule(path, record.settings.step_rule, options)
    return Resumed(saved.result, optimizer, problem, seed, _tolerance(path, record, options, notes),
                   notes)  # fmt: skip


def _refuse_draws(path: str, settings, options: dict[str, Any]) -> None:
    """Noise and minibatches draw by iteration number: such a run cannot be continued exactly
    (as ``dl.minimize(resume=)`` refuses it), and none can be added to a continued run."""
    drawn = []
    if settings.noise is not None:
        drawn.append(f"gradient noise ({settings.noise.kind}, scale {settings.noise.sigma:g})")
    if settings.batch_size is not None:
        drawn.append(f"minibatches of {settings.batch_size}")
    if drawn:
        raise click.BadParameter(f"{path} is a run with {' and '.join(drawn)}, whose draws follow "
                                 "the iteration number, so it cannot be continued exactly: run it "
                                 "again with a larger --n-iter", param_hint="--resume")  # fmt: skip
    for option in ("noise", "batch_size"):
        if options[option] is not None:
            flag = "--" + option.replace("_", "-")
            raise click.UsageError(f"{flag} with --resume: a continued run keeps the settings of "
                                   f"the run in {path}, which had none; drop {flag}")  # fmt: skip


def _step_rule(path: str, saved, options: dict[str, Any]) -> None:
    """The file's step rule and its constants go into ``options``; one given on the command
    line must be the file's."""
    name = None if saved is None else saved.name
    if given("step_rule") and options["step_rule"] != name:
        raise _differs(path, "step-rule", name, options["step_rule"])
    options["step_rule"] = name
    if saved is None:
        return
    for key, value in saved.model_dump(exclude={"name"}).items():
        if key in STEP_RULE_OPTIONS and name in STEP_RULE_OPTIONS[key]:
            if given(key) and not _same(value, options[key]):
                raise _differs(path, key.replace("_", "-"), value, options[key])
            options[key] = value


def _optimizer(path, cls, saved: dict[str, Any], hypers: dict[str, Any], options, notes,
               done: int):  # fmt: skip
    """The file's optimizer; a hyperparameter given must equal the file's, and a new
    ``--schedule`` replaces the step size from the next step on (said in a note)."""
    settings = {name: _rebuilt(value) for name, value in saved.items()}
    known = {h.name for h in cls.hyperparameters()}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise click.BadParameter(f"{path} names hyperparameters {unknown} that {cls.name} does "
                                 "not have", param_hint="--resume")  # fmt: skip
    step = next(h.name for h in cls.hyperparameters() if h.schedule)
    for name, value in hypers.items():
        if name == step and options["schedule"] is not None:
            continue  # the initial value of the new schedule
        _agreeing(path, name, saved.get(name), value)
    if options["schedule"] is not None:
        settings[step] = hypers[step]
    try:
        optimizer = cls(**settings)
    except (TypeError, ValueError) as error:
        raise click.BadParameter(f"{path}: its optimizer settings are not valid ({error})",
                                 param_hint="--resume") from None  # fmt: skip
    old = saved.get(step)
    if options["schedule"] is not None and optimizer.settings()[step] != old:
        notes.append(
            f"the step size {step} follows the new {options['schedule']} schedule from "
            f"step {done + 1} on (the run in {path} used {_shown(old)})"
        )
    return optimizer


def _rebuilt(value: Any) -> Any:
    value = from_plain(value)
    return np.asarray(value, dtype=float) if isinstance(value, list) else value


def _problem(path: str, record, options: dict[str, Any]):
    """The file's problem: options not given are filled in from the file (in ``options``),
    then the problem they build must be the file's (name, dimension, box)."""
    saved = record.settings.problem
    if saved is None:
        raise click.BadParameter(f"{path} does not say how its problem was made (a run file "
                                 "of the Python API): continue it with dl.minimize(resume=)",
                                 param_hint="--resume")  # fmt: skip
    chosen = options
    if not given("function") and not given("expr"):
        _refuse_code(path, "-f", saved.function)
        chosen.update(function=saved.function, expr=saved.expr)
    if not given("grad") and saved.grad is not None:
        _refuse_code(path, "--grad", saved.grad)
        chosen["grad"] = saved.grad
    if not given("params"):
        chosen["params"] = tuple(saved.params or ())
    elif catalog_parameters(options["params"]) != catalog_parameters(tuple(saved.params or ())):
        raise _differs(path, "param", " ".join(saved.params or ()) or "none",
                       " ".join(options["params"]))  # fmt: skip
    own_box = chosen["function"] in STOCHASTIC_PROBLEMS  # a data set's box is its own
    if not given("dim") and record.problem.dim is not None and not own_box:
        chosen["dim"] = record.problem.dim
    if not given("bounds") and record.problem.bounds is not None and not own_box:
        chosen["bounds"] = tuple(f"{lo!r},{hi!r}" for lo, hi in record.problem.bounds)
    own = chosen["expr"] is not None or ":" in (chosen["function"] or "")
    if own and not given("minimum"):
        chosen["minimum"] = record.problem.minimum
    problem = build_problem(chosen, None)
    if problem.name != record.problem.name:
        raise click.BadParameter(f"{path} is a run on {record.problem.name!r}, not "
                                 f"{problem.name!r}", param_hint="--resume")  # fmt: skip
    if record.problem.dim is not None and problem.dim != record.problem.dim:
        raise _differs(path, "dim", record.problem.dim, problem.dim)
    box = None if record.problem.bounds is None else [list(b) for b in record.problem.bounds]
    if box is not None and (problem.bounds is None or problem.bounds.tolist() != box):
        raise _differs(path, "bounds", record.problem.bounds, problem.bounds)
    return problem


def _refuse_code(path: str, flag: str, named: str | None) -> None:
    """A file's ``package.module:callable`` is never imported: the user names it again."""
    if named is not None and ":" in named:
        raise click.BadParameter(f"{path} is a run of your own function {named!r}; a run file "
                                 f"never imports code: name it again with {flag} {named}",
                                 param_hint="--resume")  # fmt: skip


def _tolerance(path: str, record, options: dict[str, Any], notes: list[str]) -> Tolerance:
    """The file's tolerances; new ones are allowed (stopping earlier or later is a meaningful
    change to a continued run) and said."""
    saved = record.settings.tol
    old = {"grad": None, "fun": None} if saved is None else {"grad": saved.grad, "fun": saved.fun}
    chosen = dict(old)
    for key, option in (("grad", "gtol"), ("fun", "ftol")):
        if given(option) and options[option] != old[key]:
            notes.append(f"--{option} {options[option]:g} replaces the tolerance of the run in "
                         f"{path} ({_shown(old[key])})")  # fmt: skip
            chosen[key] = options[option]
    return Tolerance(**chosen)


def _agreeing(path: str, name: str, saved: Any, value: Any) -> Any:
    """The file's value of ``name``; a value given on the command line must be the same."""
    option = name.replace("_", "-")
    if name in ("seed", "project") and not given(name):
        return saved
    if value is not None and not _same(saved, value):
        raise _differs(path, option, saved, value)
    return saved


def _same(saved: Any, value: Any) -> bool:
    if isinstance(saved, int | float) and isinstance(value, int | float):
        return float(saved) == float(value)
    return saved == value


def _differs(path: str, option: str, saved: Any, value: Any) -> click.UsageError:
    return click.UsageError(
        f"--{option} {_shown(value)} differs from the run in {path} ({option} = {_shown(saved)}): "
        f"a resumed run continues with its own settings; drop --{option}"
    )


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "schedule" in value:
        kind = value["schedule"]
        return f"a {kind if isinstance(kind, str) else 'Warmup'} schedule"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)
