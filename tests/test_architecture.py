"""The layout keeps its promises (ARCHITECTURE.md): layers import only downwards, the two engines
are independent, the top of the package is its public face and a few helpers, and no module
grows past a screenful of screens."""

from pathlib import Path

import pytest

import descentlab

PACKAGE = Path(descentlab.__file__).parent
ROOT = PACKAGE.parent.parent
#: What the top of the package may hold: the public face, the front door, the tutorials' runs,
#: the README's paths kept as re-exports, the bridges' public names (descentlab.torch, .optax,
#: .scipy) and the helpers every layer may use.
TOP = {"__init__.py", "_version.py", "_namespace.py", "_validation.py", "_lazy.py", "_machine.py",
       "_torch_namespace.py", "_html.py", "_files.py", "_trees.py", "_structure.py",
       "memory.py",
       "tutorials.py", "expressions.py", "multistart.py", "gradient_check.py", "torch.py",
       "optax.py", "scipy.py"}  # fmt: skip
LONGEST_MODULE = 400


def test_layers_import_only_downwards():
    lint = pytest.importorskip("importlinter.cli")
    code = lint.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                             no_logo=True)  # fmt: skip
    assert code == 0, "an import runs against the layers: run lint-imports to see which"


def test_the_top_holds_the_face_and_helpers_only():
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == TOP, f"new at the top: {modules - TOP}; gone: {TOP - modules}"


def test_the_re_exported_paths_are_the_new_modules():
    from descentlab import expressions, gradient_check, multistart
    from descentlab.engines.gradient_check import check_gradient
    from descentlab.problems.expressions import problem_from_expression
    from descentlab.results.multistart import summarize

    assert expressions.problem_from_expression is problem_from_expression
    assert gradient_check.check_gradient is check_gradient
    assert multistart.summarize is summarize


def test_no_module_is_longer_than_a_few_screens():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > LONGEST_MODULE}  # fmt: skip
    assert not long, f"split these modules: {long}"


def test_optimizers_show_the_family_tree_one_file_each():
    """One folder per branch of the family, one module per optimizer (two forms of one method,
    as Muon's or AMSGrad's bias-corrected ones, may share theirs)."""
    import inspect
    from pathlib import Path

    from descentlab.optimizers import FAMILIES, OPTIMIZERS

    root = Path(inspect.getfile(OPTIMIZERS["gd"])).parents[1]
    folders = {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert {family.replace("-", "_") for family in FAMILIES} == folders
    modules = {}
    for name, cls in OPTIMIZERS.items():
        path = Path(inspect.getfile(cls))
        assert path.parent.name == cls.family.replace("-", "_") and name in FAMILIES[cls.family]
        modules.setdefault(path, []).append(name)
    assert len(modules) >= len(OPTIMIZERS) - 4  # the shared files: amsgrad's and muon's forms
