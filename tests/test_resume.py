"""Continuing runs: 100 + 100 iterations equal 200, bit for bit, in memory and through JSON."""

import json

import numpy as np
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.result import Result

PROBLEM = dl.get_function("quadratic", dim=4, kappa=10, rotation_seed=1)


def small_steps(name):
    """Settings that keep every start moving without diverging for 200 iterations."""
    optimizer = dl.get_optimizer(name)
    step = next(h.name for h in type(optimizer).hyperparameters() if h.schedule)
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
    with pytest.raises(ValueError, match="does not fit the points' shape"):
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
