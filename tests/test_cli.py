"""The command line, in-process: output, JSON, exit codes and one-line errors."""

import json

import pytest

from descentlab import OPTIMIZERS
from descentlab.cli import main
from tests.conftest import fold


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["gd", "momentum", "amsgrad"])
def test_tutorial_prints_the_golden_trace(capsys, golden, name):
    code, out, err = run(capsys, "tutorial", name)
    assert code == 0 and err == ""
    expected = golden(name)
    assert fold(out)[-len(expected) :] == expected


def test_run_reproduces_the_momentum_tutorial(capsys, golden):
    code, out, _ = run(
        capsys,
        "run",
        "momentum",
        "--function",
        "sphere",
        "--dim",
        "1",
        "--seed",
        "4",
        "--n-iter",
        "30",
        "--step-size",
        "0.1",
        "--momentum",
        "0.3",
    )
    assert code == 0
    lines = fold(out)
    assert lines[:32] == golden("momentum")
    assert lines[32].startswith("momentum on sphere (d=1, seed 4): max_iter after 30 iterations")


def test_run_amsgrad_with_bounds_per_dimension(capsys):
    code, out, _ = run(
        capsys,
        "run",
        "amsgrad",
        "-f",
        "sphere",
        "--bounds",
        "-2,2",
        "-3,3",
        "--seed",
        "3",
        "--alpha",
        "0.1",
        "--gtol",
        "1e-4",
        "--n-iter",
        "1000",
        "--starts",
        "4",
    )
    assert code == 0
    assert "amsgrad on sphere (d=2, seed 3)" in out and "4 starts: 4 converged" in out


def test_json_output_schema(capsys, tmp_path):
    target = tmp_path / "run.json"
    code, _out, _ = run(
        capsys,
        "run",
        "gd",
        "-f",
        "sphere",
        "--dim",
        "2",
        "--seed",
        "1",
        "--n-iter",
        "5",
        "--json",
        str(target),
        "--save-path",
        "-q",
    )
    assert code == 0
    data = json.loads(target.read_text())
    assert data["schema"] == "descentlab.run/2"
    assert data["optimizer"] == {"name": "gd", "hyperparameters": {"step_size": 0.1}}
    assert data["problem"]["bounds"] == [[-1.0, 1.0], [-1.0, 1.0]]
    assert data["settings"]["seed"] == 1 and data["settings"]["n_iter"] == 5
    assert data["result"]["status"] == "max_iter" and data["result"]["nit"] == 5
    assert len(data["result"]["path"]["x"]) == 6
    assert data["result"]["path"]["iteration"] == [0, 1, 2, 3, 4, 5]


def test_json_to_stdout_is_pure_json_and_without_path_by_default(capsys):
    code, out, _ = run(capsys, "run", "amsgrad", "-f", "sphere", "--seed", "2", "--json", "-")
    assert code == 0
    data = json.loads(out)
    assert "path" not in data["result"]
    assert data["optimizer"]["hyperparameters"]["beta1_decay"] == "power"


def test_json_writes_null_for_a_diverged_start(capsys):
    code, out, _ = run(
        capsys,
        "run",
        "gd",
        "-f",
        "sphere",
        "--step-size",
        "1e200",
        "--x0",
        "0.5",
        "--n-iter",
        "10",
        "--json",
        "-",
        "--save-path",
    )
    assert code == 0
    data = json.loads(out)
    assert data["result"]["status"] == "diverged"


def test_schedule_option(capsys):
    code, out, _ = run(
        capsys,
        "run",
        "gd",
        "-f",
        "sphere",
        "--seed",
        "1",
        "--n-iter",
        "3",
        "--json",
        "-",
        "--schedule",
        "exponential",
        "--decay-rate",
        "0.5",
    )
    assert code == 0
    step = json.loads(out)["optimizer"]["hyperparameters"]["step_size"]
    assert step == {"schedule": "ExponentialDecay", "initial": 0.1, "rate": 0.5, "decay_steps": 1.0}


def test_seed_is_reported_when_not_given(capsys):
    _code, out, _ = run(capsys, "run", "gd", "-f", "sphere", "--n-iter", "2", "--json", "-")
    assert isinstance(json.loads(out)["settings"]["seed"], int)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "adamz", "-f", "sphere"],
            "optimizer must be one of gd, momentum, nesterov, adagrad",
        ),
        (["run", "gd", "-f", "nope"], "function must be one of sphere, forrester,"),
        (
            ["run", "momentum", "-f", "sphere", "--momentum", "1.5"],
            "momentum must be in [0, 1), not 1.5",
        ),
        (["run", "gd", "-f", "sphere", "--bounds", "1,-1"], "lo <= hi"),
        (
            ["run", "gd", "-f", "sphere", "--dim", "3", "--bounds", "0,1", "0,1"],
            "one per dimension (3), not 2",
        ),
        (["run", "gd", "-f", "sphere", "--bounds", "a,b"], "expected LO,HI (two numbers)"),
        (["run", "gd", "-f", "sphere", "--step-size", "fast"], "'fast' is not a valid float"),
        (["run", "gd", "-f", "sphere", "--n-iter", "0"], "'--n-iter': 0 is not in the range x>=1"),
        (
            ["run", "gd", "-f", "sphere", "--starts", "-3"],
            "'--starts': -3 is not in the range x>=1",
        ),
        (["run", "gd", "-f", "sphere", "--momentum", "0.5"], "No such option '--momentum'"),
        (
            ["run", "gd", "-f", "sphere", "--dim", "2", "--x0", "1,2,3"],
            "x0 must have 2 coordinates",
        ),
        (["run", "gd", "-f", "sphere", "--decay-rate", "0.5"], "--decay-rate needs --schedule"),
        (["run", "gd"], "give exactly one of --function and --expr"),
        (["tutorial", "adam"], "'adam' is not one of 'gd', 'momentum', 'amsgrad'"),
        # the optimizers since 2018
        (["run", "soap", "-f", "sphere", "--weight-decay", "-1"],
         "weight_decay must be finite and >= 0, not -1.0"),
        (["run", "muon", "-f", "sphere", "--fallback", "none"],
         "blocks ['x'] of this problem are not matrices: give a fallback"),
        (["run", "muon", "-f", "mlp-digits", "--fallback", "none"],
         "blocks ['b1', 'b2'] of this problem are not matrices"),
        (["run", "muon", "-f", "sphere", "--fallback", "soap"],
         "muon's fallback steps the vectors elementwise"),
        (["run", "lookahead", "-f", "sphere", "--inner", "none"],
         "inner must be a descentlab optimizer (dl.Adam()) or its name"),
        (["run", "lookahead", "-f", "sphere", "--inner", "nothing"],
         "'nothing' is not one of 'gd'"),
        (["run", "shampoo", "-f", "sphere", "--every", "0"], "every must be a whole number >= 1"),
        (["run", "prodigy", "-f", "sphere", "--beta3", "1.5"], "beta3 must be in [0, 1)"),
        (["run", "schedule-free-adamw", "-f", "sphere", "--project"],
         "evaluates another point than the one it steps"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("descentlab: error: ")
    assert message in err
    assert "Traceback" not in err


def test_listings(capsys):
    code, out, _ = run(capsys, "optimizers", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert code == 0 and set(rows) == set(OPTIMIZERS)
    assert rows["amsgrad"]["hyperparameters"]["alpha"] == 0.002
    code, out, _ = run(capsys, "functions", "--json")
    assert json.loads(out)[0]["name"] == "sphere"
    code, out, _ = run(capsys, "optimizers")
    assert code == 0 and "beta1_decay=power" in out
    code, out, _ = run(capsys, "functions")
    assert code == 0 and "sphere" in out


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "run", "amsgrad", "--help")
    assert code == 0 and "--beta1-decay" in out and "--alpha" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and "descentlab" in out


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/dev/null", "/dev/null is not a folder"),
        ("", "give a folder's name, not an empty string"),
        ("{docs}", "holds the site's sources"),
        ("{docs}/..", "holds the site's sources"),
        ("/proc/descentlab-site", "cannot be made"),
    ],
)
def test_docs_out_is_checked_before_sphinx_starts(capsys, out, message):
    """The findings: /dev/null, the sources' folder and an unmakeable folder ended in Sphinx's
    'Application error' block; '' built into the current folder."""
    from descentlab.cli.docs_cmd import CHECKOUT_DOCS

    assert main(["docs", "--out", out.format(docs=CHECKOUT_DOCS)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "--out" in err
