"""Tuning with Optuna: seeded, batched, pruned, compared with defaults and the tutorial."""

import pandas as pd
import pytest

import descentlab as dl
from descentlab.cli import main
from descentlab.sweeps import CatalogProblem
from descentlab.sweeps import tune as tune_module
from descentlab.sweeps.tune import default_space, parse_range, tune

pytest.importorskip("optuna")

QUADRATIC = CatalogProblem("quadratic", 5, (("kappa", 100.0),))
SPACE = {"step_size": "log:1e-3:1", "momentum": "lin:0:0.99"}


def test_trials_run_in_batches_and_diverging_ones_are_pruned(monkeypatch):
    batches = []
    real = tune_module.run_rows

    def counting(problem, optimizer, hyperparameters, x0, n_iter, target):
        batches.append(len(x0))
        return real(problem, optimizer, hyperparameters, x0, n_iter, target)

    monkeypatch.setattr(tune_module, "run_rows", counting)
    tuning = tune(QUADRATIC, "momentum", SPACE, budget=20, batch=8, seeds=3)
    # 8 + 8 + 4 trials x 3 seeds, then the best, the defaults and the tutorial in one batch
    assert batches == [24, 24, 12, 9]
    trials = tuning.trials
    assert len(trials) == 20 and set(trials["state"]) <= {"complete", "pruned"}
    pruned = trials[trials["state"] == "pruned"]
    assert len(pruned) > 0 and trials["score"][trials["state"] == "pruned"].isna().all()
    limit = 2 * (1 + pruned["momentum"]) / 100  # the heavy ball's stability limit
    assert (pruned["step_size"] > 0.9 * limit).all()


def test_tuning_is_seeded_and_finds_the_fast_region():
    first = tune(QUADRATIC, "momentum", SPACE, budget=64, seeds=5)
    again = tune(QUADRATIC, "momentum", SPACE, budget=64, seeds=5)
    assert first.best == again.best and first.best_score == again.best_score
    # the best cell of the 10,000-setting grid needs 51 iterations (tests/test_sweeps.py)
    assert first.best_score <= 1.3 * 51
    reference = first.reference.set_index("settings")
    assert list(reference.index) == ["tuned", "defaults", "tutorial"]
    assert reference.loc["tuned", "reached"] == 5
    assert reference.loc["tutorial", "momentum"] == 0.3  # the first tutorial's setting
    assert bool(reference.loc["defaults", "unstable"])  # step 0.1 is beyond 2(1+0.9)/100


def test_worst_seed_scoring_is_never_kinder_than_the_median():
    median = tune("rosenbrock", "adam", budget=16, seeds=4, n_iter=2000, target=1e-6)
    worst = tune("rosenbrock", "adam", budget=16, seeds=4, n_iter=2000, target=1e-6,
                 over="worst")  # fmt: skip
    assert worst.best_score >= median.best_score


def test_default_spaces():
    assert default_space("momentum") == {"step_size": "log:1e-5:1", "momentum": "lin:0:0.99"}
    assert default_space("adam") == {"alpha": "log:1e-5:1"}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"step_size": "log:1e-3"}, "expected log:LO:HI"),
        ({"step_size": "log:1e-3:1:10"}, "a range has no count"),
        ({"step_size": "lin:1:0.5"}, "LO must be below HI"),
        ({"step_size": "log:0:1"}, "needs LO > 0"),
        ({"stepsize": "log:1e-3:1"}, "no hyperparameter 'stepsize'"),
        ({}, "at least one"),
    ],
)
def test_bad_spaces(space, message):
    with pytest.raises(ValueError, match=message):
        tune("sphere", "momentum", space, budget=2)


def test_bad_tuning_arguments():
    with pytest.raises(ValueError, match="metric must be one of"):
        tune("sphere", "gd", budget=2, metric="speed")
    with pytest.raises(ValueError, match="needs the known minimum"):
        tune(dl.Problem(lambda x: (x**2).sum(-1), bounds=[[-1, 1]]), "gd", budget=2)
    assert parse_range("beta1", "0.8,0.9").choices == (0.8, 0.9)


def test_cli_tune_and_compare_tune(capsys, tmp_path):
    out = tmp_path / "trials.csv"
    code = main(["tune", "momentum", "-f", "quadratic", "--dim", "5", "--param", "kappa=100",
                 "--budget", "16", "--seeds", "3", "--out", str(out)])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0 and "16 trials" in text and "tuned" in text and "tutorial" in text
    assert len(pd.read_csv(out)) == 16
    code = main(["compare", "gd", "momentum", "-f", "quadratic", "--dim", "5", "--param",
                 "kappa=100", "--tune", "12", "--n-iter", "2000"])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0 and "tuned first (12 Optuna trials each" in text
    assert "step_size=" in text and "momentum=" in text
    code = main(["compare", "gd", "-f", "sphere", "--tune", "4", "--noise", "0.1"])
    err = capsys.readouterr().err
    assert code == 2 and "--tune tunes on the exact gradient" in err
    code = main(["tune", "gd", "-f", "sphere", "--space", "step_size=log:1e-3"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "expected log:LO:HI" in err
