"""``--engine jax`` on every command that runs optimizers, and without JAX installed."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("jax")

import descentlab as dl
from descentlab.cli import main
from descentlab.engines import default_engine, using


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["gd", "momentum", "amsgrad"])
def test_tutorial_traces_are_the_same_on_both_engines(capsys, name):
    _, numpy_out, _ = run(capsys, "tutorial", name)
    code, jax_out, err = run(capsys, "tutorial", name, "--engine", "jax")
    assert code == 0 and err == ""
    assert jax_out == numpy_out


def test_run_on_jax_writes_the_same_run(capsys, tmp_path):
    args = ["run", "adam", "-f", "rosenbrock", "--seed", "3", "--starts", "20", "--n-iter", "300",
            "--alpha", "0.02", "--gtol", "1e-3", "-q"]  # fmt: skip
    outputs = {}
    for engine in ("numpy", "jax"):
        out = tmp_path / f"{engine}.json"
        code, _, err = run(capsys, *args, "--engine", engine, "--json", str(out))
        assert code == 0, err
        outputs[engine] = json.loads(out.read_text())["result"]
    assert outputs["jax"]["status"] == outputs["numpy"]["status"]
    assert outputs["jax"]["nit"] == outputs["numpy"]["nit"]
    np.testing.assert_allclose(outputs["jax"]["x"], outputs["numpy"]["x"], rtol=1e-9)


def test_compare_on_jax_prints_the_same_table(capsys):
    args = ["compare", "gd", "momentum", "adam", "-f", "sphere", "--dim", "3", "--n-iter", "500",
            "--seed", "2", "--ftol", "1e-8"]  # fmt: skip
    _, numpy_out, _ = run(capsys, *args)
    code, jax_out, err = run(capsys, *args, "--engine", "jax")
    assert code == 0, err
    numbers = [line.split("│")[1:3] for line in numpy_out.splitlines() if "│" in line]
    assert [line.split("│")[1:3] for line in jax_out.splitlines() if "│" in line] == numbers


def test_sweep_on_jax_finds_the_same_iterations(capsys, tmp_path):
    args = ["sweep", "momentum", "-f", "quadratic", "--param", "kappa=10", "--dim", "3",
            "--grid", "step_size=log:1e-3:0.3:6", "--grid", "momentum=0,0.5,0.9",
            "--seeds", "3", "--n-iter", "400", "--target", "1e-6"]  # fmt: skip
    frames = {}
    for engine in ("numpy", "jax"):
        out = tmp_path / f"{engine}.csv"
        code, _, err = run(capsys, *args, "--engine", engine, "--out", str(out),
                           "--store", str(tmp_path / f"{engine}.db"))  # fmt: skip
        assert code == 0, err
        frames[engine] = pd.read_csv(out).sort_values(["step_size", "momentum", "seed"])
    assert frames["jax"]["iterations"].fillna(-1).tolist() == (
        frames["numpy"]["iterations"].fillna(-1).tolist()
    )
    assert frames["jax"]["status"].tolist() == frames["numpy"]["status"].tolist()


def test_tune_on_jax_runs(capsys):
    code, out, err = run(
        capsys,
        "tune",
        "gd",
        "-f",
        "sphere",
        "--dim",
        "2",
        "--budget",
        "8",
        "--batch",
        "4",
        "--seeds",
        "2",
        "--n-iter",
        "200",
        "--engine",
        "jax",
    )
    assert code == 0, err
    assert "step_size" in out


@pytest.mark.slow
def test_experiments_on_jax_reach_the_same_verdict(capsys):
    _, numpy_out, _ = run(capsys, "experiment", "step-size", "--quick")
    code, jax_out, err = run(capsys, "experiment", "step-size", "--quick", "--engine", "jax")
    assert code == 0, err
    verdict = [line for line in numpy_out.splitlines() if line.startswith("verdict")]
    assert verdict and [line for line in jax_out.splitlines() if line.startswith("verdict")] == (
        verdict
    )


def test_noise_minibatches_and_step_rules_run_compiled_without_a_note(capsys):
    for extra in (["--noise", "0.1"], ["--step-rule", "armijo"]):
        code, _, err = run(capsys, "run", "gd", "-f", "sphere", "--seed", "1", "--n-iter", "20",
                           "-q", "--engine", "jax", *extra)  # fmt: skip
        assert code == 0 and "note" not in err


def test_a_callback_is_what_stays_on_numpy_with_one_warning():
    from descentlab.engines import EngineFallbackWarning

    problem = dl.get_function("sphere", dim=2)
    seen = []
    with using("jax"), pytest.warns(EngineFallbackWarning, match="does not run callbacks"):
        dl.minimize(problem, dl.Adam(), n_iter=3, seed=0, callback=seen.append)
    assert len(seen) == 3


def test_the_default_engine_is_numpy_outside_using():
    assert default_engine() == "numpy"
    with using("jax"):
        assert default_engine() == "jax"
        problem = dl.get_function("sphere", dim=2)
        result = dl.minimize(problem, dl.Adam(), n_iter=3, seed=0)
        assert result.nit == 3
    assert default_engine() == "numpy"


@pytest.mark.slow  # 5 s (the playground's worker compiles); CI runs it
def test_the_playground_on_jax_answers_like_the_library():
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx2")
    from fastapi.testclient import TestClient

    from descentlab.playground.app import create_app

    body = {
        "problem": {"function": "rosenbrock"},
        "start": [-1.0, 1.0],
        "n_iter": 200,
        "optimizers": [
            {"name": "adam", "hyperparameters": {"alpha": 0.05}},
            {"name": "momentum", "hyperparameters": {"step_size": 1e-3}},
        ],
    }
    answers = {}
    for engine in ("numpy", "jax"):
        response = TestClient(create_app(engine)).post("/api/run", json=body)
        assert response.status_code == 200
        answers[engine] = response.json()["runs"]
    for ours, compiled in zip(answers["numpy"], answers["jax"], strict=True):
        np.testing.assert_allclose(compiled["path"], ours["path"], rtol=1e-9, atol=1e-12)


BLOCK_JAX = "import sys; sys.modules['jax'] = None; from descentlab.cli import main; "


@pytest.mark.parametrize(
    "args",
    [
        ["run", "gd", "-f", "sphere", "--n-iter", "5", "--engine", "jax"],
        ["tutorial", "gd", "--engine", "jax"],
        ["compare", "gd", "adam", "-f", "sphere", "--engine", "jax"],
        ["sweep", "gd", "-f", "sphere", "--grid", "step_size=0.1,0.2", "--engine", "jax"],
        ["tune", "gd", "-f", "sphere", "--budget", "2", "--engine", "jax"],
        ["experiment", "step-size", "--quick", "--engine", "jax"],
        ["serve", "--engine", "jax"],
    ],
    ids=lambda args: args[0],
)
def test_without_jax_the_engine_says_how_to_install_it(args, tmp_path):
    code = BLOCK_JAX + f"sys.exit(main({args!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "descentlab: error: engine='jax' needs JAX, which is not installed: "
        "pip install 'descentlab[jax]'"
    ]


def test_check_grad_on_jax_checks_the_traced_gradient(capsys):
    code, out, err = run(capsys, "check-grad", "-f", "levy", "--dim", "3", "--engine", "jax")
    assert code == 0, err
    assert "gradient agrees with central differences" in out
    jnp = pytest.importorskip("jax").numpy
    # no gradient given: jax.grad of f is what the JAX engine runs, and what is checked
    problem = dl.Problem(lambda x: jnp.sum(jnp.cos(x) * x, axis=-1), bounds=[(-2, 2)] * 2)
    from descentlab.gradient_check import check_gradient

    check = check_gradient(problem, engine="jax")
    assert check.ok and check.errors.max() < 1e-8
    wrong = dl.Problem(problem.f, grad=lambda x: -jnp.sin(x), bounds=[(-2, 2)] * 2)
    assert not check_gradient(wrong, engine="jax").ok
