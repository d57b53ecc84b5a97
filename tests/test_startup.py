"""Start-up: the package and the command line import the heavy libraries only when a command
needs them, and the lazy tables (commands, optimizers, problems, tutorials) say the truth."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest

HEAVY = ["pandas", "sympy", "pydantic", "matplotlib", "optuna", "dask", "distributed",
         "fastapi", "starlette", "uvicorn", "jax", "torch", "optax", "scipy", "sklearn",
         "rich", "cocoex", "pyarrow"]  # fmt: skip


def heavy_modules_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    loaded = json.loads(out.splitlines()[-1])
    return sorted({name.split(".")[0] for name in loaded} & set(HEAVY))


@pytest.mark.parametrize("code", [
    "import descentlab",
    "import descentlab as dl; "
    "dl.minimize(dl.get_function('sphere', dim=2), dl.Adam(), n_iter=5, seed=0)",
    "from descentlab.cli import main; main(['--help'])",
    "from descentlab.cli import main; main(['tutorial', 'momentum'])",
    "from descentlab.cli import main; "
    "main(['run', 'adam', '-f', 'rosenbrock', '--seed', '0', '-q'])",
])  # fmt: skip
def test_no_heavy_library_is_imported_before_it_is_needed(code):
    assert heavy_modules_after(code) == []


def test_a_tutorial_command_draws_its_start_without_loading_numpy_random():
    probe = ("import sys, io, contextlib\nfrom descentlab.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['tutorial', 'momentum'])\n"
             "print('numpy.random' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.split() == ["False"]


def test_the_probe_sees_a_heavy_import():
    assert "pandas" in heavy_modules_after("import pandas")
    assert "pydantic" in heavy_modules_after("import descentlab.results.schema")


def test_the_help_lists_every_command_with_its_own_summary():
    from descentlab.cli._app import COMMANDS, cli, short_help

    ctx = click.Context(cli)
    for name, (module, attribute, _) in COMMANDS.items():
        command = getattr(importlib.import_module(f"descentlab.cli.{module}"), attribute)
        assert command.name == name
        for limit in (30, 45, 74, 1000):
            assert short_help(name, limit) == command.get_short_help_str(limit), name
        assert cli.get_command(ctx, name) is command
    assert cli.get_command(ctx, "no-such-command") is None


def test_the_lazy_registries_hold_what_their_names_say():
    from descentlab.optimizers import OPTIMIZERS, Optimizer
    from descentlab.problems.functions import STOCHASTIC_PROBLEMS
    from descentlab.tutorials import TUTORIALS

    assert "adam" in OPTIMIZERS and "nope" not in OPTIMIZERS and len(OPTIMIZERS) == 36
    for name, cls in OPTIMIZERS.items():
        assert issubclass(cls, Optimizer) and cls.name == name
    assert set(STOCHASTIC_PROBLEMS) == {"reddi-theorem1", "reddi-online", "reddi-stochastic",
                                        "least-squares-diabetes", "logistic-breast-cancer",
                                        "logistic-digits", "mlp-digits", "deep-mlp-digits",
                                        "matrix-least-squares", "matrix-factorization",
                                        "matrix-sensing"}  # fmt: skip
    for name in ("reddi-theorem1", "reddi-online"):
        assert STOCHASTIC_PROBLEMS[name]().name == name
    for name, tutorial in TUTORIALS.items():
        assert tutorial.name == name and TUTORIALS[name] is tutorial  # built once


def test_every_public_name_resolves_and_is_listed():
    import descentlab as dl

    for name in dl.__all__:
        assert getattr(dl, name) is not None
    assert set(dl.__all__) <= set(dir(dl))
    namespace: dict = {}
    exec("from descentlab import *", namespace)
    assert {"minimize", "Adam", "benchmark", "sweep"} <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dl.nope  # noqa: B018


def test_subpackages_are_reachable_like_numpy_linalg_and_dir_shows_the_api():
    """The findings: dl.schedules.CosineDecay raised AttributeError unless something had
    imported the subpackage; dir() of the package showed attach, homes_of, TYPE_CHECKING and
    none of schedules' classes."""
    code = (
        "import descentlab as dl, json; "
        "print(json.dumps([repr(dl.schedules.CosineDecay(0.1, steps=10)), "
        "dl.optimizers.OPTIMIZERS['adam'].__name__, dl.problems.Problem.__name__, "
        "dl.plot.plot_contour.__name__, dir(dl), dir(dl.schedules), dir(dl.optimizers)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    schedule, adam, problem, contour, root, schedules, optimizers = json.loads(out)
    assert schedule.startswith("CosineDecay(") and (adam, problem) == ("Adam", "Problem")
    assert contour == "plot_contour"
    assert {"schedules", "optimizers", "plot", "torch", "optax", "scipy"} <= set(root)
    assert {"CosineDecay", "Warmup", "OneCycle"} <= set(schedules)
    assert {"Adam", "Momentum", "get_optimizer"} <= set(optimizers)
    for helper in ("attach", "homes_of", "public_dir", "TYPE_CHECKING", "annotations"):
        assert helper not in root and helper not in schedules and helper not in optimizers
    # a subpackage costs nothing until it is used, and `import *` imports none of them
    assert heavy_modules_after("import descentlab as dl; dir(dl); from descentlab import *") == []
