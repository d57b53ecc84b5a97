"""The stochastic settings on the command line: noise, minibatches, online problems, projection."""

import builtins
import json

import numpy as np
import pytest

from descentlab.cli import main
from descentlab.results import records


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_noise_is_recorded_and_reruns_are_identical(capsys):
    args = ["run", "adam", "-f", "sphere", "--noise", "0.1", "--noise-kind", "student-t",
            "--noise-df", "4", "--seed", "1", "--n-iter", "40", "--json", "-"]  # fmt: skip
    code, out, err = run(capsys, *args)
    assert code == 0, err
    first = json.loads(out)
    assert first["settings"]["noise"] == {"kind": "student-t", "sigma": 0.1, "df": 4}
    code, out, _ = run(capsys, *args)
    assert json.loads(out)["result"]["x"] == first["result"]["x"]
    code, out, _ = run(capsys, *[a if a != "0.1" else "0.2" for a in args])
    assert json.loads(out)["result"]["x"] != first["result"]["x"]


def test_minibatches_on_a_data_set(capsys):
    pytest.importorskip("sklearn")
    code, out, err = run(capsys, "run", "adam", "-f", "logistic-breast-cancer", "--batch-size",
                         "32", "--alpha", "0.01", "--seed", "0", "--starts", "4", "--n-iter",
                         "200", "--json", "-")  # fmt: skip
    assert code == 0, err
    record = json.loads(out)
    assert record["settings"]["batch_size"] == 32 and record["problem"]["dim"] == 31
    gaps = np.array(record["result"]["fun"]) - record["problem"]["minimum"]
    assert (gaps > 0).all() and (gaps < 0.1).all()


def test_an_online_run_round_trips_with_its_regret(capsys, tmp_path):
    saved = tmp_path / "online.json"
    code, out, err = run(capsys, "run", "amsgrad", "-f", "reddi-online", "--project", "--seed",
                         "0", "--n-iter", "500", "--alpha", "0.1", "--beta2", "0.99", "-q",
                         "--beta1-decay", "constant", "--json", saved, "--save-path")  # fmt: skip
    assert code == 0, err
    assert "R_t/t = " in out
    back = records.load(saved).result
    assert back.path_regret.shape == back.path_fun.shape and float(back.regret) > 0
    assert (np.abs(back.path) <= 1).all()
    code, _, err = run(capsys, "plot", saved, "--plot", tmp_path / "online.png")
    assert code == 0, err


def test_the_new_problems_are_listed(capsys):
    _, out, _ = run(capsys, "functions", "--json")
    names = [row["name"] for row in json.loads(out)]
    for name in ("reddi-theorem1", "reddi-online", "reddi-stochastic", "least-squares-diabetes",
                 "logistic-breast-cancer", "logistic-digits"):  # fmt: skip
        assert name in names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "sphere", "--noise", "-1"], "-1.0 is not in the range x>=0"),
        (["-f", "logistic-breast-cancer", "--batch-size", "0"], "0 is not in the range x>=1"),
        (["-f", "logistic-breast-cancer", "--batch-size", "10000"],
         r"batch_size must be a whole number in [1, 569]"),
        (["-f", "reddi-stochastic", "--noise", "0.1"], "draws its own random losses"),
        (["-f", "sphere", "--noise-kind", "relative"], "--noise-kind and --noise-df need --noise"),
        (["-f", "reddi-online", "--bounds", "-2,2"], "--bounds does not apply to 'reddi-online'"),
        (["-f", "sphere", "--batch-size", "4"], "batch_size applies to finite sums"),
        (["-f", "reddi-online", "--gtol", "1e-3"], "tol.grad does not apply to an online problem"),
    ],
)  # fmt: skip
def test_bad_stochastic_input_is_one_line(capsys, args, message):
    code, _, err = run(capsys, "run", "adam", "--seed", "0", "-q", *args)
    assert code == 2 and err.count("\n") == 1, err
    assert message in err


def test_a_missing_data_extra_says_how_to_get_it(capsys, monkeypatch):
    from descentlab.problems.stochastic import finite_sum

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    finite_sum.logistic_digits.cache_clear()
    code, _, err = run(capsys, "run", "adam", "-f", "logistic-digits", "--seed", "0", "-q")
    assert code == 2 and "pip install 'descentlab[data]'" in err and err.count("\n") == 1


# --- replicates in comparisons --------------------------------------------------------------------


def test_compare_over_replicates_gives_medians_with_intervals_and_a_band(capsys, tmp_path):
    picture = tmp_path / "cmp.png"
    args = ["compare", "gd", "momentum", "-f", "sphere", "--dim", "2", "--noise", "0.5",
            "--starts", "50", "--n-iter", "60", "--seed", "3", "--hyper", "step_size=0.05",
            "--ftol", "0.01", "--plot", picture]  # fmt: skip
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "50 replicates each, median [95% interval]" in out
    assert "50/50" in out and "max_iter" in out
    assert picture.stat().st_size > 10_000


def test_compare_replicates_from_one_x0_differ_only_by_their_noise(capsys):
    import descentlab as dl

    args = ["compare", "gd", "adam", "-f", "sphere", "--dim", "2", "--x0", "0.5,0.5",
            "--noise", "0.2", "--starts", "8", "--n-iter", "30"]  # fmt: skip
    code, out, err = run(capsys, *args)
    assert code == 0, err
    result = dl.minimize(dl.get_function("sphere", dim=2), "gd", n_iter=30, seed=0,
                         x0=np.full((8, 2), 0.5), noise=dl.GradientNoise(0.2))  # fmt: skip
    assert len(set(np.round(result.fun, 12))) == 8  # eight different noise streams
    assert f"{np.median(result.fun):.4g}" in out


def test_too_few_replicates_for_an_interval_is_refused(capsys):
    code, _, err = run(capsys, "compare", "gd", "adam", "-f", "sphere", "--starts", "3")
    assert code == 2 and "at least 6 replicates" in err
