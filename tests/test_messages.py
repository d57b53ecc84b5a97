"""Hostile and careless input: one line naming the argument, exit 2, nothing written."""

import matplotlib
import numpy as np
import pytest

import descentlab as dl
from descentlab import memory, plot
from descentlab.cli import main
from descentlab.problems.expressions import parse_expression

matplotlib.use("Agg")


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, *args, code=2):
    got, _, err = run(capsys, *args)
    assert got == code, err
    assert err.count("\n") == 1 and err.startswith("descentlab: error: "), err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1/0 + x", "contains a division by zero or infinity"),
        ("log(0)+x", "contains a division by zero or infinity"),
        ("1000000000000000**100*x", "has a constant part larger than 1e+300"),
        ("(99**99)**99*x", "has a constant part larger than 1e+300"),
        ("sqrt(-1)*x", "contains a complex number"),
        ("exp(1000)*x", "has a constant part larger than 1e+300"),
        ("2**" * 70 + "x", "is nested more than 60 deep"),
    ],
)
def test_expressions_that_used_to_crash(capsys, expression, message):
    err = one_line_error(capsys, "run", "gd", "--expr", expression, "--bounds", "-1,1")
    assert message in err


def test_a_long_flat_sum_is_not_deep_and_messages_quote_80_characters():
    text = " + ".join(["x"] * 62)
    assert parse_expression(text).dim == 1
    long_bad = " + ".join(["x"] * 300) + " + q"
    with pytest.raises(ValueError, match="unknown name 'q'") as caught:
        parse_expression(long_bad)
    quoted = str(caught.value).split("expression ")[1].split(" uses")[0]
    assert len(quoted) <= 82 and quoted.endswith("...'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "gd", "--expr", "x**2", "--dim", "3"], "the expression has 1 variable (x), not 3"),
        (["run", "gd", "-f", "quadratic", "--param", "rotation_seed=-1"],
         "rotation_seed must be a whole number in [0, 2**32)"),
        (["run", "gd", "-f", "sphere", "--x0", ""], "expected numbers separated by commas, got ''"),
        (["compare", "gd", "gd", "-f", "sphere"], "name each optimizer once, not gd twice"),
        (["compare", "rmsprop", "-f", "sphere", "--hyper", "centered=maybe"],
         "expected true or false in 'centered=maybe'"),
        (["check-grad", "-f", "sphere", "--points", "100000000"], "100000000 is not in the range"),
        (["run", "gd", "-f", "sphere", "--plot", "x.png", "--dpi", "1200", "--size", "100,100"],
         "more than the 50,000,000 allowed: lower --size or --dpi"),
        (["run", "gd", "-f", "sphere", "--plot", "x.png", "--size", "nan,3"],
         "expected W,H in inches, each in (0, 100]"),
        (["run", "gd", "-f", "sphere", "--animate", "x.gif", "--frames", "100000"],
         "100000 is not in the range 2<=x<=2000"),
        (["run", "gd", "-f", "sphere", "--animate", "x.gif", "--fps", "0"], "--fps"),
        (["run", "gd", "-f", "sphere", "--json", "missing/run.json"],
         "is in a folder that does not exist"),
        (["run", "gd", "-f", "sphere", "--json", "."], "is a directory"),
        (["run", "gd", "-f", "sphere", "--plot", "no/such/dir/x.png"], "folder that does not"),
        (["run", "adam", "-f", "rosenbrock", "--starts", "100000", "--n-iter", "2000",
          "--json", "r.json", "--save-path"], "recording this run would take about 14.4 GB"),
    ],
)  # fmt: skip
def test_cli_messages(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    err = one_line_error(capsys, *args)
    assert message in err
    assert not list(tmp_path.iterdir())  # checked before the run: nothing written


def test_compare_takes_boolean_hyperparameters(capsys):
    code, _, err = run(capsys, "compare", "rmsprop", "gd", "-f", "sphere", "--hyper",
                         "centered=true", "--n-iter", "5")  # fmt: skip
    assert code == 0, err


def test_a_huge_dimension_is_refused_when_memory_is_short(capsys, monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 2 * 10**9)
    err = one_line_error(capsys, "run", "gd", "-f", "sphere", "--dim", "100000000")
    assert "needs about 5.6 GB of memory for its arrays" in err


def test_the_cli_records_nothing_when_nothing_uses_it(capsys, monkeypatch):
    seen = {}
    original = dl.runner.minimize

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr("descentlab.cli.run.minimize", spy)
    code, _, _ = run(capsys, "run", "adam", "-f", "rosenbrock", "--starts", "1000", "-q")
    assert code == 0 and seen["record"] == "none"
    code, _, _ = run(capsys, "run", "adam", "-f", "rosenbrock", "--seed", "1")  # the trace
    assert code == 0 and seen["record"] == "none"


def test_a_starts_map_records_only_its_sample_paths(capsys, tmp_path, monkeypatch):
    seen = {}
    original = dl.runner.minimize

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr("descentlab.cli.run.minimize", spy)
    code, _, err = run(capsys, "run", "adam", "-f", "himmelblau", "--starts", "500", "-q",
                       "--plot", tmp_path / "map.png")  # fmt: skip
    assert code == 0, err
    assert len(seen["record_starts"]) == 30 and seen["record_starts"][-1] == 499


def test_bare_commands_print_the_normal_help(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == "" and out.startswith("Usage: descentlab [OPTIONS] COMMAND")
    code, out, err = run(capsys, "run")
    assert code == 0 and "Commands:" in out and "amsgrad" in out


def test_torch_gradient_of_a_numpy_objective_is_one_line(capsys, tmp_path, monkeypatch):
    (tmp_path / "numpy_objective.py").write_text(
        "import numpy as np\ndef f(x): return np.sum(np.sin(x) ** 2, axis=-1)\n"
    )
    monkeypatch.chdir(tmp_path)
    err = one_line_error(capsys, "run", "gd", "-f", "numpy_objective:f", "--grad", "torch",
                         "--bounds", "-1,1", "--dim", "2", "-q", code=1)  # fmt: skip
    assert "write f with torch operations" in err


def test_get_function_bounds_must_match_the_dimension():
    with pytest.raises(ValueError, match=r"bounds must have 2 \[lo, hi\] pairs for 'himmelblau'"):
        dl.get_function("himmelblau", bounds=[(-1, 1)] * 3)


def test_plot_functions_name_their_arguments():
    sphere2 = dl.get_function("sphere", dim=2)
    result = dl.minimize(sphere2, "gd", n_iter=3, seed=0)
    with pytest.raises(ValueError, match=r"this view draws 1-D problems: .* not 2"):
        plot.plot_line(sphere2, result)
    with pytest.raises(ValueError, match=r"this view draws 2-D problems: .* not 3"):
        plot.plot_contour(dl.get_function("sphere", dim=3))
    constant = dl.Problem(lambda x: np.full(x.shape[:-1], 3.0), bounds=[(-1, 1)] * 2)
    with pytest.raises(ValueError, match="the constant value 3 over the box"):
        plot.plot_contour(constant)
    nothing = dl.Problem(lambda x: np.full(x.shape[:-1], np.nan), bounds=[(-1, 1)] * 2)
    with pytest.raises(ValueError, match="has no finite value in the box drawn"):
        plot.plot_contour(nothing)
    with pytest.raises(ValueError, match="frames must be a whole number >= 1, not 0"):
        plot.animate(sphere2, result, frames=0)
    movie = plot.animate(sphere2, result, frames=2)
    with pytest.raises(ValueError, match=r"fps must be a whole number in \[1, 100\], not 0"):
        plot.save_animation(movie, "never.gif", fps=0)


def test_a_run_too_big_for_memory_is_refused_before_its_starts_are_drawn(capsys, monkeypatch):
    """The finding: the starts were drawn first, so a huge run ended in MemoryError, exit 1,
    (or drew 8 GB for a minute) where exit 2 and the way out are promised."""
    import descentlab.problems.starts

    monkeypatch.setattr(descentlab.problems.starts, "uniform_starts",
                        lambda *a: pytest.fail("the starts were drawn"))  # fmt: skip
    code = main(["run", "adam", "-f", "sphere", "--dim", "100000", "--starts", "100000",
                 "--final-only", "--seed", "0"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "use fewer starts or fewer dimensions" in err and err.count("\n") == 1
