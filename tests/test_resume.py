"""Continuing runs: 100 + 100 iterations equal 200, bit for bit, in memory and through JSON."""

import json

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.results.result import Result

PROBLEM = dl.get_function("quadratic", dim=4, kappa=10, rotation_seed=1)


def small_steps(name):
    """Settings that keep every start moving without diverging for 200 iterations."""
    optimizer = dl.get_optimizer(name)
    step = next((h.name for h in type(optimizer).hyperparameters() if h.schedule), None)
    if step is None:  # a wrapper (Lookahead, Cautious, SAM): its inner optimizer steps
        return dl.get_optimizer(name, inner=small_steps(optimizer.inner.name))
    return dl.get_optimizer(name, **{step: 0.01})


@pytest.mark.parametrize("name", list(dl.OPTIMIZERS))
def test_resume_equals_the_uninterrupted_run(name):
    optimizer = small_steps(name)
    whole = dl.minimize(PROBLEM, optimizer, n_iter=200, seed=2, starts=3, record="none")
    first = dl.minimize(PROBLEM, optimizer, n_iter=100, seed=2, starts=3, record="none")
    rest = dl.minimize(PROBLEM, optimizer, n_iter=100, resume=first, record="none")
    assert np.isfinite(whole.x).all() and not np.array_equal(first.x, whole.x)
    assert rest.x.tolist() == whole.x.tolist()
    assert rest.state.count == 200
    # through JSON: the state as plain numbers
    saved = json.loads(json.dumps(first.to_dict()))
    from_file = Result(**{**first.__dict__, "state": saved["state"]})
    again = dl.minimize(PROBLEM, optimizer, n_iter=100, resume=from_file, record="none")
    assert again.x.tolist() == whole.x.tolist()


def test_resume_refuses_what_it_cannot_continue():
    first = dl.minimize(PROBLEM, dl.Adam(), n_iter=10, seed=0)
    with pytest.raises(ValueError, match="made by 'adam', not 'momentum'"):
        dl.minimize(PROBLEM, dl.Momentum(), n_iter=10, resume=first)

    def with_state(**changes):
        return Result(**{**first.__dict__, "state": {**first.to_dict()["state"], **changes}})

    with pytest.raises(ValueError, match="its state is a MomentumState"):
        dl.minimize(PROBLEM, dl.Adam(), n_iter=10, resume=with_state(type="MomentumState"))
    with pytest.raises(ValueError, match=r"has shape \(2,\), which does not fit the points"):
        wrong = with_state(fields={"m": [1.0, 2.0], "v": 0.0})
        dl.minimize(PROBLEM, dl.Adam(), n_iter=10, resume=wrong)
    with pytest.raises(ValueError, match="drop x0 and starts"):
        dl.minimize(PROBLEM, dl.Adam(), n_iter=10, resume=first, starts=3)
    with pytest.raises(ValueError, match="the run has 4 coordinates, the problem 2"):
        dl.minimize(dl.get_function("sphere", dim=2), dl.Adam(), n_iter=10, resume=first)
    with pytest.raises(ValueError, match="deterministic runs only"):
        dl.minimize(PROBLEM, dl.Adam(), n_iter=10, resume=first, seed=0,
                    noise=dl.GradientNoise(0.1))  # fmt: skip


def test_cli_resume(capsys, tmp_path):
    first, rest, whole = (tmp_path / f"{n}.json" for n in ("first", "rest", "whole"))
    common = ["run", "nadam", "-f", "rosenbrock", "--n-iter", "100", "-q"]
    assert main([*common, "--seed", "3", "--starts", "4", "--json", str(first)]) == 0
    assert main([*common, "--resume", str(first), "--json", str(rest)]) == 0
    assert main(["run", "nadam", "-f", "rosenbrock", "--n-iter", "200", "-q", "--seed", "3",
                 "--starts", "4", "--json", str(whole)]) == 0  # fmt: skip
    capsys.readouterr()
    continued, uninterrupted = (json.loads(p.read_text())["result"] for p in (rest, whole))
    assert continued["x"] == uninterrupted["x"] and continued["state"]["count"] == 200
    for args, message in [
        (["run", "adam", "-f", "rosenbrock", "--resume", str(first)], "made by 'nadam'"),
        (["run", "nadam", "-f", "sphere", "--dim", "3", "--resume", str(first)], "3"),
        (["run", "nadam", "-f", "himmelblau", "--resume", str(first)], "not 'himmelblau'"),
        (
            ["run", "nadam", "-f", "rosenbrock", "--starts", "2", "--resume", str(first)],
            "drop --starts",
        ),
    ]:
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err


def _summary_f(capsys) -> str:
    out = capsys.readouterr().out
    return out.split("; f = ")[1].split(",")[0]


def test_cli_resume_continues_with_the_files_settings(capsys, tmp_path):
    """The finding: a resumed run took the default alpha (0.001) instead of the file's 0.05."""
    first = tmp_path / "h1.json"
    assert main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--n-iter", "100",
                 "--seed", "0", "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "adam", "--n-iter", "100", "-q", "--seed", "0",
                 "--alpha", "0.05", "-f", "rosenbrock"]) == 0  # fmt: skip
    straight = _summary_f(capsys)
    for extra in ([], ["-f", "rosenbrock"], ["--alpha", "0.05", "--seed", "0"]):
        assert main(["run", "adam", "--n-iter", "100", "--resume", str(first), "-q",
                     "--json", str(tmp_path / "h2.json"), *extra]) == 0  # fmt: skip
        out = capsys.readouterr().out
        assert "seed 0" in out and f"f = {straight}" not in out  # 100 iterations: not the same
    straight_200 = main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--n-iter", "200",
                         "--seed", "0", "-q"])  # fmt: skip
    assert straight_200 == 0
    expected = _summary_f(capsys)
    assert main(["run", "adam", "--n-iter", "100", "--resume", str(first), "-q"]) == 0
    assert _summary_f(capsys) == expected
    written = json.loads((tmp_path / "h2.json").read_text())
    assert written["optimizer"]["hyperparameters"]["alpha"] == 0.05
    assert written["settings"]["seed"] == 0
    assert written["settings"]["problem"]["function"] == "rosenbrock"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--alpha", "0.01"], "--alpha 0.01 differs from the run in"),
        (["--seed", "3"], "--seed 3 differs"),
        (["--beta2", "0.9"], "--beta2 0.9 differs"),
        (["--project"], "--project True differs"),
        (["--bounds", "-3,3"], "--bounds"),
    ],
)
def test_cli_resume_refuses_options_that_differ_from_the_file(capsys, tmp_path, extra, message):
    first = tmp_path / "h1.json"
    assert main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--n-iter", "20",
                 "--seed", "0", "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "adam", "--n-iter", "20", "--resume", str(first), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_cli_resume_keeps_catalog_parameters(capsys, tmp_path):
    first = tmp_path / "q.json"
    assert main(["run", "gd", "-f", "quadratic", "--param", "kappa=10", "--n-iter", "10",
                 "--seed", "0", "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "gd", "-f", "quadratic", "--param", "kappa=1000", "--n-iter", "10",
                 "--resume", str(first)]) == 2  # fmt: skip
    assert "--param kappa=1000 differs from the run" in capsys.readouterr().err
    assert main(["run", "gd", "--n-iter", "10", "--resume", str(first), "-q"]) == 0
    assert main(["run", "gd", "-f", "quadratic", "--param", "kappa=10", "--n-iter", "20",
                 "--seed", "0", "-q"]) == 0  # fmt: skip
    resumed, straight = capsys.readouterr().out.splitlines()
    assert resumed.split("; f = ")[1].split(",")[0] == straight.split("; f = ")[1].split(",")[0]


def test_cli_resume_of_an_own_function_needs_its_name_again(capsys, tmp_path, monkeypatch):
    module = tmp_path / "myfuncs.py"
    module.write_text("def f(x):\n    return (x**2).sum(axis=-1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = tmp_path / "own.json"
    assert main(["run", "gd", "-f", "myfuncs:f", "--bounds", "-1,1", "-1,1", "--n-iter", "5",
                 "--seed", "0", "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "gd", "--n-iter", "5", "--resume", str(first)]) == 2
    assert "never imports code: name it again with -f myfuncs:f" in capsys.readouterr().err
    assert main(["run", "gd", "-f", "myfuncs:f", "--n-iter", "5", "--resume", str(first),
                 "-q"]) == 0  # fmt: skip


def test_cli_resume_keeps_the_files_schedule_and_says_when_it_changes(capsys, tmp_path):
    """The finding: a warmup schedule was rebuilt from the options and refused when the
    remaining iterations were fewer than the warmup. The file's schedule goes on as it was."""
    first = tmp_path / "w.json"
    schedule = ["--schedule", "cosine", "--decay-steps", "300", "--warmup", "100"]
    assert main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--n-iter", "200",
                 "--seed", "1", *schedule, "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "adam", "--n-iter", "50", "--resume", str(first), "-q"]) == 0
    resumed = _summary_f(capsys)
    assert main(["run", "adam", "-f", "rosenbrock", "--alpha", "0.05", "--n-iter", "250",
                 "--seed", "1", *schedule, "-q"]) == 0  # fmt: skip
    assert _summary_f(capsys) == resumed
    # the same schedule given again is no change; another is allowed and said
    assert main(["run", "adam", "--n-iter", "50", "--resume", str(first), "-q", "--alpha",
                 "0.05", *schedule]) == 0  # fmt: skip
    assert "note" not in capsys.readouterr().err
    assert main(["run", "adam", "--n-iter", "50", "--resume", str(first), "-q",
                 "--schedule", "constant"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "follows the new constant schedule from step 201 on" in err
    assert "a Warmup schedule" in err


def test_cli_resume_with_a_new_tolerance_says_so(capsys, tmp_path):
    first = tmp_path / "t.json"
    assert main(["run", "gd", "-f", "sphere", "--n-iter", "5", "--seed", "0", "--gtol", "1e-3",
                 "--json", str(first), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "gd", "--n-iter", "5", "--resume", str(first), "-q"]) == 0
    assert "note" not in capsys.readouterr().err
    assert main(["run", "gd", "--n-iter", "5", "--resume", str(first), "-q",
                 "--gtol", "1e-9"]) == 0  # fmt: skip
    assert "--gtol 1e-09 replaces the tolerance of the run" in capsys.readouterr().err


def _final_x(path) -> list:
    return json.loads(path.read_text())["result"]["x"]


@pytest.mark.parametrize(
    "settings",
    [
        ["-f", "sphere", "--dim", "2", "--bounds", "0.5,1", "--project"],  # f* outside the box
        ["-f", "rosenbrock", "--step-rule", "wolfe", "--c1", "0.001"],
        ["-f", "rosenbrock", "--step-rule", "armijo", "--shrink", "0.7"],
        ["-f", "logistic-breast-cancer"],
    ],
    ids=["project", "wolfe", "armijo", "data-set"],
)
def test_cli_resume_keeps_projection_step_rule_and_data_sets(capsys, tmp_path, settings):
    """The findings: --project and --step-rule were dropped by a resumed run (gd with Wolfe,
    resumed, diverged to 1e204), and a data set's run could not be resumed at all (its box was
    given back as --bounds)."""
    first, rest, whole = (tmp_path / f"{n}.json" for n in ("first", "rest", "whole"))
    assert main(["run", "gd", *settings, "--n-iter", "15", "--seed", "1", "-q",
                 "--json", str(first)]) == 0  # fmt: skip
    assert main(["run", "gd", "--resume", str(first), "--n-iter", "15", "-q",
                 "--json", str(rest)]) == 0  # fmt: skip
    assert main(["run", "gd", *settings, "--n-iter", "30", "--seed", "1", "-q",
                 "--json", str(whole)]) == 0  # fmt: skip
    capsys.readouterr()
    assert _final_x(rest) == _final_x(whole)
    kept, asked = (json.loads(p.read_text())["settings"] for p in (rest, whole))
    assert kept["project"] == asked["project"] and kept["step_rule"] == asked["step_rule"]
    if "--project" in settings:
        assert min(min(row) for row in [_final_x(rest)]) == 0.5  # held on the box's edge


@pytest.mark.parametrize(
    ("first_run", "resumed", "message"),
    [
        (["-f", "sphere", "--dim", "2", "--noise", "0.1"], [],
         "is a run with gradient noise (gaussian, scale 0.1), whose draws follow the iteration"),
        (["-f", "logistic-breast-cancer", "--batch-size", "8"], [],
         "is a run with minibatches of 8, whose draws follow the iteration number"),
        (["-f", "sphere", "--dim", "2"], ["--noise", "0.1"], "--noise with --resume"),
        (["-f", "sphere", "--dim", "2"], ["--step-rule", "armijo"],
         "--step-rule armijo differs from the run in"),
        (["-f", "rosenbrock", "--step-rule", "wolfe"], ["--c2", "0.5"], "--c2 0.5 differs"),
        (["-f", "rosenbrock", "--step-rule", "bb-long"], [],
         "BarzilaiBorwein's step remembers the previous point and gradient"),
    ],
)  # fmt: skip
def test_cli_resume_refuses_what_would_not_continue_the_run(capsys, tmp_path, first_run,
                                                            resumed, message):  # fmt: skip
    first = tmp_path / "first.json"
    assert main(["run", "gd", *first_run, "--n-iter", "5", "--seed", "1", "-q",
                 "--json", str(first)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["run", "gd", "--resume", str(first), "--n-iter", "5", *resumed]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert "--bounds" not in err


def test_resume_refuses_a_step_rule_with_memory():
    problem = dl.get_function("rosenbrock")
    first = dl.minimize(problem, "gd", n_iter=5, seed=0, step_rule=dl.BarzilaiBorwein())
    with pytest.raises(ValueError, match="remembers the previous point and gradient"):
        dl.minimize(problem, "gd", n_iter=5, resume=first, step_rule=dl.BarzilaiBorwein())
    armijo = dl.minimize(problem, "gd", n_iter=5, seed=0, step_rule=dl.Armijo())
    continued = dl.minimize(problem, "gd", n_iter=5, resume=armijo, step_rule=dl.Armijo())
    whole = dl.minimize(problem, "gd", n_iter=10, seed=0, step_rule=dl.Armijo())
    assert np.array_equal(continued.x, whole.x)
